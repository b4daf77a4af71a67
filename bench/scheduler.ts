// Issue 17: one scheduler tick over 1,000 due scheduled calls, in a Leadline process of its own, must
// end within one tick interval. Measured end to end: the whole tick (claims in batches, the calling law
// and do-not-call check again per row, placing each as a live call through the fake Twilio, the line
// posted to the fake Slack, each claim finished), via deps.scheduler.tick(at) inside the instance.
// The calls are booked for a team of 25 agents, each with their own phone: a tick rings different
// agents' phones side by side and one agent's phone one call after another.
import { TICK_EVERY } from "../src/services/scheduling/scheduler.js";
import type { BenchDb } from "./database.js";
import { CALLING_TIME, CHANNEL, type Instance } from "./harness.js";

/** "*\/15 * * * * *" → 15 000 ms: the tick's period from its node-cron expression (seconds field). */
export function tickIntervalMs(expression = TICK_EVERY): number {
  const seconds = expression.trim().split(/\s+/)[0] ?? "";
  const every = /^\*\/(\d+)$/.exec(seconds);
  if (every) return Number(every[1]) * 1000;
  throw new Error(`cannot read the tick interval from "${expression}"`);
}

const AGENTS = 25;

export async function benchTick(bench: BenchDb, instance: Instance, ws: number, leads: { id: number }[]) {
  const database = await bench.open();
  try {
    const db = database.prisma;
    // Due a minute before the instant the tick judges by: within calling hours, not a missed slot.
    const dueAt = new Date(CALLING_TIME.getTime() - 60_000);
    const agents = Array.from({ length: AGENTS }, (_, i) => `U0TICK${String(i).padStart(3, "0")}`);
    await db.agentSetting.createMany({
      data: agents.map((agentId, i) => ({
        workspaceId: ws,
        slackUserId: agentId,
        phone: `+1212555${String(2000 + i).padStart(4, "0")}`,
      })),
    });
    await db.scheduledCall.createMany({
      data: leads.map((lead, i) => ({
        workspaceId: ws,
        leadId: lead.id,
        agentId: agents[i % AGENTS]!,
        channel: CHANNEL,
        dueAt,
        bookedBy: agents[i % AGENTS]!,
        status: "scheduled",
      })),
    });
    const { ms, counts } = await instance.tick(CALLING_TIME);
    const ids = leads.map((lead) => lead.id);
    const leadId = { gte: Math.min(...ids), lte: Math.max(...ids) };
    const placedRows = await db.scheduledCall.count({ where: { leadId, status: "placed", callId: { not: null } } });
    const dialled = await db.call.count({
      where: { leadId, originKey: { startsWith: "scheduled:" }, twilioSid: { not: null } },
    });
    return { rows: leads.length, ms, counts, placedRows, dialled, intervalMs: tickIntervalMs() };
  } finally {
    await database.close();
  }
}
