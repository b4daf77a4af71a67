-- Release 3, texts (SMS): one row per text, the texting opt-out as the lead said it, scheduled texts.
-- AlterTable
ALTER TABLE "ScheduledCall" ADD COLUMN "textBody" TEXT;
ALTER TABLE "ScheduledCall" ADD COLUMN "textId" INTEGER;

-- CreateTable
CREATE TABLE "Text" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "postedAt" DATETIME,
    "postLeaseUntil" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Text_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Text_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TextOptOut" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "phone" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "TextOptOut_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
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

