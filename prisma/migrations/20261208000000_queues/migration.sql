-- CreateTable
CREATE TABLE "CallQueue" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "nameKey" TEXT NOT NULL,
    "filter" TEXT NOT NULL DEFAULT '{}',
    "orderBy" TEXT NOT NULL DEFAULT 'callbacks',
    "recallGapMin" INTEGER NOT NULL DEFAULT 60,
    "maxAttempts" INTEGER NOT NULL DEFAULT 6,
    "removeOutcomes" TEXT NOT NULL DEFAULT 'do_not_call,wrong_number,appointment,not_interested',
    "autoAdvanceSec" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 0,
    "createdBy" TEXT NOT NULL,
    "deletedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CallQueue_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "QueueRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "queueId" INTEGER NOT NULL,
    "agentId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ringing',
    "conference" TEXT NOT NULL,
    "conferenceSid" TEXT,
    "agentCallSid" TEXT,
    "channel" TEXT,
    "cardTs" TEXT,
    "endReason" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "QueueRun_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "QueueRun_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "CallQueue" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "QueueClaim" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "queueId" INTEGER NOT NULL,
    "runId" INTEGER,
    "leadId" INTEGER NOT NULL,
    "agentId" TEXT NOT NULL,
    "liveLeadId" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'offered',
    "leaseUntil" DATETIME NOT NULL,
    "dialedAt" DATETIME,
    "callId" INTEGER,
    "outcome" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "releasedAt" DATETIME,
    CONSTRAINT "QueueClaim_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "QueueClaim_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "CallQueue" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "QueueClaim_runId_fkey" FOREIGN KEY ("runId") REFERENCES "QueueRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "QueueClaim_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "QueueSkip" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "queueId" INTEGER NOT NULL,
    "runId" INTEGER,
    "leadId" INTEGER NOT NULL,
    "agentId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "note" TEXT,
    "until" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "QueueSkip_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "QueueSkip_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "CallQueue" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "QueueSkip_runId_fkey" FOREIGN KEY ("runId") REFERENCES "QueueRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "QueueSkip_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "QueueLead" (
    "queueId" INTEGER NOT NULL,
    "leadId" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastDialAt" DATETIME,
    "lastOutcome" TEXT,
    "notBefore" DATETIME,
    "doneAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("queueId", "leadId"),
    CONSTRAINT "QueueLead_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "CallQueue" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "QueueLead_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "CallQueue_workspaceId_nameKey_key" ON "CallQueue"("workspaceId", "nameKey");

-- CreateIndex
CREATE UNIQUE INDEX "QueueRun_conference_key" ON "QueueRun"("conference");

-- CreateIndex
CREATE UNIQUE INDEX "QueueRun_agentCallSid_key" ON "QueueRun"("agentCallSid");

-- CreateIndex
CREATE INDEX "QueueRun_queueId_status_idx" ON "QueueRun"("queueId", "status");

-- CreateIndex
CREATE INDEX "QueueRun_workspaceId_agentId_status_idx" ON "QueueRun"("workspaceId", "agentId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "QueueClaim_liveLeadId_key" ON "QueueClaim"("liveLeadId");

-- CreateIndex
CREATE INDEX "QueueClaim_queueId_leadId_idx" ON "QueueClaim"("queueId", "leadId");

-- CreateIndex
CREATE INDEX "QueueClaim_runId_idx" ON "QueueClaim"("runId");

-- CreateIndex
CREATE INDEX "QueueClaim_liveLeadId_leaseUntil_idx" ON "QueueClaim"("liveLeadId", "leaseUntil");

-- CreateIndex
CREATE INDEX "QueueSkip_queueId_createdAt_idx" ON "QueueSkip"("queueId", "createdAt");

-- CreateIndex
CREATE INDEX "QueueSkip_runId_idx" ON "QueueSkip"("runId");

-- CreateIndex
CREATE INDEX "QueueLead_leadId_idx" ON "QueueLead"("leadId");

