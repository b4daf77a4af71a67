// Issue 27: inbound texts. (1) Accepted per second: signed Messaging webhooks (POST /twilio/sms/inbound),
// each a new MessageSid from a lead's number, 20 connections for the load's length; a text is accepted
// when Leadline has stored it and answered 200 (Slack gets it later, from the outbox). (2) Inbound → Slack
// post when the channel is idle: one text at a time, each after Slack's one-message-per-second pace has
// passed, from the request's start until chat.postMessage reaches the fake Slack.
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { twilioSignature } from "../test/helpers/signing.js";
import { type Fakes, FROM, type Instance, PUBLIC } from "./harness.js";
import { DURATION_S, sleep, summarize } from "./lib.js";

const PATH = (ws: number) => `/twilio/sms/inbound?ws=${ws}`;
let serial = 0;
const nextSid = () => `SM${(++serial).toString(16).padStart(8, "0")}${"0".repeat(24)}`;

function signed(fakes: Fakes, ws: number, from: string, body: string) {
  const params = { AccountSid: fakes.account.sid, MessageSid: nextSid(), From: from, To: FROM, Body: body };
  return {
    body: new URLSearchParams(params).toString(),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilioSignature(fakes.account.token, `${PUBLIC}${PATH(ws)}`, params),
    },
  };
}

/** Inbound → Slack post, channel idle: `samples` texts one by one, each after the channel's pace has passed. */
export async function benchInboundLatency(fakes: Fakes, app: Instance, ws: number, phones: string[], samples = 20) {
  const latencies: number[] = [];
  let failures = 0;
  for (let i = 0; i < samples; i += 1) {
    const request = signed(fakes, ws, phones[i % phones.length]!, `bench idle text ${i}`);
    const posted = fakes.answersFor(["chat.postMessage"], 10_000);
    const started = performance.now();
    const res = await fetch(`${app.url}${PATH(ws)}`, { method: "POST", ...request });
    await res.arrayBuffer();
    try {
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      latencies.push((await posted) - started);
    } catch {
      failures += 1;
    }
    await sleep(1_100); // Slack's pace per channel: the next text finds the channel idle.
  }
  return { ...summarize(latencies), failures };
}

/** Accepted inbound texts per second under load (each a new SID, signed as Twilio signs it). */
export async function benchInboundRate(fakes: Fakes, app: Instance, ws: number, phones: string[]) {
  let i = 0;
  const result = await autocannon({
    url: app.url,
    connections: 20,
    duration: DURATION_S,
    requests: [
      {
        method: "POST",
        path: PATH(ws),
        setupRequest: (req) => {
          const request = signed(fakes, ws, phones[i++ % phones.length]!, `bench text ${i}`);
          return { ...req, method: "POST", path: PATH(ws), body: request.body, headers: request.headers };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    total: result.requests.total,
  };
}

/** `n` inbound texts one after another (for counting what each costs). */
export async function benchInboundCount(fakes: Fakes, app: Instance, ws: number, phones: string[], n: number) {
  for (let i = 0; i < n; i += 1) {
    const request = signed(fakes, ws, phones[i % phones.length]!, `bench counted text ${i}`);
    const res = await fetch(`${app.url}${PATH(ws)}`, { method: "POST", ...request });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`inbound text answered ${res.status}`);
  }
  return { total: n };
}
