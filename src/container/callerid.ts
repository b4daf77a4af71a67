import { subscribeCallerIdNotices } from "../presenters/caller-id-notices.js";
import { type CallerId, createCallerId } from "../services/callerid/callerid-service.js";
import { createCallerIdStore } from "../services/callerid/callerid-store.js";
import { type CallerIdPool, createCallerIdPool } from "../services/callerid/pool-admin.js";
import { inboundVoiceUrl } from "../services/inbound/inbound-service.js";
import type { Core } from "./core.js";

/** Local caller ID: the pool of the account's numbers, the picker every call path uses, and the admins' notices. */
export interface CallerIdDomain {
  callerId: CallerId;
  callerIdPool: CallerIdPool;
  /** Reads every pool from Twilio now and then (numbers released or pointed elsewhere in Twilio's Console). */
  callerIdRefresh: { start(): void; stop(): void };
}

/** How often every workspace's pool is read from Twilio again. */
const POOL_REFRESH_MS = 15 * 60_000;

export function createCallerIdDomain(core: Core): CallerIdDomain {
  const { config, events, log, tasks, clock } = core;
  const store = createCallerIdStore(core.database);
  subscribeCallerIdNotices({
    events,
    settings: core.settings,
    slackFor: core.slackFor,
    leadsChannel: config.LEADS_CHANNEL_ID,
    log,
  });
  const callerIdPool = createCallerIdPool({
    store,
    twilioFor: core.twilioFor,
    audit: core.audit,
    events,
    log,
    voiceUrl: (ws) => inboundVoiceUrl(config.PUBLIC_BASE_URL, ws),
    // The route texts from Twilio reach (src/http/twilio-sms.ts), as the Messaging Service's inbound URL.
    smsUrl: (ws) => (config.PUBLIC_BASE_URL ? `${config.PUBLIC_BASE_URL}/twilio/sms/inbound?ws=${ws}` : undefined),
  });
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  return {
    callerId: createCallerId({ store, events, log }),
    callerIdPool,
    callerIdRefresh: {
      start() {
        timer = setInterval(() => {
          if (busy) return;
          busy = true;
          tasks.run(() =>
            callerIdPool.refreshAll(clock.callingNow()).finally(() => {
              busy = false;
            }),
          );
        }, POOL_REFRESH_MS);
        timer.unref();
      },
      stop() {
        if (timer) clearInterval(timer);
      },
    },
  };
}
