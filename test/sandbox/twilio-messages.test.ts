import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SimAccount } from "../../sandbox/twilio/model.js";
import { startTwilioSimulator, type TwilioSimulator } from "../../sandbox/twilio/simulator.js";
import { createTwilioClientFactory } from "../../src/services/twilio/client.js";
import { eventually } from "../helpers/app.js";
import { type Receiver, restClient, startReceiver } from "../helpers/twilio-receiver.js";

// The simulated Twilio's texting: Messages create with Twilio's validation and magic numbers, the
// opt-out list after STOP (21610), status callbacks in order, 30034 without an approved A2P campaign,
// the Usa2p resource through Twilio's own SDK, and signed inbound texts with OptOutType.

const SID = "AC000000000000000000000000000000cc";
const TOKEN = "cccccccccccccccccccccccccccccccc";
const TEAM = "+13055550100";
const LEAD = "+12125550182";

describe("the simulated Twilio's Messages", () => {
  let sim: TwilioSimulator;
  let hooks: Receiver;
  let serviceSid: string;
  let account: SimAccount;
  const rest = () => restClient(sim.url, SID, TOKEN);

  beforeAll(async () => {
    sim = await startTwilioSimulator({ pace: 0.02 });
    account = sim.addAccount({ sid: SID, authToken: TOKEN });
    sim.addNumber(SID, TEAM);
    hooks = await startReceiver(() => TOKEN);
    serviceSid = sim.addMessagingService(SID, {
      senders: [TEAM],
      statusCallback: `${hooks.url}/status`,
      inboundRequestUrl: `${hooks.url}/inbound`,
    }).sid;
  });
  beforeEach(() => {
    account.stopFiltering = undefined;
    sim.messages.clear();
    sim.setCampaign(serviceSid, "VERIFIED");
    sim.optOuts(SID).clear();
    hooks.hooks.splice(0);
  });
  afterAll(async () => {
    await hooks.close();
    await sim.close();
  });

  it("refuses what Twilio refuses, with Twilio's codes", async () => {
    const send = (params: Record<string, string>) => rest().post("/Messages.json", params);
    expect((await send({ MessagingServiceSid: serviceSid, Body: "hi" })).body.code).toBe(21604);
    expect((await send({ To: LEAD, Body: "hi" })).body.code).toBe(21603);
    expect((await send({ To: LEAD, MessagingServiceSid: serviceSid })).body.code).toBe(21602);
    expect((await send({ To: LEAD, MessagingServiceSid: serviceSid, Body: "x".repeat(1601) })).body.code).toBe(21617);
    expect((await send({ To: LEAD, From: "+14155550100", Body: "hi" })).body.code).toBe(21606);
    expect((await send({ To: LEAD, MessagingServiceSid: `MG${"0".repeat(32)}`, Body: "hi" })).body.code).toBe(21701);
    expect((await send({ To: LEAD, MessagingServiceSid: serviceSid, Body: "hi", Foo: "1" })).body.code).toBe(21205);
    const magic: [string, number][] = [
      ["+15005550001", 21211],
      ["+15005550002", 21612],
      ["+15005550003", 21408],
      ["+15005550004", 21610],
      ["+15005550009", 21614],
    ];
    for (const [to, code] of magic) {
      const answer = await send({ To: to, MessagingServiceSid: serviceSid, Body: "hi" });
      expect([answer.status, answer.body.code]).toEqual([400, code]);
    }
    expect(sim.messages.size).toBe(0);
  });

  it("plays a text out with signed status callbacks in order, and lists it", async () => {
    const created = await rest().post("/Messages.json", { To: LEAD, MessagingServiceSid: serviceSid, Body: "Hello" });
    expect([created.status, created.body.status]).toEqual([201, "accepted"]);
    await eventually(() => hooks.at("/status").find((h) => h.params.MessageStatus === "delivered"), "delivered");
    expect(hooks.at("/status").map((h) => h.params.MessageStatus)).toEqual(["queued", "sending", "sent", "delivered"]);
    expect(hooks.at("/status").every((h) => h.signed && h.params.MessageSid === created.body.sid)).toBe(true);
    const listed = await rest().get(`/Messages.json?To=${encodeURIComponent(LEAD)}`);
    expect((listed.body.messages as { sid: string; from: string }[])[0]).toMatchObject({
      sid: created.body.sid,
      from: TEAM,
    });
  });

  it("fails US texts with 30034 until the campaign is approved, and reads the campaign with Twilio's SDK", async () => {
    sim.setCampaign(serviceSid, "IN_PROGRESS");
    const client = createTwilioClientFactory({ apiUrl: sim.url })({ accountSid: SID, authToken: TOKEN });
    const [campaign] = await client.messaging.v1.services(serviceSid).usAppToPerson.list();
    expect(campaign?.campaignStatus).toBe("IN_PROGRESS");
    const message = await client.messages.create({ to: LEAD, messagingServiceSid: serviceSid, body: "Hello" });
    const failed = await eventually(
      () => hooks.at("/status").find((h) => h.params.MessageStatus === "failed"),
      "failed",
    );
    expect(failed.params).toMatchObject({ MessageSid: message.sid, ErrorCode: "30034" });
    expect((await client.messages(message.sid).fetch()).errorCode).toBe(30034);
  });

  it("a STOP puts the sender on the opt-out list (21610 after) and START takes it off; the webhook is signed with OptOutType", async () => {
    await sim.inboundText({ from: LEAD, to: TEAM, body: " stop " });
    const hook = hooks.at("/inbound")[0]!;
    expect(hook.signed).toBe(true);
    expect(hook.params).toMatchObject({
      From: LEAD,
      To: TEAM,
      Body: " stop ",
      OptOutType: "STOP",
      MessagingServiceSid: serviceSid,
    });
    const refused = await rest().post("/Messages.json", { To: LEAD, MessagingServiceSid: serviceSid, Body: "Hi" });
    expect([refused.status, refused.body.code]).toEqual([400, 21610]);
    await sim.inboundText({ from: LEAD, to: TEAM, body: "START" });
    expect(hooks.at("/inbound")[1]!.params.OptOutType).toBe("START");
    expect(
      (await rest().post("/Messages.json", { To: LEAD, MessagingServiceSid: serviceSid, Body: "Hi" })).status,
    ).toBe(201);
    await sim.inboundText({ from: LEAD, to: TEAM, body: "Can we talk at 5?" });
    expect(hooks.at("/inbound")[2]!.params.OptOutType).toBeUndefined();
  });

  it("Twilio answers STOP, START and HELP itself (Advanced Opt-Out's words when set); with its opt-out handling off it answers nothing and blocks nothing", async () => {
    const replies = () => [...sim.messages.values()].filter((m) => m.direction === "outbound-reply");
    await sim.inboundText({ from: LEAD, to: TEAM, body: "STOP" });
    expect(replies().map((m) => [m.from, m.to, m.status])).toEqual([[TEAM, LEAD, "delivered"]]);
    expect(replies()[0]!.body).toMatch(/^You have successfully been unsubscribed/);
    await sim.inboundText({ from: LEAD, to: TEAM, body: "HELP" });
    expect(replies()).toHaveLength(1); // an opted-out sender gets no HELP answer
    const service = sim.messagingServices.get(serviceSid)!;
    service.optOutReplies = { START: "Acme Realty: texts are back on. Reply STOP to opt out." };
    await sim.inboundText({ from: LEAD, to: TEAM, body: "start" });
    expect(replies().at(-1)!.body).toBe("Acme Realty: texts are back on. Reply STOP to opt out.");
    service.optOutReplies = undefined;

    account.stopFiltering = false;
    sim.messages.clear();
    hooks.hooks.splice(0);
    await sim.inboundText({ from: LEAD, to: TEAM, body: "STOP" });
    expect(replies()).toHaveLength(0);
    expect(hooks.at("/inbound")[0]!.params.OptOutType).toBeUndefined();
    expect(sim.optOuts(SID).has(LEAD)).toBe(false);
    const sent = await rest().post("/Messages.json", {
      To: LEAD,
      MessagingServiceSid: serviceSid,
      Body: "You are opted out.",
    });
    expect(sent.status).toBe(201);
  });

  it("a landline's text ends undelivered with 30006", async () => {
    sim.textOutcome("+12125550111", { status: "undelivered", errorCode: 30006 });
    await rest().post("/Messages.json", { To: "+12125550111", MessagingServiceSid: serviceSid, Body: "Hi" });
    const last = await eventually(
      () => hooks.at("/status").find((h) => h.params.MessageStatus === "undelivered"),
      "undelivered",
    );
    expect(last.params.ErrorCode).toBe("30006");
  });
});
