import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sidFrom, startTwilioSimulator, type TwilioSimulator } from "../../sandbox/twilio/simulator.js";
import { restClient } from "../helpers/twilio-receiver.js";

// A Messaging Service's sender pool (Messaging v1 Services/{sid}/PhoneNumbers), as the caller-ID pool
// uses it: list, add, and what Twilio refuses; a text that names its From keeps it.

const SID = "AC000000000000000000000000000000cc";
const TOKEN = "c".repeat(32);
const TEAM = "+15005550006";
const MIAMI = "+13055550100";
const MIAMI_786 = "+17865550100";
const TEXTLESS = "+12015550177";
const pn = (number: string) => sidFrom("PN", number);

describe("the simulated Twilio's Messaging Service senders", () => {
  let sim: TwilioSimulator;
  const rest = () => restClient(sim.url, SID, TOKEN);
  const senders = async (service: string) =>
    ((await rest().get(`/v1/Services/${service}/PhoneNumbers`)).body.phone_numbers as { phone_number: string }[]).map(
      (n) => n.phone_number,
    );

  beforeAll(async () => {
    sim = await startTwilioSimulator({ pace: 0.02 });
    sim.addAccount({ sid: SID, authToken: TOKEN });
    for (const number of [TEAM, MIAMI, MIAMI_786]) sim.addNumber(SID, number);
    sim.addNumber(SID, { phoneNumber: TEXTLESS, capabilities: { sms: false, mms: false } });
    sim.holdTexts(true);
  });
  afterAll(async () => {
    await sim.close();
  });

  it("lists a service's senders and adds one by its PN SID; refuses what Twilio refuses", async () => {
    const service = sim.addMessagingService(SID, { senders: [TEAM] }).sid;
    const other = sim.addMessagingService(SID, { friendlyName: "Other", senders: [MIAMI_786] }).sid;
    expect(await senders(service)).toEqual([TEAM]);
    const added = await rest().post(`/v1/Services/${service}/PhoneNumbers`, { PhoneNumberSid: pn(MIAMI) });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({
      sid: pn(MIAMI),
      account_sid: SID,
      service_sid: service,
      phone_number: MIAMI,
      capabilities: ["VOICE", "SMS"],
      url: `${sim.url}/v1/Services/${service}/PhoneNumbers/${pn(MIAMI)}`,
    });
    expect(await senders(service)).toEqual([TEAM, MIAMI]);
    const refused = async (sid: string, code: number) => {
      const res = await rest().post(`/v1/Services/${service}/PhoneNumbers`, { PhoneNumberSid: sid });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(code);
    };
    await refused(pn(MIAMI), 80104);
    await refused(pn(MIAMI_786), 21712);
    await refused(pn(TEXTLESS), 21715);
    await refused(pn("+13125550100"), 21421);
    expect(await senders(service)).toEqual([TEAM, MIAMI]);
    expect(await senders(other)).toEqual([MIAMI_786]);
    expect((await rest().get(`/v1/Services/MG${"0".repeat(32)}/PhoneNumbers`)).status).toBe(404);
  });

  it("a text that names its From with the service keeps that From; without one the service picks", async () => {
    const service = sim.addMessagingService(SID, { senders: [TEAM, MIAMI] }).sid;
    const send = async (from?: string) => {
      const res = await rest().post("/Messages.json", {
        To: "+13055551234",
        MessagingServiceSid: service,
        Body: "Hello",
        ...(from ? { From: from } : {}),
      });
      expect(res.status).toBe(201);
      await sim.deliverText(String(res.body.sid));
      return sim.messages.get(String(res.body.sid))!.from;
    };
    expect(await send(MIAMI)).toBe(MIAMI);
    expect(await send()).toBe(TEAM);
  });
});
