-- Release 2, scheduled calls: the table the scheduler's tick claims due rows from.
-- CreateTable
CREATE TABLE "ScheduledCall" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "leadId" INTEGER NOT NULL,
    "agentId" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "threadTs" TEXT,
    "dueAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'scheduled',
    "reason" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "claimedBy" TEXT,
    "leaseUntil" DATETIME,
    "callId" INTEGER,
    "bookedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "ScheduledCall_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ScheduledCall_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ScheduledCall_status_dueAt_idx" ON "ScheduledCall"("status", "dueAt");

-- CreateIndex
CREATE INDEX "ScheduledCall_workspaceId_agentId_status_idx" ON "ScheduledCall"("workspaceId", "agentId", "status");

-- CreateIndex
CREATE INDEX "ScheduledCall_leadId_idx" ON "ScheduledCall"("leadId");

