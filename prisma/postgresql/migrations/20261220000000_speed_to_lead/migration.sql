-- CreateTable
CREATE TABLE "SpeedClaim" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "leadId" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "messageTs" TEXT,
    "arrivedAt" TIMESTAMP(3) NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "claimedBy" TEXT,
    "claimedAt" TIMESTAMP(3),
    "escalatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SpeedClaim_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SpeedClaim_leadId_key" ON "SpeedClaim"("leadId");

-- CreateIndex
CREATE INDEX "SpeedClaim_claimedBy_escalatedAt_dueAt_idx" ON "SpeedClaim"("claimedBy", "escalatedAt", "dueAt");

-- AddForeignKey
ALTER TABLE "SpeedClaim" ADD CONSTRAINT "SpeedClaim_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SpeedClaim" ADD CONSTRAINT "SpeedClaim_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;
