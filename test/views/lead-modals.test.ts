import { describe, expect, it } from "vitest";
import { viewProblems } from "../../sandbox/slack/block-kit/index.js";
import { leadFields } from "../../src/lib/ids.js";
import type { LeadWithLastNote } from "../../src/services/leads/lead-service.js";
import { addLeadModal, editLeadModal } from "../../src/views/lead-modals.js";

const lead = {
  id: 7,
  name: "Jane Doe",
  phone: "+12125550182",
  phoneExt: null,
  email: "jane@example.com",
  source: "Zillow",
  ownerSlackId: "U0MARIA",
  state: "FL",
  zip: "33101",
} as LeadWithLastNote;

const consentInput = (view: { blocks: unknown[] }) =>
  (view.blocks as { block_id?: string; element?: { max_length?: number } }[]).find(
    (block) => block.block_id === leadFields.consentText,
  )!;

describe("the Add lead and Edit lead modals", () => {
  it("open in Slack: every input within Block Kit's limits, the consent words at most 3,000 characters", () => {
    for (const view of [addLeadModal({ name: "Jane" }, "{}"), editLeadModal(lead, "{}")]) {
      expect(viewProblems(view, "modal")).toEqual([]);
      expect(consentInput(view).element?.max_length).toBe(3000);
    }
  });
});
