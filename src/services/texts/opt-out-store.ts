import type { Prisma, ScheduledCall } from "@prisma/client";

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
): Promise<{ added: boolean; cancelled: ScheduledCall[]; revoked: number }> {
  const existing = await tx.dncEntry.findUnique({ where: { workspaceId_phone: { workspaceId: ws, phone } } });
  if (!existing)
    await tx.dncEntry.create({
      data: { workspaceId: ws, phone, source: "text", reason: source, addedBy: "lead" },
    });
  await tx.textOptOut.upsert({
    where: { workspaceId_phone: { workspaceId: ws, phone } },
    create: { workspaceId: ws, phone, status: "stopped", source },
    update: { status: "stopped", source },
  });
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
  return { added: !existing, cancelled: due, revoked };
}
