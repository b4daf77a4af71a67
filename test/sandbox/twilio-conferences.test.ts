import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTwilioSimulator, type TwilioSimulator } from "../../sandbox/twilio/simulator.js";
import { eventually } from "../helpers/app.js";
import { type Hook, type Receiver, restClient, startReceiver } from "../helpers/twilio-receiver.js";

// Conferences and Participants as the simulated Twilio plays them: the agent's leg joins by TwiML
// (after pressing a key), leads are added through the REST API, and every callback is signed.

const SID = "AC00000000000000000000000000000c0f";
const TOKEN = "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0";
const TEAM = "+13055550100";
const AGENT = "+12125550111";
const LEAD = "+17865550123";
const BUSY_LEAD = "+17865550102";

const events = (hooks: Hook[]) => hooks.map((hook) => hook.params.StatusCallbackEvent);

describe("the simulated Twilio's conferences", () => {
  let sim: TwilioSimulator;
  let app: Receiver;
  const rest = () => restClient(sim.url, SID, TOKEN);
  const run = `run-${Date.now()}`;

  const agentDocs = (name: string) => ({
    "/agent": (_params: Record<string, string>, url: string) =>
      `<Response><Gather numDigits="1" timeout="6" action="${url}/join"><Say>Press 1 to start calling.</Say></Gather><Say>No key pressed. Goodbye.</Say></Response>`,
    "/join": (_params: Record<string, string>, url: string) =>
      `<Response><Dial action="${url}/after"><Conference waitUrl="" beep="false" startConferenceOnEnter="true" endConferenceOnExit="true" participantLabel="agent" statusCallback="${url}/conference" statusCallbackEvent="start end join leave mute hold modify">${name}</Conference></Dial></Response>`,
    "/after": "<Response><Say>The run is over.</Say></Response>",
  });

  /** The agent's phone rings, the agent presses 1 and joins the run's conference; resolves to the call SID. */
  async function agentJoins(name: string): Promise<string> {
    const created = await rest().post("/Calls.json", { To: AGENT, From: TEAM, Url: `${app.url}/agent` });
    expect(created.status).toBe(201);
    const callSid = created.body.sid as string;
    await eventually(
      () => app.at("/conference").find((h) => h.params.CallSid === callSid && h.params.FriendlyName === name),
      "the agent's participant-join",
    );
    return callSid;
  }

  beforeAll(async () => {
    sim = await startTwilioSimulator({ pace: 0.02 });
    sim.addAccount({ sid: SID, authToken: TOKEN, numbers: new Set([TEAM]) });
    app = await startReceiver(() => TOKEN, agentDocs(run));
    sim.answerAs(AGENT, "presses-1");
  });
  afterAll(async () => {
    await sim.close();
    await app.close();
  });
  afterEach(() => {
    app.hooks.length = 0;
  });

  it("the agent presses 1 and waits in silence; a lead is dialled in, talks, hangs up; the agent stays", async () => {
    const agent = await agentJoins(run);
    expect(app.at("/join")[0]!.params).toMatchObject({ Digits: "1", CallSid: agent });
    const conference = [...sim.conferences.values()].find((c) => c.friendlyName === run)!;
    expect(conference.status).toBe("init");
    await eventually(
      () => sim.calls.get(agent)!.transcript.includes("hears silence while the conference waits to start"),
      "the agent to hear silence",
    );

    const added = await rest().post(`/Conferences/${conference.sid}/Participants.json`, {
      From: TEAM,
      To: LEAD,
      Label: "lead",
      EarlyMedia: "false",
      StatusCallback: `${app.url}/lead-status`,
      StatusCallbackEvent: "initiated ringing answered completed",
    });
    expect(added.status).toBe(201);
    const leadSid = added.body.call_sid as string;
    expect(added.body).toEqual({
      account_sid: SID,
      call_sid: leadSid,
      label: "lead",
      call_sid_to_coach: null,
      coaching: false,
      conference_sid: conference.sid,
      date_created: expect.stringMatching(/\+0000$/),
      date_updated: expect.stringMatching(/\+0000$/),
      end_conference_on_exit: false,
      muted: false,
      hold: false,
      start_conference_on_enter: true,
      status: "queued",
      queue_time: "0",
      uri: `/2010-04-01/Accounts/${SID}/Conferences/${conference.sid}/Participants/${leadSid}.json`,
    });

    await eventually(() => app.at("/lead-status").some((h) => h.params.CallStatus === "completed"), "the lead's end");
    const leadStatus = app.at("/lead-status");
    expect(leadStatus.map((h) => h.params.CallStatus)).toEqual(["initiated", "ringing", "in-progress", "completed"]);
    expect(leadStatus.every((h) => h.signed && h.params.CallSid === leadSid && h.params.From === TEAM)).toBe(true);

    await eventually(
      () =>
        app
          .at("/conference")
          .some((h) => h.params.CallSid === leadSid && h.params.StatusCallbackEvent === "participant-leave"),
      "the lead's leave",
    );
    const roomEvents = app.at("/conference");
    expect(events(roomEvents)).toEqual([
      "participant-join",
      "participant-join",
      "conference-start",
      "participant-leave",
    ]);
    expect(roomEvents.every((h) => h.signed && h.params.ConferenceSid === conference.sid)).toBe(true);
    expect(roomEvents.map((h) => Number(h.params.SequenceNumber))).toEqual([1, 2, 3, 4]);
    expect(roomEvents[0]!.params).toMatchObject({
      CallSid: agent,
      FriendlyName: run,
      AccountSid: SID,
      EndConferenceOnExit: "true",
      StartConferenceOnEnter: "true",
      Muted: "false",
      Hold: "false",
      Coaching: "false",
      ParticipantLabel: "agent",
    });
    expect(roomEvents[3]!.params).toMatchObject({
      CallSid: leadSid,
      ReasonParticipantLeft: "participant_hung_up",
      ParticipantCallStatus: "completed",
      ParticipantLabel: "lead",
    });
    expect(conference.status).toBe("in-progress");
    expect([...conference.participants.keys()]).toEqual([agent]);
    expect(sim.calls.get(agent)!.status).toBe("in-progress");
    expect((await rest().get(`/Conferences/${conference.sid}/Participants/${leadSid}.json`)).status).toBe(404);

    // A lead who does not pick up leaves with participant_add_failed; the agent is still in the room.
    const busy = await rest().post(`/Conferences/${conference.sid}/Participants.json`, {
      From: TEAM,
      To: BUSY_LEAD,
      StatusCallback: `${app.url}/busy-status`,
    });
    const busySid = busy.body.call_sid as string;
    await eventually(() => app.at("/conference").find((h) => h.params.CallSid === busySid), "the busy lead's leave");
    expect(app.at("/conference").find((h) => h.params.CallSid === busySid)!.params).toMatchObject({
      StatusCallbackEvent: "participant-leave",
      ReasonParticipantLeft: "participant_add_failed",
      ParticipantCallStatus: "busy",
    });
    expect(app.at("/busy-status").map((h) => [h.params.CallStatus, h.params.SipResponseCode])).toEqual([
      ["busy", "486"],
    ]);
    expect(conference.status).toBe("in-progress");

    // The agent hangs up: their leg had endConferenceOnExit, so the conference ends.
    sim.hangUp(agent);
    await eventually(
      () => app.at("/conference").some((h) => h.params.StatusCallbackEvent === "conference-end"),
      "the end",
    );
    const end = app.at("/conference").slice(-2);
    expect(end.map((h) => h.params)).toMatchObject([
      { StatusCallbackEvent: "participant-leave", CallSid: agent, ReasonParticipantLeft: "participant_hung_up" },
      {
        StatusCallbackEvent: "conference-end",
        ReasonConferenceEnded: "participant-with-end-conference-on-exit-left",
        CallSidEndingConference: agent,
        ParticipantLabelEndingConference: "agent",
      },
    ]);
    expect(conference.status).toBe("completed");
    await eventually(() => sim.calls.get(agent)!.status === "completed", "the agent's call to end");
    expect(app.at("/after")).toEqual([]);
    const late = await rest().post(`/Conferences/${conference.sid}/Participants.json`, { From: TEAM, To: LEAD });
    expect(late).toEqual({
      status: 400,
      body: {
        code: 16022,
        message: "Conference does not exist or is completed",
        more_info: "https://www.twilio.com/docs/errors/16022",
        status: 400,
      },
    });
    expect((await rest().post(`/Conferences/${conference.sid}.json`, { Status: "completed" })).body).toMatchObject({
      code: 16022,
    });
    expect((await rest().get(`/Conferences/${conference.sid}.json`)).body).toMatchObject({
      status: "completed",
      reason_conference_ended: "participant-with-end-conference-on-exit-left",
      call_sid_ending_conference: agent,
    });
  });

  it("a voicemail box that answers the agent's phone never presses a key, so it never joins", async () => {
    // …0106 presses 1 by its scenario (it would join); answerAs makes it a voicemail box.
    const voicemailAgent = "+12125550106";
    sim.answerAs(voicemailAgent, "voicemail");
    const created = await rest().post("/Calls.json", { To: voicemailAgent, From: TEAM, Url: `${app.url}/agent` });
    const callSid = created.body.sid as string;
    await eventually(() => sim.calls.get(callSid)!.status === "completed", "the call to end");
    expect(app.at("/join")).toEqual([]);
    const transcript = sim.calls.get(callSid)!.transcript;
    expect(transcript[0]).toBe(`call created to ${voicemailAgent} (a voicemail box answers and never presses a key)`);
    expect(transcript).toContain('says: "No key pressed. Goodbye."');
    expect(transcript.some((line) => line.startsWith("presses"))).toBe(false);
    expect([...sim.conferences.values()].some((c) => c.participants.has(callSid))).toBe(false);
  });

  it("a <Gather> with actionOnEmptyResult asks its action without Digits when nobody presses", async () => {
    const receiver = await startReceiver(() => TOKEN, {
      "/menu": (_p, url) =>
        `<Response><Gather numDigits="1" timeout="3" actionOnEmptyResult="true" action="${url}/picked"><Say>Press 1.</Say></Gather><Say>Not reached.</Say></Response>`,
      "/picked": "<Response><Say>Nothing pressed.</Say></Response>",
    });
    try {
      const person = "+12125550113";
      sim.answerAs(person, "person");
      const created = await rest().post("/Calls.json", { To: person, From: TEAM, Url: `${receiver.url}/menu` });
      const callSid = created.body.sid as string;
      await eventually(() => sim.calls.get(callSid)!.status === "completed", "the call to end");
      const picked = receiver.at("/picked");
      expect(picked).toHaveLength(1);
      expect(picked[0]!.signed).toBe(true);
      expect(picked[0]!.params.Digits).toBeUndefined();
      expect(sim.calls.get(callSid)!.transcript).toContain('says: "Nothing pressed."');
      expect(sim.calls.get(callSid)!.transcript).not.toContain('says: "Not reached."');

      // A person who keys 4, 2 at a numDigits="1" menu sends only the 4.
      const keyer = "+12125550114";
      sim.answerAs(keyer, { outcome: "human", presses: "42", talkSec: 1, describe: "keys 4 2" });
      const keyed = await rest().post("/Calls.json", { To: keyer, From: TEAM, Url: `${receiver.url}/menu` });
      await eventually(() => sim.calls.get(keyed.body.sid as string)!.status === "completed", "the keyed call to end");
      expect(receiver.at("/picked").map((hook) => hook.params.Digits)).toEqual([undefined, "4"]);
    } finally {
      await receiver.close();
    }
  });

  it("mutes, holds, coaches and kicks participants, with their events; ending it through the API finishes the agent's <Dial>", async () => {
    const name = `${run}-b`;
    const receiver = await startReceiver(() => TOKEN, agentDocs(name));
    const stays = { outcome: "human" as const, talkSec: 600, describe: "stays on the line" };
    const lead = "+17865550131";
    const supervisor = "+12125550199";
    sim.answerAs(lead, stays);
    sim.answerAs(supervisor, stays);
    try {
      const created = await rest().post("/Calls.json", { To: AGENT, From: TEAM, Url: `${receiver.url}/agent` });
      const agent = created.body.sid as string;
      await eventually(() => receiver.at("/conference").find((h) => h.params.CallSid === agent), "the agent's join");
      const conference = [...sim.conferences.values()].find((c) => c.friendlyName === name)!;
      const path = `/Conferences/${conference.sid}/Participants`;
      const leadSid = (await rest().post(`${path}.json`, { From: TEAM, To: lead, Label: "lead" })).body
        .call_sid as string;
      await eventually(() => conference.participants.get(leadSid)?.joinedAt, "the lead to join");

      expect((await rest().post(`${path}/lead.json`, { Muted: "true" })).body).toMatchObject({
        muted: true,
        call_sid: leadSid,
      });
      expect((await rest().post(`${path}/${leadSid}.json`, { Hold: "True" })).body).toMatchObject({ hold: true });
      const listed = await rest().get(`${path}.json?Muted=true`);
      expect((listed.body.participants as { call_sid: string }[]).map((p) => p.call_sid)).toEqual([leadSid]);

      const whisper = await rest().post(`${path}.json`, {
        From: TEAM,
        To: supervisor,
        Muted: "false",
        Coaching: "true",
        CallSidToCoach: agent,
      });
      expect(whisper.body).toMatchObject({ coaching: true, call_sid_to_coach: agent });
      const supervisorSid = whisper.body.call_sid as string;
      await eventually(() => conference.participants.get(supervisorSid)?.joinedAt, "the supervisor to join");
      expect((await rest().post(`${path}/${supervisorSid}.json`, { Coaching: "false" })).body).toMatchObject({
        coaching: false,
        call_sid_to_coach: null,
      });

      expect(await rest().delete(`${path}/lead.json`)).toEqual({ status: 204, body: null });
      await eventually(() => sim.calls.get(leadSid)!.status === "completed", "the kicked lead's call to end");
      await eventually(
        () =>
          receiver
            .at("/conference")
            .some((h) => h.params.CallSid === leadSid && h.params.StatusCallbackEvent === "participant-leave"),
        "the kick's leave",
      );
      const leadEvents = receiver.at("/conference").filter((h) => h.params.CallSid === leadSid);
      expect(events(leadEvents)).toEqual([
        "participant-join",
        "participant-mute",
        "participant-hold",
        "participant-leave",
      ]);
      expect(leadEvents[3]!.params).toMatchObject({
        ReasonParticipantLeft: "participant_updated_via_api",
        ParticipantCallStatus: "completed",
      });
      expect(events(receiver.at("/conference").filter((h) => h.params.CallSid === supervisorSid))).toEqual([
        "participant-join",
        "participant-modify",
      ]);

      expect((await rest().post(`/Conferences/${conference.sid}.json`, { Status: "completed" })).body).toMatchObject({
        status: "completed",
        reason_conference_ended: "conference-ended-via-api",
      });
      await eventually(() => receiver.at("/after").length === 1, "the agent's Dial action");
      expect(receiver.at("/after")[0]!.params).toMatchObject({ CallSid: agent, DialCallStatus: "completed" });
      await eventually(
        () => sim.calls.get(agent)!.transcript.includes('says: "The run is over."'),
        "the TwiML after the Dial",
      );
      await eventually(() => sim.calls.get(supervisorSid)!.status === "completed", "the supervisor's call to end");
      await eventually(
        () => receiver.at("/conference").some((h) => h.params.StatusCallbackEvent === "conference-end"),
        "the conference-end event",
      );
      const last = receiver.at("/conference").slice(-3);
      expect(
        last.map((h) => [
          h.params.StatusCallbackEvent,
          h.params.CallSid ?? null,
          h.params.ReasonParticipantLeft ?? null,
        ]),
      ).toEqual([
        ["participant-leave", agent, "conference_ended_via_api"],
        ["participant-leave", supervisorSid, "conference_ended_via_api"],
        ["conference-end", null, null],
      ]);
      expect(last[2]!.params.ReasonConferenceEnded).toBe("conference-ended-via-api");
      expect(receiver.hooks.every((h) => h.signed)).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});

describe("Participants create refuses what Twilio refuses", () => {
  let sim: TwilioSimulator;
  const rest = () => restClient(sim.url, SID, TOKEN);
  const refusal = (status: number, code: number, message: string) => ({
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  });

  beforeAll(async () => {
    sim = await startTwilioSimulator({ pace: 0.02, callFlow: "hold" });
    sim.addAccount({ sid: SID, authToken: TOKEN, numbers: new Set([TEAM]) });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("opens a room by friendly name, holds its legs queued until played, and lists conferences", async () => {
    const created = await rest().post("/Conferences/AgentConf12/Participants.json", {
      From: TEAM,
      To: LEAD,
      Label: "first",
    });
    expect(created.status).toBe(201);
    const conference = [...sim.conferences.values()].find((c) => c.friendlyName === "AgentConf12")!;
    expect(created.body.conference_sid).toBe(conference.sid);
    expect(conference.events).toEqual(new Set(["start", "end"]));
    const leg = sim.calls.get(created.body.call_sid as string)!;
    expect(leg.status).toBe("queued");
    expect(await rest().get("/Conferences/AgentConf12/Participants.json")).toEqual(
      refusal(405, 20004, "Method not allowed"),
    );
    const listed = await rest().get("/Conferences.json?FriendlyName=AgentConf12&Status=init");
    expect((listed.body.conferences as { sid: string }[]).map((c) => c.sid)).toEqual([conference.sid]);
    expect(listed.body).toMatchObject({ page: 0, page_size: 50, next_page_uri: null });
    expect((await rest().get("/Conferences.json?Status=completed")).body.conferences).toEqual([]);

    sim.play(leg.sid);
    await eventually(() => conference.participants.get(leg.sid)?.joinedAt, "the played leg to join");
    expect((await rest().get(`/Conferences/${conference.sid}/Participants/first.json`)).body).toMatchObject({
      status: "connected",
    });
  });

  it("answers each bad request with Twilio's code and words, and adds nobody", async () => {
    const room = await rest().post("/Conferences/Refusals/Participants.json", {
      From: TEAM,
      To: LEAD,
      Label: "taken",
      MaxParticipants: "2",
    });
    const cf = room.body.conference_sid as string;
    const add = (params: Record<string, string>) => rest().post(`/Conferences/${cf}/Participants.json`, params);
    const before = sim.calls.size;
    expect(await add({ From: TEAM })).toEqual(refusal(400, 21201, "No 'To' number is specified"));
    expect(await add({ To: LEAD })).toEqual(refusal(400, 21213, "No 'From' number is specified"));
    expect(await add({ From: "+13055550999", To: LEAD })).toEqual(
      refusal(400, 21210, "The source phone number provided, +13055550999, is not yet verified for your account."),
    );
    expect(await add({ From: "team", To: LEAD })).toEqual(
      refusal(400, 21212, "The 'From' number team is not a valid phone number."),
    );
    expect(await add({ From: TEAM, To: "+15005550002" })).toEqual(
      refusal(400, 21214, "'To' phone number cannot be reached"),
    );
    expect(await add({ From: TEAM, To: "555" })).toEqual(
      refusal(400, 21211, "The 'To' number 555 is not a valid phone number."),
    );
    expect(await add({ From: TEAM, To: LEAD, Colour: "red" })).toEqual(refusal(400, 21205, "Unknown parameter Colour"));
    expect(await add({ From: TEAM, To: LEAD, Label: "taken" })).toEqual(
      refusal(400, 16025, "A participant with label taken already exists in the conference"),
    );
    expect((await add({ From: TEAM, To: LEAD, Label: "a/b" })).body.code).toBe(16023);
    expect((await add({ From: TEAM, To: LEAD, Label: `CA${"1".repeat(32)}` })).body.code).toBe(16023);
    expect(await add({ From: TEAM, To: LEAD, Coaching: "true" })).toEqual(
      refusal(400, 16002, "CallSidToCoach is required when Coaching is true"),
    );
    expect(await add({ From: TEAM, To: LEAD, CallSidToCoach: `CA${"2".repeat(32)}` })).toEqual(
      refusal(400, 16028, "Participant to be whispered is not present in the conference"),
    );
    expect(await add({ From: TEAM, To: LEAD, Beep: "loud" })).toEqual(
      refusal(400, 16002, "Beep must be true, false, onEnter or onExit, not loud"),
    );
    expect((await add({ From: TEAM, To: LEAD, Timeout: "4" })).body.code).toBe(16002);
    expect(sim.calls.size).toBe(before);
    expect((await add({ From: TEAM, To: LEAD })).status).toBe(201);
    expect(await add({ From: TEAM, To: LEAD })).toEqual(refusal(400, 16020, "Conference is full"));
    expect(await rest().post(`/Conferences/CF${"9".repeat(32)}/Participants.json`, { From: TEAM, To: LEAD })).toEqual(
      refusal(404, 20404, "The requested resource was not found"),
    );
    expect(await rest().post(`/Conferences/${cf}.json`, { Status: "in-progress" })).toEqual(
      refusal(400, 16002, "Invalid Status in-progress"),
    );
  });

  it("injected failures answer a named operation with the error body, once", async () => {
    sim.faults.failNext.set("createParticipant", {
      status: 400,
      code: 21215,
      message: "Account not authorized to call",
      count: 1,
    });
    const refused = await rest().post("/Conferences/Injected/Participants.json", { From: TEAM, To: LEAD });
    expect(refused).toEqual(refusal(400, 21215, "Account not authorized to call"));
    expect([...sim.conferences.values()].some((c) => c.friendlyName === "Injected")).toBe(false);
    expect((await rest().post("/Conferences/Injected/Participants.json", { From: TEAM, To: LEAD })).status).toBe(201);
  });
});
