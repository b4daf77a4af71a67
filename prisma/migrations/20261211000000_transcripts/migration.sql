-- CreateTable
CREATE TABLE "CallTranscript" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "callId" INTEGER NOT NULL,
    "recordingSid" TEXT NOT NULL,
    "serviceSid" TEXT,
    "transcriptSid" TEXT,
    "status" TEXT NOT NULL,
    "leadChannel" INTEGER NOT NULL,
    "sentences" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextCheckAt" DATETIME NOT NULL,
    "lastError" TEXT,
    "postedAt" DATETIME,
    "purgeAt" DATETIME,
    "purgedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CallTranscript_callId_fkey" FOREIGN KEY ("callId") REFERENCES "Call" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CallSummary" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "nextTryAt" DATETIME NOT NULL,
    "lastError" TEXT,
    "slackTs" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CallSummary_callId_fkey" FOREIGN KEY ("callId") REFERENCES "Call" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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

