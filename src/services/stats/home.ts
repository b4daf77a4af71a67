import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { Lead, ScheduledCall } from "@prisma/client";
import { DateTime } from "luxon";
import type { DncService } from "../compliance/dnc-service.js";
import type { QueueSummary } from "../queues/queue-overview.js";
import type { Scheduler } from "../scheduling/scheduler.js";
import type { Keyring } from "../store/keyring.js";
import type { CallStats, StatsService } from "./stats-service.js";
import { parseStatsRange } from "./stats-service.js";
import type { BlockedCall, StatsStore } from "./stats-store.js";
import { EMPTY_TEXT_COUNTS, type RecentText, type TextStatsStore, type WaitingReply } from "./text-stats-store.js";

/** How long a Home chart link works (Slack fetches the image when the Home tab is drawn). */
const CHART_LINK_TTL_S = 24 * 3600;
export const HOME_CHART_DAYS = 14;
/** Queues App Home lists (each is two blocks; Slack allows 100 in the tab); the rest are counted. */
export const HOME_QUEUES = 8;

export interface HomeData {
  userId: string;
  admin: boolean;
  zone: string;
  now: Date;
  mine: { today: CallStats; week: CallStats };
  scheduled: (ScheduledCall & { lead?: Lead })[];
  waiting: { lead: Lead; lastCallAt: Date; why: "no_answer" | "busy" | "callback" | "missed_inbound" }[];
  team?: { today: CallStats; week: CallStats; blocked: BlockedCall[] };
  registry?: { latestAt?: Date; days?: number; stale: boolean };
  /** Leads' replies waiting on the viewer (the last text with them was theirs), and the viewer's latest texts. */
  texts?: { waiting: WaitingReply[]; recent: RecentText[] };
  /** A signed link to the 14-day chart (needs PUBLIC_BASE_URL). */
  chartUrl?: string;
  /** The workspace's call queues (the first HOME_QUEUES), what is left in each, whether the viewer works one. */
  queues?: { queues: QueueSummary[]; total: number };
}

export interface HomeService {
  data(ws: number, userId: string, options: { admin: boolean; zone: string; now: Date }): Promise<HomeData>;
  /** The numbers of the 14-day chart behind a signed link; undefined when the link is not valid. */
  chartStats(
    query: { ws: string; user: string; team: string; zone: string; exp: string; sig: string },
    now: Date,
  ): Promise<CallStats | undefined>;
}

/** One agent's numbers out of the team's (their totals; the breakdowns are theirs alone or empty). */
function agentSlice(stats: CallStats, agentId: string): CallStats {
  const own = stats.perAgent.find((row) => row.agentId === agentId);
  const totals = own ? { placed: own.placed, connected: own.connected, talkSec: own.talkSec } : EMPTY_TOTALS;
  const ownTexts = stats.texts.perAgent.find((row) => row.agentId === agentId);
  return {
    ...stats,
    agentId,
    totals,
    perAgent: own ? [own] : [],
    perDay: [],
    outcomes: [],
    cost: [],
    inbound: { answered: 0, missed: 0, perDay: [] },
    texts: ownTexts ? { ...ownTexts, perAgent: [ownTexts] } : { ...EMPTY_TEXT_COUNTS, perAgent: [] },
  };
}

const EMPTY_TOTALS = { placed: 0, connected: 0, talkSec: 0 };

export function createHomeService(deps: {
  stats: StatsService;
  store: StatsStore;
  scheduler: Pick<Scheduler, "upcoming">;
  dnc: Pick<DncService, "registryAge">;
  waitingCallbacks: (ws: number, agentId: string, since: Date) => Promise<HomeData["waiting"]>;
  texts: Pick<TextStatsStore, "waiting" | "recent">;
  keyring: Keyring;
  publicBaseUrl?: string;
  queues?: (ws: number, agentId: string, limit: number) => Promise<{ queues: QueueSummary[]; total: number }>;
}): HomeService {
  const key = Buffer.from(hkdfSync("sha256", deps.keyring.current.key, Buffer.alloc(0), "leadline home charts", 32));
  const sign = (payload: string) => createHmac("sha256", key).update(payload).digest("base64url");
  const payloadOf = (ws: string, user: string, team: string, zone: string, exp: string) =>
    `${ws}.${user}.${team}.${zone}.${exp}`;

  return {
    async data(ws, userId, { admin, zone, now }) {
      const today = parseStatsRange("today", now, zone);
      const week = parseStatsRange("week", now, zone);
      const since = new Date(now.getTime() - 14 * 86_400_000);
      const [scheduled, waiting, textsWaiting, recentTexts, queues] = await Promise.all([
        deps.scheduler.upcoming(ws, userId, 10),
        deps.waitingCallbacks(ws, userId, since),
        deps.texts.waiting(ws, userId, since, 10),
        deps.texts.recent(ws, userId, 5),
        deps.queues?.(ws, userId, HOME_QUEUES),
      ]);
      let mine: HomeData["mine"];
      let team: HomeData["team"];
      let registry: HomeData["registry"];
      if (admin) {
        // The team's numbers hold the admin's own (per agent): the range is read once for both.
        const [teamToday, teamWeek, blocked, age] = await Promise.all([
          deps.stats.stats(ws, today),
          deps.stats.stats(ws, week),
          deps.stats.blockedToday(ws, now, zone),
          deps.dnc.registryAge(ws, now),
        ]);
        mine = { today: agentSlice(teamToday, userId), week: agentSlice(teamWeek, userId) };
        team = { today: teamToday, week: teamWeek, blocked };
        registry = { latestAt: age.latest?.fetchedAt, days: age.days, stale: age.stale };
      } else {
        const [mineToday, mineWeek] = await Promise.all([
          deps.stats.stats(ws, today, userId),
          deps.stats.stats(ws, week, userId),
        ]);
        mine = { today: mineToday, week: mineWeek };
      }
      let chartUrl: string | undefined;
      if (deps.publicBaseUrl) {
        const exp = String(Math.floor(now.getTime() / 1000) + CHART_LINK_TTL_S);
        const teamFlag = admin ? "1" : "0";
        const sig = sign(payloadOf(String(ws), userId, teamFlag, zone, exp));
        const query = new URLSearchParams({ ws: String(ws), user: userId, team: teamFlag, zone, exp, sig });
        chartUrl = `${deps.publicBaseUrl}/charts/home.png?${query}`;
      }
      return {
        userId,
        admin,
        zone,
        now,
        mine,
        scheduled,
        waiting,
        texts: { waiting: textsWaiting, recent: recentTexts },
        team,
        registry,
        chartUrl,
        queues,
      };
    },
    async chartStats(query, now) {
      const expected = Buffer.from(sign(payloadOf(query.ws, query.user, query.team, query.zone, query.exp)));
      const given = Buffer.from(query.sig);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      if (Number(query.exp) * 1000 < now.getTime()) return undefined;
      const zone = DateTime.local().setZone(query.zone).isValid ? query.zone : "UTC";
      const end = DateTime.fromJSDate(now, { zone }).toFormat("yyyy-LL-dd");
      const start = DateTime.fromJSDate(now, { zone })
        .minus({ days: HOME_CHART_DAYS - 1 })
        .toFormat("yyyy-LL-dd");
      const range = parseStatsRange(`${start}..${end}`, now, zone);
      return deps.stats.stats(
        Number(query.ws),
        { ...range, label: `last ${HOME_CHART_DAYS} days` },
        query.team === "1" ? undefined : query.user,
      );
    },
  };
}
