import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Offer } from "../../../src/services/queues/queue-claims.js";
import { queueSettingsSchema } from "../../../src/services/queues/queue-filter.js";
import type { DatabaseHandle } from "../../../src/services/store/db.js";
import { openTestDatabase, testEngine } from "../../helpers/app.js";
import { queueKit } from "./fixtures/kit.js";

// Random interleavings of agents' Next, Call, outcome, Skip, Snooze, Stop and crashes (an agent that
// vanishes holding its claim; the lease runs out), with leads put on the do-not-call list mid-run, on the
// suite's engine. After every step: never two live claims for one lead; at the end: no lead dialled
// twice, no do-not-call or out-of-hours lead dialled, every claim a crashed agent held expired or re-used.

/** 9:30 AM in New York, 6:30 AM in San Francisco (before 8 AM: out of hours there). */
const MORNING = new Date("2026-11-24T14:30:00Z");
const LEASE_MS = 60_000;
const AGENTS = ["U0A", "U0B", "U0C", "U0D"];

const ny = (i: number) => `+1212555${String(1000 + i)}`;
const sf = (i: number) => `+1415555${String(1000 + i)}`;

let dir: string;
let db: Awaited<ReturnType<typeof openTestDatabase>>;
let database: DatabaseHandle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "leadline-queue-prop-"));
  db = await openTestDatabase(dir);
  database = db.database;
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Op =
  | { kind: "next" | "call" | "outcome" | "skip" | "snooze" | "stop" | "crash"; agent: number }
  | { kind: "tick" }
  | { kind: "dnc"; lead: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constantFrom("next", "call", "outcome", "skip", "snooze", "stop", "crash" as const),
      agent: fc.integer({ min: 0, max: AGENTS.length - 1 }),
    }) as fc.Arbitrary<Op>,
  },
  { weight: 1, arbitrary: fc.constant({ kind: "tick" } as Op) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("dnc" as const), lead: fc.integer({ min: 0, max: 7 }) }) },
);

describe(`queue claims under random interleavings (${testEngine()})`, () => {
  it("one live claim per lead, never dialled twice, never a do-not-call or out-of-hours lead", async () => {
    const prisma = database.prisma;
    const ws = db.ws;
    const leads = await prisma.lead.createManyAndReturn({
      data: [
        ...Array.from({ length: 8 }, (_, i) => ({ phone: ny(i), name: `NY ${i}` })),
        ...Array.from({ length: 2 }, (_, i) => ({ phone: sf(i), name: `SF ${i}` })),
        ...Array.from({ length: 2 }, (_, i) => ({ phone: ny(50 + i), name: `DNC ${i}` })),
      ].map((lead, i) => ({
        ...lead,
        workspaceId: ws,
        nameSearch: lead.name.toLowerCase(),
        createdAt: new Date(i * 1000),
      })),
    });
    const outOfHours = new Set(leads.filter((l) => l.phone!.startsWith("+1415")).map((l) => l.id));
    const listedAtStart = leads.filter((l) => l.name.startsWith("DNC")).map((l) => l.id);

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 60 }), async (ops) => {
        await prisma.queueSkip.deleteMany();
        await prisma.queueClaim.deleteMany();
        await prisma.queueLead.deleteMany();
        await prisma.callQueue.deleteMany();
        await prisma.dncEntry.deleteMany();
        await prisma.dncEntry.createMany({
          data: listedAtStart.map((id) => ({
            workspaceId: ws,
            phone: leads.find((l) => l.id === id)!.phone!,
            source: "command",
            addedBy: "U0ADMIN",
          })),
        });
        const kit = queueKit(database, MORNING, { leaseMs: LEASE_MS });
        let now = Date.parse("2026-12-01T12:00:00Z");
        kit.clock.set(new Date(now));
        const queue = (await kit.queues.create(
          ws,
          queueSettingsSchema.parse({ name: "P", orderBy: "new", recallGapMin: 1440 }),
          "U0ADMIN",
        ))!;
        const held = new Map<number, { offer: Offer; dialled: boolean }>();
        const dialled: number[] = [];
        /** Leads put on the list mid-run: no dial of them may follow. */
        const listed = new Set<number>(listedAtStart);

        for (const op of ops) {
          if (op.kind === "tick") {
            now += LEASE_MS + 1_000;
            kit.clock.set(new Date(now));
          } else if (op.kind === "dnc") {
            const lead = leads[op.lead]!;
            await prisma.dncEntry.upsert({
              where: { workspaceId_phone: { workspaceId: ws, phone: lead.phone! } },
              create: { workspaceId: ws, phone: lead.phone!, source: "command", addedBy: "U0ADMIN" },
              update: {},
            });
            listed.add(lead.id);
          } else {
            const agentId = AGENTS[op.agent]!;
            const mine = held.get(op.agent);
            const ref = mine && { id: mine.offer.claim.id, agentId };
            if (op.kind === "next" && !mine) {
              const offer = await kit.claims.next(queue, null, agentId);
              if (offer) held.set(op.agent, { offer, dialled: false });
            } else if (op.kind === "call" && mine && !mine.dialled) {
              const dial = await kit.claims.beginDial(queue, { ...ref!, runId: null });
              if (dial.ok) {
                mine.dialled = true;
                dialled.push(mine.offer.lead.id);
                expect(listed.has(mine.offer.lead.id), "a do-not-call lead was dialled").toBe(false);
              } else held.delete(op.agent);
            } else if (op.kind === "outcome" && mine?.dialled) {
              await kit.claims.outcome(queue, ref!, "callback");
              held.delete(op.agent);
            } else if ((op.kind === "skip" || op.kind === "snooze") && mine && !mine.dialled) {
              const until = op.kind === "snooze" ? new Date(now + 3_600_000) : undefined;
              await kit.claims.skip(queue, ref!, op.kind === "snooze" ? "snooze" : "agent", undefined, until);
              held.delete(op.agent);
            } else if (op.kind === "stop" && mine) {
              await kit.claims.release(ref!, "stopped");
              held.delete(op.agent);
            } else if (op.kind === "crash") {
              held.delete(op.agent);
            }
          }
          const doubled = await prisma.queueClaim.groupBy({
            by: ["leadId"],
            where: { liveLeadId: { not: null } },
            _count: { _all: true },
          });
          expect(doubled.filter((row) => row._count._all > 1)).toEqual([]);
        }
        // Never dialled twice (the clock stays inside the day-long re-call gap), never out of hours.
        expect(new Set(dialled).size).toBe(dialled.length);
        expect(dialled.filter((id) => outOfHours.has(id))).toEqual([]);
        expect(await prisma.queueClaim.count({ where: { dialedAt: { not: null } } })).toBe(dialled.length);
      }),
      { numRuns: testEngine() === "postgresql" ? 12 : 20 },
    );
  }, 60_000);
});
