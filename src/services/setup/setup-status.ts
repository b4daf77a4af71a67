import type { Clock } from "../../lib/clock.js";
import { type DncService, REGISTRY_MAX_AGE_DAYS } from "../compliance/dnc-service.js";
import type { InboundNumber, InboundNumberState } from "./inbound-number.js";
import type { SettingKey, SettingsService, TwilioSettings } from "./settings.js";

/** Asking Twilio about the team's number takes a moment: at most this long, then the status says it could not tell. */
const INBOUND_WAIT_MS = 1_500;

export interface SetupStatusData {
  settings: TwilioSettings;
  unreadable: SettingKey[];
  registry: Awaited<ReturnType<DncService["registryAge"]>> & { maxDays: number };
  inbound?: InboundNumberState;
}

export interface SetupStatus {
  /** What `/twilio-setup status` shows: the settings, unreadable secrets, the registry's age, inbound routing. */
  read(ws: number): Promise<SetupStatusData>;
}

export function createSetupStatus(deps: {
  settings: Pick<SettingsService, "get" | "unreadable">;
  dnc: Pick<DncService, "registryAge">;
  inboundNumber: Pick<InboundNumber, "state">;
  clock: Clock;
}): SetupStatus {
  return {
    async read(ws) {
      const settings = await deps.settings.get(ws);
      const [unreadable, registry] = await Promise.all([
        deps.settings.unreadable(ws),
        deps.dnc.registryAge(ws, deps.clock.now()),
      ]);
      let timer: NodeJS.Timeout | undefined;
      const inbound = settings.accountSid
        ? await Promise.race([
            deps.inboundNumber.state(ws),
            new Promise<InboundNumberState>((resolve) => {
              timer = setTimeout(
                () => resolve({ kind: "unknown", why: "Twilio did not answer in time" }),
                INBOUND_WAIT_MS,
              );
            }),
          ])
        : undefined;
      clearTimeout(timer);
      return { settings, unreadable, registry: { ...registry, maxDays: REGISTRY_MAX_AGE_DAYS }, inbound };
    },
  };
}
