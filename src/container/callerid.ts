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
}

export function createCallerIdDomain(core: Core): CallerIdDomain {
  const { config, events, log } = core;
  const store = createCallerIdStore(core.database);
  subscribeCallerIdNotices({
    events,
    settings: core.settings,
    slackFor: core.slackFor,
    leadsChannel: config.LEADS_CHANNEL_ID,
    log,
  });
  return {
    callerId: createCallerId({ store, events, log }),
    callerIdPool: createCallerIdPool({
      store,
      twilioFor: core.twilioFor,
      audit: core.audit,
      events,
      voiceUrl: (ws) => inboundVoiceUrl(config.PUBLIC_BASE_URL, ws),
    }),
  };
}
