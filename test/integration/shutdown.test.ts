import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { ids } from "../../src/lib/ids.js";
import { CHANNEL, eventually, startTestApp, withConsent } from "../helpers/app.js";
import { buttonClick } from "../helpers/payloads.js";

describe("graceful shutdown", () => {
  it("stops taking requests but finishes the work in flight before closing the database", async () => {
    const t = await startTestApp();
    const account = t.twilio.addAccount({ numbers: ["+15005550006"] });
    await t.app.deps.settings.save(
      t.ws,
      { accountSid: account.sid, authToken: account.token, phoneNumber: "+15005550006" },
      "U0ADMIN01",
    );
    const lead = await withConsent(
      t.app,
      t.ws,
      await t.app.deps.leads.create(t.ws, { name: "Jane Doe", phone: "+12125550182", author: "seed" }),
    );
    t.twilio.delays.set("createCall", 800);
    const res = await t.interact(
      buttonClick({
        userId: "U0MARIA01",
        actionId: ids.call.messageAction,
        value: String(lead.id),
        channel: CHANNEL,
        messageTs: "1.1",
        responseUrl: t.slack.responseUrl(),
      }),
    );
    expect(res.status).toBe(200);
    await eventually(() => t.twilio.creates().length === 1, "create sent");
    const url = t.url;
    await t.app.stop();
    // The call Twilio was asked for is still announced and recorded: nothing is cut in half.
    expect(t.slack.callsTo("chat.postMessage")).toHaveLength(1);
    expect(JSON.stringify(t.slack.callsTo("chat.postMessage")[0]!.args.blocks)).toContain("Call SID CA");
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await t.stop();
  });

  it("a connection left half-way through a request does not hold the stop (Node counts it busy, not idle)", async () => {
    const t = await startTestApp();
    const { port } = new URL(t.url);
    // A client that sent part of a request's head and went quiet: no request reached Leadline, so no
    // answer is owed, but Node would keep the connection (and close()) open until its headers timeout.
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.write("POST /slack/events HTTP/1.1\r\nHost: leadline\r\nContent-Type: application/json\r\n");
    const socketClosed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
    const connections = () => new Promise<number>((resolve) => t.app.server.getConnections((_e, n) => resolve(n)));
    await eventually(async () => (await connections()) === 1, "the server to hold the half-sent request's connection");
    const started = Date.now();
    await t.app.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    await socketClosed;
    await t.stop();
  }, 20_000);
});
