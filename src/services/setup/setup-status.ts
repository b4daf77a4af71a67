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
  /** The Messaging Service's US A2P 10DLC campaign as Twilio reports it (when texting is set up). */
  texting?: { approved: boolean; status: string; errors: string[] } | { unknown: string };
}

export interface SetupStatus {
  /** What `/twilio-setup status` shows: the settings, unreadable secrets, the registry's age, inbound routing. */
  read(ws: number): Promise<SetupStatusData>;
}

export function createSetupStatus(deps: {
  settings: Pick<SettingsService, "get" | "unreadable">;
  dnc: Pick<DncService, "registryAge">;
  inboundNumber: Pick<InboundNumber, "state">;
  /** The texts domain's A2P gate (asked afresh for the status). */
  a2p?: {
    status(
      ws: number,
      settings: TwilioSettings,
      fresh?: boolean,
    ): Promise<{ approved: boolean; status: string; errors: string[] }>;
  };
  clock: Clock;
}): SetupStatus {
  /** The campaign's status, or why it could not be read, within the same wait as the inbound number. */
  const texting = async (ws: number, settings: TwilioSettings): Promise<SetupStatusData["texting"]> => {
    if (!deps.a2p || !settings.accountSid || !settings.messagingServiceSid) return undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        deps.a2p.status(ws, settings, true),
        new Promise<{ unknown: string }>((resolve) => {
          timer = setTimeout(() => resolve({ unknown: "Twilio did not answer in time" }), INBOUND_WAIT_MS);
        }),
      ]);
    } catch (error) {
      return { unknown: (error as Error).message.slice(0, 200) };
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    async read(ws) {
      const settings = await deps.settings.get(ws);
      const [unreadable, registry] = await Promise.all([
        deps.settings.unreadable(ws),
        deps.dnc.registryAge(ws, deps.clock.now()),
      ]);
      const campaign = texting(ws, settings);
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
      const a2p = await campaign;
      return {
        settings,
        unreadable,
        registry: { ...registry, maxDays: REGISTRY_MAX_AGE_DAYS },
        inbound,
        ...(a2p ? { texting: a2p } : {}),
      };
    },
  };
}
