import { describe, expect, it } from "vitest";
import { keywordOf } from "../../../src/services/texts/text-inbound.js";

// What a lead's text means (compliance.md, Release 3): Twilio's standard keywords in any case with
// spaces around; an opt-out also through punctuation and "opt out" written as two words (47 CFR
// 64.1200(a)(10)); START and HELP only exactly; Twilio's OptOutType first.

describe("keywordOf", () => {
  it("reads Twilio's keywords in any case, spaces around", () => {
    for (const body of [
      "STOP",
      "stop ",
      " Stop",
      "STOPALL",
      "stopall",
      "Unsubscribe",
      "cancel",
      "END",
      "quit",
      "revoke",
      "optout",
    ])
      expect(keywordOf(body), body).toBe("STOP");
    for (const body of ["START", "start", "Yes", "UNSTOP "]) expect(keywordOf(body), body).toBe("START");
    for (const body of ["HELP", "help", "Info"]) expect(keywordOf(body), body).toBe("HELP");
  });

  it("reads an opt-out written with punctuation or as two words", () => {
    for (const body of [
      "Stop.",
      "STOP!!",
      "stop 🛑",
      "“Stop”",
      "opt out",
      "Opt-Out",
      "OPT OUT.",
      "stop all",
      "Unsubscribe!",
    ])
      expect(keywordOf(body), body).toBe("STOP");
  });

  it("does not read a sentence, START or HELP with punctuation, or a word that only contains a keyword", () => {
    for (const body of [
      "Yes!",
      "Help?",
      "Start.",
      "Can we talk at 5?",
      "the end",
      "stopped by the house",
      "Stop by at 5 pm",
      "STOPPED",
      "ending",
      "s t o p",
    ])
      expect(keywordOf(body), body).toBeUndefined();
  });

  it("takes Twilio's OptOutType over the body", () => {
    expect(keywordOf("please no more", "STOP")).toBe("STOP");
    expect(keywordOf("STOP", "start")).toBe("START");
    expect(keywordOf("hello", "OTHER")).toBeUndefined();
  });
});
