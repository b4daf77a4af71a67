-- CreateTable
CREATE TABLE "SpeedClaim" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "leadId" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "messageTs" TEXT,
    "arrivedAt" DATETIME NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "claimedBy" TEXT,
    "claimedAt" DATETIME,
    "escalatedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SpeedClaim_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SpeedClaim_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "SpeedClaim_leadId_key" ON "SpeedClaim"("leadId");

-- CreateIndex
CREATE INDEX "SpeedClaim_claimedBy_escalatedAt_dueAt_idx" ON "SpeedClaim"("claimedBy", "escalatedAt", "dueAt");

