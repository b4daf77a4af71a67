import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import { crmFields, ids } from "../../src/lib/ids.js";
import { parseCrmSetup } from "../../src/listeners/commands/crm-setup.js";
import type { CrmConnected, CrmStatus } from "../../src/services/crm/crm-setup.js";
import { fubModule } from "../../src/services/crm/fub.js";
import {
  crmConnectedMessage,
  crmRetriedStatus,
  crmSetupChecking,
  crmSetupDone,
  crmSetupModal,
  crmStatusMessage,
} from "../../src/views/crm-setup.js";
import { AT, HOSTILE_NAME, shownText } from "./fixtures.js";

// /crm-setup's views: the key form (never a key in it), what connecting did, the sync's status.

const connected = (over: Partial<CrmConnected> = {}): CrmConnected => ({
  provider: "Follow Up Boss",
  accountName: "Acme Realty",
  keyUserName: "Olivia Owner",
  matched: [{ slackUserId: "U0MARIA01", email: "maria@team.test" }],
  unmatched: [{ id: 9, name: "Sam Agent", email: "sam@team.test" }],
  webhooks: { registered: 2, error: null },
  ...over,
});

const status = (over: Partial<CrmStatus> = {}): CrmStatus => ({
  connected: true,
  provider: "Follow Up Boss",
  accountName: "Acme Realty",
  keyUserName: "Olivia Owner",
  webhookError: null,
  webhooksRegistered: true,
  users: [{ slackUserId: "U0MARIA01", crmUserId: 2, email: "maria@team.test" }],
  outbox: { sent: 12, waiting: 0, failed: 0, oldestWaiting: null, failures: [] },
  pausedUntil: null,
  ...over,
});

describe("/crm-setup views", () => {
  it("the key form: one key field, where to find it, nothing typed shown back", () => {
    const form = crmSetupModal({
      provider: "Follow Up Boss",
      asks: fubModule.setup,
      privateMetadata: '{"channel":"C1"}',
    });
    expect(form.callback_id).toBe(ids.crm.setupCallbackId);
    expect(form.private_metadata).toBe('{"channel":"C1"}');
    const inputs = form.blocks.filter((b) => b.type === "input");
    expect(inputs.map((b) => b.block_id)).toEqual([crmFields.apiKey]);
    expect(JSON.stringify(form)).not.toContain("initial_value");
    expect(shownText(form)).toContain("Admin → API → Create API Key");
    expect(blockKitProblems(form.blocks, "modal")).toEqual([]);
    const again = crmSetupModal({
      provider: "Follow Up Boss",
      asks: fubModule.setup,
      connected: { accountName: "Acme Realty", keyUserName: HOSTILE_NAME },
      notice: 'Follow Up Boss refused the API key: "Missing or invalid user API key."',
      privateMetadata: "{}",
    });
    expect(shownText(again)).toContain('Follow Up Boss refused the API key: "Missing or invalid user API key."');
    expect(shownText(again)).toContain("Connected now: Acme Realty");
    expect(JSON.stringify(again)).not.toContain("<!channel>");
    expect(blockKitProblems(again.blocks, "modal")).toEqual([]);
    expect(blockKitProblems(crmSetupChecking("Follow Up Boss", "{}").blocks, "modal")).toEqual([]);
  });

  it("connected: the account, who was matched, who was not and how to match them, the webhooks", () => {
    const text = crmConnectedMessage(connected()).text;
    expect(text).toContain("*Follow Up Boss is connected*: Acme Realty, with the key of Olivia Owner.");
    expect(text).toContain("Matched by email: <@U0MARIA01> → maria@team.test.");
    expect(text).toContain("No Slack user has the email of 1 Follow Up Boss user: Sam Agent (sam@team.test).");
    expect(text).toContain("`/crm-setup map @someone their-email`");
    expect(text).toContain("webhooks added");
    const noHooks = crmConnectedMessage(
      connected({
        webhooks: { registered: 0, error: "Only the Follow Up Boss account owner's key can add webhooks." },
      }),
    ).text;
    expect(noHooks).toContain("new leads do not reach Leadline: Only the Follow Up Boss account owner's key");
    const done = crmSetupDone(connected({ keyUserName: HOSTILE_NAME }));
    expect(JSON.stringify(done)).not.toContain("<!channel>");
    expect(blockKitProblems(done.blocks, "modal")).toEqual([]);
  });

  it("status: sent, waiting since when, failed with FUB's words, and a Retry only when something failed", () => {
    const quiet = crmStatusMessage(status(), AT);
    expect(quiet.text).toContain("12 calls and texts logged · 0 waiting · 0 failed");
    expect(JSON.stringify(quiet.blocks)).not.toContain(ids.crm.retryAction);
    const troubled = crmStatusMessage(
      status({
        outbox: {
          sent: 1,
          waiting: 3,
          failed: 6,
          oldestWaiting: new Date(AT.getTime() - 3 * 3_600_000),
          failures: [
            {
              sid: `CA${"1".repeat(32)}`,
              lastError: "403: You do not have access to this person. <!channel>",
              attempts: 1,
              updatedAt: AT,
            },
          ],
        },
        pausedUntil: new Date(AT.getTime() + 5_000),
      }),
      AT,
    );
    expect(troubled.text).toContain("1 call or text logged · 3 waiting · 6 failed");
    expect(troubled.text).toContain("The oldest waiting has waited 3 h (since 2026-11-24 16:00 UTC)");
    expect(troubled.text).toContain("after 1 try: 403: You do not have access to this person.");
    expect(troubled.text).not.toContain("<!channel>");
    expect(troubled.text).toContain("… and 5 more failed.");
    expect(troubled.text).toContain("nothing is sent before 19:00:05 UTC");
    expect(shownText(troubled.blocks)).toContain("Retry 6 failed rows");
    expect(JSON.stringify(troubled.blocks)).toContain(ids.crm.retryAction);
    expect(blockKitProblems(troubled.blocks, "message")).toEqual([]);
    const retried = crmRetriedStatus(6, status(), AT);
    expect(retried.text).toContain("6 failed rows will be sent to Follow Up Boss again now.");
    expect(blockKitProblems(retried.blocks, "message")).toEqual([]);
  });

  it("status without a connection says who can connect it", () => {
    const shown = crmStatusMessage(status({ connected: false, accountName: null, keyUserName: null }), AT);
    expect(shown.text).toBe(
      ":information_source: Follow Up Boss is not connected. An admin can run `/crm-setup` with Follow Up Boss's API key.",
    );
  });

  it("reads its verbs: status, disconnect, map with an escaped mention or an id, anything else is usage", () => {
    expect(parseCrmSetup("")).toEqual({ kind: "open" });
    expect(parseCrmSetup(" Status ")).toEqual({ kind: "status" });
    expect(parseCrmSetup("disconnect")).toEqual({ kind: "disconnect" });
    expect(parseCrmSetup("map <@U0SAM0001|sam> sam@team.test")).toEqual({
      kind: "map",
      slackUserId: "U0SAM0001",
      email: "sam@team.test",
    });
    expect(parseCrmSetup("map U0SAM0001 sam@team.test")).toMatchObject({ slackUserId: "U0SAM0001" });
    expect(parseCrmSetup("map sam@team.test")).toMatchObject({
      kind: "usage",
      why: expect.stringContaining("map @maria"),
    });
    expect(parseCrmSetup("connect abc")).toEqual({ kind: "usage" });
  });
});
