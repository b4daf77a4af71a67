import type { Text } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import { inboundTextMessage } from "../../src/views/texts.js";
import { AT, HOSTILE_NAME, shownText } from "./fixtures.js";

// An inbound text's message: a lead's reply offers Reply by text; a STOP does not (nothing can be sent
// to them until START); an unknown number offers Add as lead, whatever it texted.

const inbound = (over: Partial<Text> = {}) =>
  ({
    id: 5,
    workspaceId: 1,
    leadId: 12,
    direction: "inbound",
    kind: "reply",
    phone: "+12015550101",
    body: "Can we talk at 5?",
    status: "received",
    optOutType: null,
    createdAt: AT,
    updatedAt: AT,
    ...over,
  }) as Text;

const actionIds = (blocks: { type: string; elements?: { action_id?: string }[] }[]) =>
  blocks.flatMap((block) => (block.type === "actions" ? (block.elements ?? []).map((e) => e.action_id) : []));

describe("an inbound text's message", () => {
  it("a lead's reply offers Reply by text", () => {
    const message = inboundTextMessage(inbound(), { id: 12, name: "Jane Doe" });
    expect(actionIds(message.blocks as never)).toEqual(["text_reply"]);
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
  });

  it("a lead's STOP offers no reply and says why; HELP still can be answered", () => {
    const stop = inboundTextMessage(inbound({ body: "STOP", optOutType: "STOP" }), { id: 12, name: HOSTILE_NAME });
    expect(actionIds(stop.blocks as never)).toEqual([]);
    const shown = shownText(stop.blocks);
    expect(shown).toContain("They opted out of texts: none can be sent to them until they text START.");
    expect(shown).not.toContain("<!channel>");
    expect(blockKitProblems(stop.blocks, "message")).toEqual([]);
    const help = inboundTextMessage(inbound({ body: "HELP", optOutType: "HELP" }), { id: 12, name: "Jane Doe" });
    expect(actionIds(help.blocks as never)).toEqual(["text_reply"]);
  });

  it("a lead's START says texts can go again and calls stay on the do-not-call list, and offers a reply", () => {
    const start = inboundTextMessage(inbound({ body: "START", optOutType: "START" }), { id: 12, name: "Jane Doe" });
    expect(shownText(start.blocks)).toContain(
      "They opted back in to texts (START): texts to them can go again. Their do-not-call entry for calls stays.",
    );
    expect(actionIds(start.blocks as never)).toEqual(["text_reply"]);
    expect(blockKitProblems(start.blocks, "message")).toEqual([]);
    expect(shownText(inboundTextMessage(inbound({ body: "Yes" }), { id: 12, name: "Jane Doe" }).blocks)).not.toMatch(
      /START|opted/,
    );
  });

  it("an unknown number offers Add as lead, STOP or not", () => {
    const stop = inboundTextMessage(inbound({ leadId: null, body: "STOP", optOutType: "STOP" }), null);
    expect(actionIds(stop.blocks as never)).toEqual(["lead_add_open"]);
  });
});
