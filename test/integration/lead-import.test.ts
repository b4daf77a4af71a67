import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { INPUT_ACTION, ids, leadFields } from "../../src/lib/ids.js";
import { eventually, startTestApp, type TestApp } from "../helpers/app.js";
import { viewSubmission } from "../helpers/payloads.js";

// Item 10 of issue 23: `/lead import` → a CSV uploaded in Slack, read with the bot token through
// files.info and the file's private URL, imported by the command line's code, the report in a DM.

const ADMIN = "U0ADMIN01";
const AGENT = "U0AGENT01";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { ADMIN_SLACK_USER_IDS: ADMIN } });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(async () => {
  t.slack.calls.length = 0;
  t.slack.responses.length = 0;
  await t.app.deps.db.note.deleteMany();
  await t.app.deps.db.lead.deleteMany();
});

/** What a person's upload in a file_input leaves in the workspace, as Slack stores it before the submit. */
const upload = (user: string, name: string, content: string | Buffer) =>
  t.slack.sim.workspace.userUpload(user, name, Buffer.isBuffer(content) ? content : Buffer.from(content), "text/csv");

/** The modal `/lead import` opened, submitted with the uploaded file (Slack's file_input state). */
async function submit(user: string, fileId: string | undefined) {
  const view = (await eventually(() => t.slack.callsTo("views.open").at(-1), "the import modal")).args.view as Record<
    string,
    unknown
  >;
  const payload = viewSubmission({ ...view, id: "V0IMPORT" }, user, {});
  const state = (payload.view as { state: { values: Record<string, Record<string, unknown>> } }).state.values;
  state[leadFields.importFile] = {
    [INPUT_ACTION]: {
      type: "file_input",
      files: fileId ? [t.slack.sim.workspace.fileJson(fileId)] : [],
    },
  };
  return t.interact(payload);
}

const dms = () => t.slack.callsTo("chat.postMessage").filter((call) => String(call.args.channel).startsWith("D"));
const report = async (count = 1) =>
  String((await eventually(() => dms()[count - 1], "the import report", 20_000)).args.text ?? "");
const allText = (n: number) => JSON.stringify(dms()[n - 1]?.args.blocks ?? []);

const CSV = [
  "name,phone,email,source,state",
  '"Doe, Jane",(212) 555-0182,jane@example.com,Zillow,NY',
  "John Roe,+1 212 555 0183,,open house,",
  "Jane Again,212.555.0182,,,",
  "No Phone,,,,",
  "Bad Phone,call me,,,",
].join("\n");

describe("/lead import from Slack", () => {
  it("opens a file input for an admin; the file is read with the bot token and imported; the report is a DM", async () => {
    const opened = await t.command("/lead", "import", ADMIN);
    expect(opened.status).toBe(200);
    const view = (await eventually(() => t.slack.callsTo("views.open").at(-1), "the modal")).args.view as {
      callback_id: string;
      blocks: { type: string; element?: { type: string; filetypes?: string[] } }[];
    };
    expect(view.callback_id).toBe(ids.lead.importCallbackId);
    expect(view.blocks.find((b) => b.type === "input")?.element).toMatchObject({ type: "file_input" });

    const fileId = upload(ADMIN, "leads.csv", CSV);
    const res = await submit(ADMIN, fileId);
    expect(((await res.json()) as { response_action: string }).response_action).toBe("update");
    const text = await report();
    expect(text).toBe("Imported leads.csv: added 2 leads, skipped 3 rows (1 already a lead, 2 not valid).");
    const blocks = allText(1);
    expect(blocks).toContain("line 4: Jane Again — already a lead");
    expect(blocks).toContain("line 5: no phone number");
    expect(blocks).toContain('line 6: \\"call me\\" is not a callable number');
    // Read as Slack documents it: files.info with the file's id, with the bot token.
    const info = t.slack.callsTo("files.info");
    expect(info.map((call) => call.args.file)).toEqual([fileId]);
    expect(info[0]!.token).toBe("xoxb-test-token");
    const leads = await t.app.deps.db.lead.findMany({ orderBy: { id: "asc" } });
    expect(leads.map((lead) => [lead.name, lead.phone, lead.source, lead.state])).toEqual([
      ["Doe, Jane", "+12125550182", "Zillow", "NY"],
      ["John Roe", "+12125550183", "open house", null],
    ]);
    // Nothing about the import went into the channel.
    expect(t.slack.callsTo("chat.postMessage").filter((call) => !String(call.args.channel).startsWith("D"))).toEqual(
      [],
    );
  });

  it("exactly once: the same file again adds nothing; two submissions at once add each lead once", async () => {
    const fileId = upload(ADMIN, "leads.csv", CSV);
    await t.command("/lead", "import", ADMIN);
    await submit(ADMIN, fileId);
    await report(1);
    await t.command("/lead", "import", ADMIN);
    await submit(ADMIN, fileId);
    expect(await report(2)).toBe("Imported leads.csv: added 0 leads, skipped 5 rows (3 already leads, 2 not valid).");
    expect(await t.app.deps.db.lead.count()).toBe(2);

    const many = ["name,phone", ...Array.from({ length: 30 }, (_, i) => `Lead ${i},212 555 ${String(1000 + i)}`)];
    const second = upload(ADMIN, "many.csv", many.join("\n"));
    await t.command("/lead", "import", ADMIN);
    await Promise.all([submit(ADMIN, second), submit(ADMIN, second)]);
    await report(4);
    const added = dms()
      .slice(2)
      .map((call) => Number(/added (\d+)/.exec(String(call.args.text))?.[1]));
    expect(added.reduce((a, b) => a + b, 0)).toBe(30);
    expect(await t.app.deps.db.lead.count()).toBe(32);
  });

  it("an agent is refused: no modal, and a forged submission adds nothing", async () => {
    const res = await t.command("/lead", "import", AGENT);
    expect(((await res.json()) as { text: string }).text).toContain("Only Leadline admins can import leads.");
    expect(t.slack.callsTo("views.open")).toEqual([]);
    await t.command("/lead", "import", ADMIN);
    const fileId = upload(AGENT, "leads.csv", CSV);
    await submit(AGENT, fileId);
    expect(await report()).toContain("Only Leadline admins can import leads");
    expect(t.slack.callsTo("files.info")).toEqual([]);
    expect(await t.app.deps.db.lead.count()).toBe(0);
  });

  it("files that are not a lead CSV are refused whole, saying what to fix", async () => {
    const cases: [string, string | Buffer, string][] = [
      ["photo.csv", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]), "is a binary file (a spreadsheet?), not a CSV"],
      [
        "latin1.csv",
        Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x2c, 0x70, 0x68, 0x6f, 0x6e, 0x65, 0x0a, 0xe9]),
        'save it again as "CSV UTF-8"',
      ],
      ["people.csv", "first,last\nJane,Doe\n", "The header must name the columns name and phone"],
      ["empty.csv", "", "The file is empty"],
    ];
    let n = 0;
    for (const [name, content, words] of cases) {
      await t.command("/lead", "import", ADMIN);
      await submit(ADMIN, upload(ADMIN, name, content));
      n += 1;
      const text = await report(n);
      expect(text).toContain(`Could not import *${name}*`);
      expect(text).toContain(words);
      expect(text).toContain("No leads were added.");
    }
    expect(await t.app.deps.db.lead.count()).toBe(0);
  });

  it("a submission without a file is answered on the field", async () => {
    await t.command("/lead", "import", ADMIN);
    const res = await submit(ADMIN, undefined);
    expect(await res.json()).toEqual({
      response_action: "errors",
      errors: { [leadFields.importFile]: "Choose a CSV file to import." },
    });
  });

  it("the simulated Slack serves a private file only with a token, as Slack does", async () => {
    const fileId = upload(ADMIN, "leads.csv", CSV);
    const file = t.slack.sim.workspace.fileJson(fileId)!;
    const bare = await fetch(String(file.url_private_download), { redirect: "manual" });
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toContain("/signin");
    const signed = await fetch(String(file.url_private_download), {
      headers: { authorization: "Bearer xoxb-test-token" },
    });
    expect(await signed.text()).toBe(CSV);
    const info = await fetch(`${t.slack.apiUrl}files.info`, {
      method: "POST",
      headers: { authorization: "Bearer xoxb-test-token", "content-type": "application/x-www-form-urlencoded" },
      body: "file=F999999999",
    });
    expect(await info.json()).toEqual({ ok: false, error: "file_not_found" });
  });
});
