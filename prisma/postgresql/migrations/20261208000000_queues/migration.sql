-- CreateTable
CREATE TABLE "CallQueue" (
    "id" SERIAL NOT NULL,
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
    "deletedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CallQueue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QueueRun" (
    "id" SERIAL NOT NULL,
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
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QueueRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QueueClaim" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "queueId" INTEGER NOT NULL,
    "runId" INTEGER,
    "leadId" INTEGER NOT NULL,
    "agentId" TEXT NOT NULL,
    "liveLeadId" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'offered',
    "leaseUntil" TIMESTAMP(3) NOT NULL,
    "dialedAt" TIMESTAMP(3),
    "callId" INTEGER,
    "outcome" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "releasedAt" TIMESTAMP(3),

    CONSTRAINT "QueueClaim_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QueueSkip" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "queueId" INTEGER NOT NULL,
    "runId" INTEGER,
    "leadId" INTEGER NOT NULL,
    "agentId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "note" TEXT,
    "until" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QueueSkip_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QueueLead" (
    "queueId" INTEGER NOT NULL,
    "leadId" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastDialAt" TIMESTAMP(3),
    "lastOutcome" TEXT,
    "notBefore" TIMESTAMP(3),
    "doneAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QueueLead_pkey" PRIMARY KEY ("queueId","leadId")
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

-- AddForeignKey
ALTER TABLE "CallQueue" ADD CONSTRAINT "CallQueue_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueRun" ADD CONSTRAINT "QueueRun_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueRun" ADD CONSTRAINT "QueueRun_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "CallQueue"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueClaim" ADD CONSTRAINT "QueueClaim_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueClaim" ADD CONSTRAINT "QueueClaim_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "CallQueue"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueClaim" ADD CONSTRAINT "QueueClaim_runId_fkey" FOREIGN KEY ("runId") REFERENCES "QueueRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueClaim" ADD CONSTRAINT "QueueClaim_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueSkip" ADD CONSTRAINT "QueueSkip_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueSkip" ADD CONSTRAINT "QueueSkip_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "CallQueue"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueSkip" ADD CONSTRAINT "QueueSkip_runId_fkey" FOREIGN KEY ("runId") REFERENCES "QueueRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueSkip" ADD CONSTRAINT "QueueSkip_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueLead" ADD CONSTRAINT "QueueLead_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "CallQueue"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueLead" ADD CONSTRAINT "QueueLead_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;

