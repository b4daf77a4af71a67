-- CreateTable
CREATE TABLE "CallTranscript" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "callId" INTEGER NOT NULL,
    "recordingSid" TEXT NOT NULL,
    "serviceSid" TEXT,
    "transcriptSid" TEXT,
    "status" TEXT NOT NULL,
    "leadChannel" INTEGER NOT NULL,
    "sentences" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextCheckAt" TIMESTAMP(3) NOT NULL,
    "lastError" TEXT,
    "postedAt" TIMESTAMP(3),
    "purgeAt" TIMESTAMP(3),
    "purgedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CallTranscript_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CallSummary" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "callId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "provider" TEXT,
    "model" TEXT,
    "promptVersion" TEXT,
    "json" TEXT,
    "suggestedOutcome" TEXT,
    "appliedOutcome" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextTryAt" TIMESTAMP(3) NOT NULL,
    "lastError" TEXT,
    "slackTs" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CallSummary_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CallTranscript_callId_key" ON "CallTranscript"("callId");

-- CreateIndex
CREATE UNIQUE INDEX "CallTranscript_transcriptSid_key" ON "CallTranscript"("transcriptSid");

-- CreateIndex
CREATE INDEX "CallTranscript_status_nextCheckAt_idx" ON "CallTranscript"("status", "nextCheckAt");

-- CreateIndex
CREATE INDEX "CallTranscript_purgeAt_idx" ON "CallTranscript"("purgeAt");

-- CreateIndex
CREATE UNIQUE INDEX "CallSummary_callId_key" ON "CallSummary"("callId");

-- CreateIndex
CREATE INDEX "CallSummary_status_nextTryAt_idx" ON "CallSummary"("status", "nextTryAt");

-- CreateIndex
CREATE INDEX "CallSummary_workspaceId_createdAt_idx" ON "CallSummary"("workspaceId", "createdAt");

-- AddForeignKey
ALTER TABLE "CallTranscript" ADD CONSTRAINT "CallTranscript_callId_fkey" FOREIGN KEY ("callId") REFERENCES "Call"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CallSummary" ADD CONSTRAINT "CallSummary_callId_fkey" FOREIGN KEY ("callId") REFERENCES "Call"("id") ON DELETE CASCADE ON UPDATE CASCADE;

