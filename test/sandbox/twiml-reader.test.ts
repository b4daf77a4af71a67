import { describe, expect, it } from "vitest";
import { readTwiml } from "../../sandbox/twilio/twiml-reader.js";
import { bridgeCallTwiml, simpleCallTwiml } from "../../src/services/twilio/twiml.js";

describe("readTwiml", () => {
  it("reads what Leadline sends: verbs, attributes, nested nouns and escaped text", () => {
    const simple = readTwiml(
      simpleCallTwiml('Hi <Jane> & "Co"', { menu: { prompt: "Press 1", action: "https://x.test/m?call=1&a=2" } }),
    );
    expect(simple.children.map((verb) => verb.name)).toEqual(["Say", "Pause", "Gather", "Say"]);
    expect(simple.children[0]!.text).toBe('Hi <Jane> & "Co"');
    expect(simple.children[2]!.attrs).toMatchObject({ numDigits: "1", action: "https://x.test/m?call=1&a=2" });
    const bridge = readTwiml(bridgeCallTwiml("Hello", "+12015550199", "+12015550100"));
    const dial = bridge.children.find((verb) => verb.name === "Dial")!;
    expect(dial.attrs.callerId).toBe("+12015550100");
    expect(dial.children[0]).toMatchObject({ name: "Number", text: "+12015550199" });
  });

  it("refuses malformed documents, as Twilio does with an application error", () => {
    expect(() => readTwiml("<Response><Say>hi</Response>")).toThrow(/malformed/);
    expect(() => readTwiml("<Response><Say>hi</Say>")).toThrow(/unclosed/);
    expect(() => readTwiml("<Say>hi</Say>")).toThrow(/<Response> root/);
    expect(() => readTwiml("<Response>< Say/></Response>")).toThrow(/malformed/);
  });
});
