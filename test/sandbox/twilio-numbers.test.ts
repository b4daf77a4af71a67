import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InboundRefused,
  SAMPLE_NUMBERS,
  sidFrom,
  startTwilioSimulator,
  TRUST_POLICIES,
  type TwilioSimulator,
} from "../../sandbox/twilio/simulator.js";
import { eventually } from "../helpers/app.js";
import { restClient, startReceiver } from "../helpers/twilio-receiver.js";

// Several numbers per account (IncomingPhoneNumbers list, update, release) and the Trust Hub
// resources that say whether each number is registered for SHAKEN/STIR and CNAM.

const SID = "AC000000000000000000000000000000aa";
const TOKEN = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const OTHER = "AC000000000000000000000000000000bb";
const MIAMI = "+13055550100";
const MIAMI_786 = "+17865550100";
const TEXTLESS = "+12015550177";
const pn = (number: string) => sidFrom("PN", number);
const refusal = (status: number, code: number, message: string) => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

describe("the simulated Twilio's numbers and Trust Hub", () => {
  let sim: TwilioSimulator;
  const rest = () => restClient(sim.url, SID, TOKEN);
  const numbers = (body: Record<string, unknown>) =>
    (body.incoming_phone_numbers as { phone_number: string }[]).map((n) => n.phone_number);

  beforeAll(async () => {
    sim = await startTwilioSimulator({ pace: 0.02 });
    sim.addAccount({ sid: SID, authToken: TOKEN });
    for (const number of SAMPLE_NUMBERS) sim.addNumber(SID, number);
    sim.addNumber(SID, { phoneNumber: TEXTLESS, friendlyName: "Front desk", capabilities: { sms: false } });
    sim.addAccount({ sid: OTHER, authToken: "b".repeat(32), numbers: new Set(["+13125550177"]) });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("lists the account's numbers a page at a time, by part of the number and by friendly name", async () => {
    const all = await rest().get("/IncomingPhoneNumbers.json");
    expect(numbers(all.body)).toEqual([...SAMPLE_NUMBERS, TEXTLESS]);
    const first = await rest().get("/IncomingPhoneNumbers.json?PageSize=4");
    expect(numbers(first.body)).toEqual(SAMPLE_NUMBERS.slice(0, 4));
    const next = first.body.next_page_uri as string;
    expect(next).toBe(`/2010-04-01/Accounts/${SID}/IncomingPhoneNumbers.json?PageSize=4&Page=1`);
    const second = await fetch(`${sim.url}${next}`, {
      headers: { authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString("base64")}` },
    }).then((res) => res.json() as Promise<Record<string, unknown>>);
    expect(numbers(second)).toEqual(SAMPLE_NUMBERS.slice(4, 8));
    expect(numbers((await rest().get("/IncomingPhoneNumbers.json?PageSize=4&Page=2")).body)).toEqual([TEXTLESS]);

    expect(
      numbers((await rest().get(`/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(MIAMI)}`)).body),
    ).toEqual([MIAMI]);
    expect(numbers((await rest().get("/IncomingPhoneNumbers.json?PhoneNumber=%2B1305")).body)).toEqual([MIAMI]);
    expect(numbers((await rest().get("/IncomingPhoneNumbers.json?PhoneNumber=786555**00")).body)).toEqual([MIAMI_786]);
    expect(numbers((await rest().get("/IncomingPhoneNumbers.json?PhoneNumber=%2B1999")).body)).toEqual([]);
    const desk = await rest().get("/IncomingPhoneNumbers.json?FriendlyName=Front%20desk");
    expect(desk.body.incoming_phone_numbers).toMatchObject([
      {
        phone_number: TEXTLESS,
        friendly_name: "Front desk",
        capabilities: { voice: true, sms: false, mms: false, fax: false },
      },
    ]);
    const other = restClient(sim.url, OTHER, "b".repeat(32));
    expect(numbers((await other.get("/IncomingPhoneNumbers.json")).body)).toEqual(["+13125550177"]);
  });

  it("updates a number's URLs, methods and name, refuses a bad URL, and routes calls to its new Voice URL", async () => {
    const path = `/IncomingPhoneNumbers/${pn(MIAMI_786)}.json`;
    expect((await rest().get(path)).body).toMatchObject({
      sid: pn(MIAMI_786),
      phone_number: MIAMI_786,
      friendly_name: "(786) 555-0100",
      voice_url: null,
      voice_method: "POST",
      sms_url: "",
      status_callback: "",
      account_sid: SID,
    });
    const receiver = await startReceiver(() => TOKEN, { "/voice": "<Response><Say>Hello from 786.</Say></Response>" });
    try {
      const updated = await rest().post(path, {
        VoiceUrl: `${receiver.url}/voice`,
        VoiceMethod: "post",
        SmsUrl: `${receiver.url}/sms`,
        SmsMethod: "GET",
        StatusCallback: `${receiver.url}/number-status`,
        FriendlyName: "Miami pool 2",
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        voice_url: `${receiver.url}/voice`,
        voice_method: "POST",
        sms_url: `${receiver.url}/sms`,
        sms_method: "GET",
        status_callback: `${receiver.url}/number-status`,
        friendly_name: "Miami pool 2",
      });
      expect(await rest().post(path, { SmsUrl: "ftp://example.com/sms" })).toEqual(
        refusal(400, 21502, "SmsUrl is not valid"),
      );
      expect(await rest().post(path, { VoiceUri: "https://example.com" })).toEqual(
        refusal(400, 21205, "Unknown parameter VoiceUri"),
      );
      expect((await rest().get(`/IncomingPhoneNumbers/${pn("+19995550100")}.json`)).status).toBe(404);

      const call = sim.inbound({ accountSid: SID, from: "+17865550199", to: MIAMI_786 });
      await eventually(() => call.status === "completed", "the inbound call to end");
      expect(receiver.at("/voice")).toMatchObject([{ signed: true, params: { To: MIAMI_786, Direction: "inbound" } }]);
      expect(call.transcript).toContain('says: "Hello from 786."');
    } finally {
      await receiver.close();
    }
  });

  it("reports SHAKEN/STIR and CNAM registrations and which numbers each covers", async () => {
    const profile = sim.addCustomerProfile(SID, {
      policy: "primaryCustomerProfile",
      friendlyName: "Leadline Realty",
      status: "twilio-approved",
      phoneNumbers: [MIAMI, MIAMI_786, TEXTLESS],
    });
    const shaken = sim.addTrustProduct(SID, {
      policy: "shakenStir",
      friendlyName: "SHAKEN/STIR",
      status: "twilio-approved",
      phoneNumbers: [MIAMI, MIAMI_786],
    });
    const cnam = sim.addTrustProduct(SID, {
      policy: "cnam",
      friendlyName: "CNAM",
      status: "pending-review",
      phoneNumbers: [MIAMI],
    });
    sim.addTrustProduct(OTHER, { policy: "shakenStir", status: "twilio-approved", phoneNumbers: ["+13125550177"] });

    const products = await rest().get("/v1/TrustProducts");
    expect(products.status).toBe(200);
    expect((products.body.results as { sid: string }[]).map((p) => p.sid)).toEqual([shaken.sid, cnam.sid]);
    expect((products.body.results as unknown[])[0]).toEqual({
      sid: shaken.sid,
      account_sid: SID,
      policy_sid: TRUST_POLICIES.shakenStir,
      friendly_name: "SHAKEN/STIR",
      status: "twilio-approved",
      email: "compliance@example.com",
      status_callback: null,
      valid_until: null,
      date_created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      date_updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      url: `${sim.url}/v1/TrustProducts/${shaken.sid}`,
      links: {
        trust_products_entity_assignments: `${sim.url}/v1/TrustProducts/${shaken.sid}/EntityAssignments`,
        trust_products_evaluations: `${sim.url}/v1/TrustProducts/${shaken.sid}/Evaluations`,
        trust_products_channel_endpoint_assignment: `${sim.url}/v1/TrustProducts/${shaken.sid}/ChannelEndpointAssignments`,
      },
      errors: null,
    });
    expect(products.body.meta).toMatchObject({ page: 0, page_size: 50, next_page_url: null, key: "results" });
    const cnamOnly = await rest().get(`/v1/TrustProducts?PolicySid=${TRUST_POLICIES.cnam}`);
    expect(cnamOnly.body.results).toMatchObject([{ sid: cnam.sid, status: "pending-review" }]);

    const assigned = await rest().get(`/v1/TrustProducts/${shaken.sid}/ChannelEndpointAssignments`);
    const endpoints = (assigned.body.results as { channel_endpoint_sid: string }[]).map((a) => a.channel_endpoint_sid);
    expect(endpoints).toEqual([pn(MIAMI), pn(MIAMI_786)]);
    const listed = await rest().get(`/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(MIAMI)}`);
    expect((listed.body.incoming_phone_numbers as { sid: string }[])[0]!.sid).toBe(endpoints[0]);
    const one = await rest().get(
      `/v1/TrustProducts/${shaken.sid}/ChannelEndpointAssignments?ChannelEndpointSid=${pn(MIAMI_786)}`,
    );
    const assignment = (one.body.results as Record<string, unknown>[])[0]!;
    expect(assignment).toEqual({
      sid: expect.stringMatching(/^RA[0-9a-f]{32}$/),
      trust_product_sid: shaken.sid,
      account_sid: SID,
      channel_endpoint_sid: pn(MIAMI_786),
      channel_endpoint_type: "phone-number",
      date_created: expect.any(String),
      url: `${sim.url}/v1/TrustProducts/${shaken.sid}/ChannelEndpointAssignments/${assignment.sid as string}`,
    });
    expect(
      (await rest().get(`/v1/TrustProducts/${shaken.sid}/ChannelEndpointAssignments/${assignment.sid as string}`))
        .status,
    ).toBe(200);

    const profiles = await rest().get("/v1/CustomerProfiles?Status=twilio-approved");
    expect(profiles.body.results).toMatchObject([
      { sid: profile.sid, policy_sid: TRUST_POLICIES.primaryCustomerProfile },
    ]);
    expect(
      (await rest().get(`/v1/CustomerProfiles/${profile.sid}/ChannelEndpointAssignments`)).body.results,
    ).toHaveLength(3);
    expect((await rest().get(`/v1/CustomerProfiles/${shaken.sid}`)).status).toBe(404);
    expect((await restClient(sim.url, SID, "wrong").get("/v1/TrustProducts")).status).toBe(401);

    // Twilio's review approves the CNAM registration: the next read says so.
    cnam.status = "twilio-approved";
    expect((await rest().get(`/v1/TrustProducts/${cnam.sid}`)).body).toMatchObject({ status: "twilio-approved" });
  });

  it("a released number is gone: fetch 404, calls and participants from it 21210, no inbound, no Trust Hub assignment", async () => {
    const receiver = await startReceiver(() => TOKEN);
    try {
      const shaken = [...sim.trustBundles.values()].find(
        (b) => b.accountSid === SID && b.policySid === TRUST_POLICIES.shakenStir,
      )!;
      const path = `/IncomingPhoneNumbers/${pn(MIAMI)}.json`;
      expect(await rest().delete(path)).toEqual({ status: 204, body: null });
      expect((await rest().get(path)).status).toBe(404);
      expect(numbers((await rest().get("/IncomingPhoneNumbers.json")).body)).not.toContain(MIAMI);
      const fromReleased = refusal(
        400,
        21210,
        `The source phone number provided, ${MIAMI}, is not yet verified for your account.`,
      );
      const twiml = "<Response><Say>Hi.</Say></Response>";
      expect(await rest().post("/Calls.json", { To: "+12125550123", From: MIAMI, Twiml: twiml })).toEqual(fromReleased);
      expect(await rest().post("/Conferences/run/Participants.json", { To: "+12125550123", From: MIAMI })).toEqual(
        fromReleased,
      );
      expect(await rest().post("/Calls.json", { To: "+12125550123", From: "Miami", Twiml: twiml })).toEqual(
        refusal(400, 21212, "The 'From' number Miami is not a valid phone number."),
      );
      expect(() => sim.inbound({ accountSid: SID, from: "+12125550123", to: MIAMI })).toThrow(InboundRefused);
      const assigned = await rest().get(`/v1/TrustProducts/${shaken.sid}/ChannelEndpointAssignments`);
      expect((assigned.body.results as { channel_endpoint_sid: string }[]).map((a) => a.channel_endpoint_sid)).toEqual([
        pn(MIAMI_786),
      ]);

      // A <Dial> showing the released number as caller ID fails (13214), as Twilio refuses it.
      const dial = `<Response><Dial callerId="${MIAMI}" action="${receiver.url}/dialed"><Number>+12125550123</Number></Dial></Response>`;
      const created = await rest().post("/Calls.json", { To: "+12125550124", From: MIAMI_786, Twiml: dial });
      await eventually(() => receiver.at("/dialed").length === 1, "the Dial's action");
      expect(receiver.at("/dialed")[0]!.params).toMatchObject({ DialCallStatus: "failed", CallSid: created.body.sid });
      expect(sim.calls.get(created.body.sid as string)!.transcript).toContain(
        `Dial: Invalid callerId value ${MIAMI} (13214)`,
      );
    } finally {
      await receiver.close();
    }
  });
});
