import type { Prisma, ScheduledCall } from "@prisma/client";

export interface OptOutResult {
  /** The number went on the do-not-call list now (it was not on it). */
  added: boolean;
  /** Its texting went from not stopped to stopped now: the one opt-out a confirmation text may answer. */
  stopped: boolean;
  cancelled: ScheduledCall[];
  revoked: number;
}

/**
 * STOP (or 21610) inside one transaction: the number on the do-not-call list, its texting opted out,
 * every consent revoked, its scheduled calls and texts cancelled, and the audit row.
 */
export async function optOutIn(
  tx: Prisma.TransactionClient,
  ws: number,
  phone: string,
  source: string,
  now: Date,
): Promise<OptOutResult> {
  const existing = await tx.dncEntry.findUnique({ where: { workspaceId_phone: { workspaceId: ws, phone } } });
  if (!existing)
    await tx.dncEntry.create({
      data: { workspaceId: ws, phone, source: "text", reason: source, addedBy: "lead" },
    });
  // A conditional update, so two STOPs at once (two instances) see one transition: the second waits on the row.
  let stopped =
    (
      await tx.textOptOut.updateMany({
        where: { workspaceId: ws, phone, status: { not: "stopped" } },
        data: { status: "stopped", source },
      })
    ).count > 0;
  if (!stopped && !(await tx.textOptOut.findUnique({ where: { workspaceId_phone: { workspaceId: ws, phone } } }))) {
    await tx.textOptOut.create({ data: { workspaceId: ws, phone, status: "stopped", source } });
    stopped = true;
  }
  const revoked = (
    await tx.consent.updateMany({
      where: { workspaceId: ws, phone, revokedAt: null },
      data: { revokedAt: now, revokedHow: `opted out by text (${source})` },
    })
  ).count;
  const due = await tx.scheduledCall.findMany({
    where: { workspaceId: ws, status: "scheduled", lead: { phone } },
  });
  if (due.length > 0)
    await tx.scheduledCall.updateMany({
      where: { id: { in: due.map((row) => row.id) }, status: "scheduled" },
      data: { status: "cancelled", reason: "the lead opted out by text" },
    });
  const masked = `***${phone.slice(-4)}`;
  await tx.auditLog.create({
    data: {
      workspaceId: ws,
      actor: "lead",
      action: "dnc.text_opt_out",
      detail: JSON.stringify({ phone: masked, source, added: !existing, revoked, cancelled: due.length }),
    },
  });
  return { added: !existing, stopped, cancelled: due, revoked };
}
