-- Release 2, inbound: calls to the team's number (a lead calling back).
-- CreateTable
CREATE TABLE "InboundCall" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "InboundCall_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "InboundCall_twilioSid_key" ON "InboundCall"("twilioSid");

-- CreateIndex
CREATE UNIQUE INDEX "InboundCall_recordingSid_key" ON "InboundCall"("recordingSid");

-- CreateIndex
CREATE INDEX "InboundCall_workspaceId_createdAt_idx" ON "InboundCall"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "InboundCall_leadId_idx" ON "InboundCall"("leadId");

-- AddForeignKey
ALTER TABLE "InboundCall" ADD CONSTRAINT "InboundCall_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InboundCall" ADD CONSTRAINT "InboundCall_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE SET NULL ON UPDATE CASCADE;

