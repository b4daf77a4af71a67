import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setupFields } from "../../src/lib/ids.js";
import { eventually, startTestApp, type TestApp } from "../helpers/app.js";
import type { FakeAccount } from "../helpers/fake-twilio.js";
import { viewSubmission } from "../helpers/payloads.js";

// Issue 23, item 8g: /twilio-setup names as "Changed" only the fields whose values changed.

const ADMIN = "U0ADMIN01";
let t: TestApp;
let account: FakeAccount;

beforeEach(async () => {
  t = await startTestApp();
  t.slack.users.set(ADMIN, { id: ADMIN, name: "maria", is_admin: true });
  account = t.twilio.addAccount({ numbers: ["+12125550100"] });
});
afterEach(async () => {
  await t.stop();
});

type Block = {
  type: string;
  block_id?: string;
  element?: {
    type: string;
    initial_value?: string;
    initial_option?: { value: string };
    initial_options?: { value: string }[];
  };
};

async function openModal() {
  const before = t.slack.callsTo("views.open").length;
  await t.command("/twilio-setup", "", ADMIN);
  await eventually(() => t.slack.callsTo("views.open").length > before, "views.open");
  return [...t.slack.views.values()].at(-1)!;
}

/** What Slack submits for a form nobody touched: every field's initial value (secrets stay blank). */
function asShown(view: Record<string, unknown>): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const block of view.blocks as Block[]) {
    if (block.type !== "input" || !block.block_id || !block.element) continue;
    const e = block.element;
    values[block.block_id] =
      e.initial_value ?? e.initial_option?.value ?? e.initial_options?.map((o) => o.value).join(",") ?? undefined;
  }
  return values;
}

async function submit(view: Record<string, unknown>, values: Record<string, string | undefined>) {
  const res = await t.interact(viewSubmission(view, ADMIN, values));
  const text = await res.text();
  return JSON.stringify(text ? JSON.parse(text) : {});
}

describe("/twilio-setup's Changed list", () => {
  it("names only the fields the admin changed, and says nothing changed when none did", async () => {
    const first = await submit(await openModal(), {
      [setupFields.accountSid]: account.sid,
      [setupFields.authToken]: account.token,
      [setupFields.phoneNumber]: "(212) 555-0100",
      [setupFields.agentPhone]: "+1 212 555 0199",
      [setupFields.callMessage]: "Hi, this is Acme Realty.",
    });
    expect(first).toContain("Changed:");

    const view = await openModal();
    const untouched = await submit(view, asShown(view));
    expect(untouched).toContain("nothing changed");
    expect(untouched).not.toContain("Changed:");

    const again = await openModal();
    const oneField = await submit(again, { ...asShown(again), [setupFields.callMessage]: "Hi, this is Acme Homes." });
    expect(oneField).toMatch(/Changed: [^.]*\./);
    const changed = /Changed: ([^.]*)\./.exec(oneField)?.[1];
    expect(changed?.split(", ")).toHaveLength(1);
  });
});
