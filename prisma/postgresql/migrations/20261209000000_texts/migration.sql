-- Release 3, texts (SMS): one row per text, the texting opt-out as the lead said it, scheduled texts.
-- AlterTable
ALTER TABLE "ScheduledCall" ADD COLUMN "textBody" TEXT,
ADD COLUMN "textId" INTEGER;

-- CreateTable
CREATE TABLE "Text" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "leadId" INTEGER,
    "direction" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'agent',
    "phone" TEXT NOT NULL,
    "teamNumber" TEXT,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "twilioSid" TEXT,
    "errorCode" INTEGER,
    "errorMessage" TEXT,
    "optOutType" TEXT,
    "originKey" TEXT,
    "agentId" TEXT,
    "slackChannel" TEXT,
    "slackThreadTs" TEXT,
    "slackTs" TEXT,
    "postedAt" TIMESTAMP(3),
    "postLeaseUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Text_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TextOptOut" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "phone" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TextOptOut_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Text_twilioSid_key" ON "Text"("twilioSid");

-- CreateIndex
CREATE INDEX "Text_leadId_createdAt_idx" ON "Text"("leadId", "createdAt");

-- CreateIndex
CREATE INDEX "Text_workspaceId_phone_createdAt_idx" ON "Text"("workspaceId", "phone", "createdAt");

-- CreateIndex
CREATE INDEX "Text_direction_postedAt_id_idx" ON "Text"("direction", "postedAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Text_workspaceId_originKey_key" ON "Text"("workspaceId", "originKey");

-- CreateIndex
CREATE UNIQUE INDEX "TextOptOut_workspaceId_phone_key" ON "TextOptOut"("workspaceId", "phone");

-- AddForeignKey
ALTER TABLE "Text" ADD CONSTRAINT "Text_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Text" ADD CONSTRAINT "Text_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TextOptOut" ADD CONSTRAINT "TextOptOut_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
