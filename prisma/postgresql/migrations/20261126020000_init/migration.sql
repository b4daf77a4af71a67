-- Leadline on PostgreSQL: the same model as prisma/migrations (SQLite), from one schema (prisma/schema.prisma).
-- Generated with: DATABASE_URL=<a PostgreSQL URL> npx prisma migrate diff --config prisma.postgresql.config.ts \
--   --from-empty --to-schema-datamodel prisma/postgresql/schema.prisma --script
-- then the lead search index (pg_trgm) added by hand.
-- CreateSchema

-- CreateTable
CREATE TABLE "Workspace" (
    "id" SERIAL NOT NULL,
    "teamId" TEXT NOT NULL,
    "enterpriseId" TEXT NOT NULL DEFAULT '',
    "isEnterpriseInstall" BOOLEAN NOT NULL DEFAULT false,
    "name" TEXT,
    "botUserId" TEXT,
    "botId" TEXT,
    "appId" TEXT,
    "installerUserId" TEXT,
    "settingsVersion" INTEGER NOT NULL DEFAULT 0,
    "tokenExpiresAt" TIMESTAMP(3),
    "tokenVersion" INTEGER NOT NULL DEFAULT 0,
    "tokenRefreshUntil" TIMESTAMP(3),
    "uninstalledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Workspace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Lead" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "nameSearch" TEXT NOT NULL,
    "searchText" TEXT NOT NULL DEFAULT '',
    "phone" TEXT,
    "phoneExt" TEXT,
    "phoneLast4" TEXT,
    "email" TEXT,
    "source" TEXT,
    "ownerSlackId" TEXT,
    "doNotCall" BOOLEAN NOT NULL DEFAULT false,
    "lastContactedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Lead_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Note" (
    "id" SERIAL NOT NULL,
    "leadId" INTEGER NOT NULL,
    "author" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Note_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Call" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "leadId" INTEGER NOT NULL,
    "activeLeadId" INTEGER,
    "mode" TEXT NOT NULL,
    "fromNumber" TEXT NOT NULL,
    "toNumber" TEXT NOT NULL,
    "twilioSid" TEXT,
    "status" TEXT NOT NULL,
    "answeredBy" TEXT,
    "durationSec" INTEGER,
    "price" TEXT,
    "priceUnit" TEXT,
    "lastSequence" INTEGER NOT NULL DEFAULT -1,
    "slackChannel" TEXT,
    "slackTs" TEXT,
    "slackThreadTs" TEXT,
    "placedBy" TEXT NOT NULL,
    "errorCode" INTEGER,
    "errorMessage" TEXT,
    "voicemailLeft" BOOLEAN NOT NULL DEFAULT false,
    "recordingSid" TEXT,
    "originKey" TEXT,
    "lineVersion" INTEGER NOT NULL DEFAULT 0,
    "lineShown" INTEGER NOT NULL DEFAULT -1,
    "lineState" TEXT NOT NULL DEFAULT 'pending',
    "lineLock" TEXT,
    "lineLockUntil" TIMESTAMP(3),
    "pollLeaseUntil" TIMESTAMP(3),
    "priceCheckedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "Call_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CallEvent" (
    "id" SERIAL NOT NULL,
    "callId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "sequenceNumber" INTEGER,
    "rawTimestamp" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CallEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CallFact" (
    "id" SERIAL NOT NULL,
    "callId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CallFact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Secret" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "iv" BYTEA NOT NULL,
    "authTag" BYTEA NOT NULL,
    "keyId" TEXT NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Secret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AgentSetting" (
    "workspaceId" INTEGER NOT NULL,
    "slackUserId" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AgentSetting_pkey" PRIMARY KEY ("workspaceId","slackUserId")
);

-- CreateTable
CREATE TABLE "BrowserLink" (
    "id" TEXT NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "slackUserId" TEXT NOT NULL,
    "leadId" INTEGER NOT NULL,
    "channel" TEXT,
    "threadTs" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "sessionHash" TEXT,
    "sessionExpiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BrowserLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Heartbeat" (
    "id" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Heartbeat_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_enterpriseId_teamId_key" ON "Workspace"("enterpriseId", "teamId");

-- CreateIndex
CREATE INDEX "Lead_workspaceId_updatedAt_idx" ON "Lead"("workspaceId", "updatedAt");

-- CreateIndex
CREATE INDEX "Lead_workspaceId_phoneLast4_idx" ON "Lead"("workspaceId", "phoneLast4");

-- CreateIndex
CREATE INDEX "Lead_nameSearch_idx" ON "Lead"("nameSearch");

-- CreateIndex
CREATE UNIQUE INDEX "Lead_workspaceId_phone_key" ON "Lead"("workspaceId", "phone");

-- CreateIndex
CREATE INDEX "Note_leadId_createdAt_idx" ON "Note"("leadId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Call_activeLeadId_key" ON "Call"("activeLeadId");

-- CreateIndex
CREATE UNIQUE INDEX "Call_twilioSid_key" ON "Call"("twilioSid");

-- CreateIndex
CREATE UNIQUE INDEX "Call_recordingSid_key" ON "Call"("recordingSid");

-- CreateIndex
CREATE UNIQUE INDEX "Call_originKey_key" ON "Call"("originKey");

-- CreateIndex
CREATE INDEX "Call_leadId_createdAt_idx" ON "Call"("leadId", "createdAt");

-- CreateIndex
CREATE INDEX "Call_status_idx" ON "Call"("status");

-- CreateIndex
CREATE INDEX "Call_workspaceId_createdAt_idx" ON "Call"("workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "CallEvent_callId_sequenceNumber_idx" ON "CallEvent"("callId", "sequenceNumber");

-- CreateIndex
CREATE UNIQUE INDEX "CallFact_callId_kind_key" ON "CallFact"("callId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "Secret_workspaceId_name_key" ON "Secret"("workspaceId", "name");

-- CreateIndex
CREATE INDEX "AuditLog_workspaceId_createdAt_idx" ON "AuditLog"("workspaceId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "BrowserLink_sessionHash_key" ON "BrowserLink"("sessionHash");

-- AddForeignKey
ALTER TABLE "Lead" ADD CONSTRAINT "Lead_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Note" ADD CONSTRAINT "Note_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Call" ADD CONSTRAINT "Call_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Call" ADD CONSTRAINT "Call_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CallEvent" ADD CONSTRAINT "CallEvent_callId_fkey" FOREIGN KEY ("callId") REFERENCES "Call"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CallFact" ADD CONSTRAINT "CallFact_callId_fkey" FOREIGN KEY ("callId") REFERENCES "Call"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Secret" ADD CONSTRAINT "Secret_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AgentSetting" ADD CONSTRAINT "AgentSetting_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BrowserLink" ADD CONSTRAINT "BrowserLink_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Lead search: trigram index over name, email and source (the same words FTS5 indexes on SQLite).
-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. It lives in
-- "public" so every schema (one per test run, say) shares the one operator class.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX "Lead_searchText_trgm_idx" ON "Lead" USING gin ("searchText" public.gin_trgm_ops);
