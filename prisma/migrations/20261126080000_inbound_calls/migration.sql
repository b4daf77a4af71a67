-- Release 2, inbound: calls to the team's number (a lead calling back).
-- CreateTable
CREATE TABLE "InboundCall" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "leadId" INTEGER,
    "fromNumber" TEXT NOT NULL,
    "toNumber" TEXT NOT NULL,
    "twilioSid" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ringing',
    "ringAgentId" TEXT,
    "ringNumber" TEXT,
    "answeredBy" TEXT,
    "durationSec" INTEGER,
    "recordingSid" TEXT,
    "recordingSec" INTEGER,
    "transcript" TEXT,
    "slackChannel" TEXT,
    "slackTs" TEXT,
    "slackThreadTs" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    CONSTRAINT "InboundCall_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "InboundCall_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "InboundCall_twilioSid_key" ON "InboundCall"("twilioSid");

-- CreateIndex
CREATE UNIQUE INDEX "InboundCall_recordingSid_key" ON "InboundCall"("recordingSid");

-- CreateIndex
CREATE INDEX "InboundCall_workspaceId_createdAt_idx" ON "InboundCall"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "InboundCall_leadId_idx" ON "InboundCall"("leadId");

