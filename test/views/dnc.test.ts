import type { DncEntry } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { DNC_HELP, dncAdded, dncChecked, dncRemoved } from "../../src/views/dnc.js";
import { AT } from "./fixtures.js";

// /dnc's answers: what the list now says about a number, where an entry came from, and who added it.

const entry = (over: Partial<DncEntry> = {}): DncEntry => ({
  id: 1,
  workspaceId: 1,
  phone: "+12125550182",
  source: "card",
  reason: null,
  addedBy: "U0MARIA01",
  importId: null,
  createdAt: new Date(AT.getTime() - 3 * 3600_000),
  ...over,
});

describe("/dnc answers", () => {
  it("added now, or already listed with where it came from, by whom and why", () => {
    expect(dncAdded("+12125550182", entry(), true, AT).text).toBe(
      ":no_entry: +1 212 555 0182 is on the do-not-call list now. No lead with this number can be called, in any mode; any consent for it has ended. An admin can take it off with `/dnc remove`.",
    );
    expect(dncAdded("+12125550182", entry({ reason: "asked twice" }), false, AT).text).toBe(
      ":no_entry: +1 212 555 0182 was already on the do-not-call list (added 3 h ago from the Do not call button by <@U0MARIA01> — “asked twice”).",
    );
  });

  it("names each source; the lead's own key press and the registry have no adder", () => {
    const said = (over: Partial<DncEntry>) => dncChecked("+12125550182", entry(over), AT).text;
    expect(said({ source: "keypress", addedBy: "lead" })).toBe(
      ":no_entry: +1 212 555 0182 is on the do-not-call list (added 3 h ago from the lead pressed 9 on a call).",
    );
    expect(said({ source: "registry", addedBy: "registry" })).toBe(
      ":no_entry: +1 212 555 0182 is on the do-not-call list (added 3 h ago from the national registry import).",
    );
    expect(said({ source: "api", addedBy: "api:webform" })).toContain("from the lead API by api:webform)");
    expect(said({ source: "command" })).toContain("from /dnc add by <@U0MARIA01>");
    expect(said({ source: "outcome" })).toContain("from a call outcome by <@U0MARIA01>");
  });

  it("not listed, and taken off", () => {
    expect(dncChecked("+12125550182", undefined, AT).text).toBe(
      ":white_check_mark: +1 212 555 0182 is not on the do-not-call list.",
    );
    expect(dncRemoved("+12125550182").text).toBe(
      ":white_check_mark: +1 212 555 0182 is off the do-not-call list. Calls to it are checked against calling hours and consent as usual.",
    );
  });

  it("escapes a reason and an adder people typed", () => {
    const text = dncChecked(
      "+12125550182",
      entry({ reason: "<!channel> *now* <https://x.example|y>", addedBy: "<@U0BOSS>" }),
      AT,
    ).text;
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<https://");
    expect(text).not.toContain("<@U0BOSS>");
    expect(text).toContain("“&lt;!channel&gt;");
  });

  it("help shows its placeholders escaped, so Slack does not read them as links", () => {
    expect(DNC_HELP).toContain("`/dnc add &lt;phone&gt; [reason]`");
    expect(DNC_HELP).not.toMatch(/<phone>/);
  });
});
