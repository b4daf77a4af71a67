-- Release 2: workspaces (tenants). Every lead, call, setting, agent setting, audit row and browser link
-- belongs to one; what exists already belongs to workspace 1. A lead's phone is unique per workspace.
-- CreateTable
CREATE TABLE "Workspace" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "teamId" TEXT NOT NULL,
    "enterpriseId" TEXT NOT NULL DEFAULT '',
    "isEnterpriseInstall" BOOLEAN NOT NULL DEFAULT false,
    "name" TEXT,
    "botUserId" TEXT,
    "botId" TEXT,
    "appId" TEXT,
    "installerUserId" TEXT,
    "settingsVersion" INTEGER NOT NULL DEFAULT 0,
    "tokenExpiresAt" DATETIME,
    "tokenVersion" INTEGER NOT NULL DEFAULT 0,
    "tokenRefreshUntil" DATETIME,
    "uninstalledAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- The workspace every row written before this release belongs to (single-workspace mode's; its
-- Slack team id is filled in at start from auth.test).
INSERT INTO "Workspace" ("id", "teamId", "createdAt", "updatedAt") VALUES (1, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

-- RedefineTables (the migration runner turns foreign keys off around SQLite migrations, as prisma migrate does)
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Lead" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "lastContactedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Lead_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Lead" ("workspaceId", "createdAt", "doNotCall", "email", "id", "lastContactedAt", "name", "nameSearch", "ownerSlackId", "phone", "phoneExt", "phoneLast4", "searchText", "source", "updatedAt") SELECT 1, "createdAt", "doNotCall", "email", "id", "lastContactedAt", "name", "nameSearch", "ownerSlackId", "phone", "phoneExt", "phoneLast4", "searchText", "source", "updatedAt" FROM "Lead";
DROP TABLE "Lead";
ALTER TABLE "new_Lead" RENAME TO "Lead";
CREATE INDEX "Lead_workspaceId_updatedAt_idx" ON "Lead"("workspaceId", "updatedAt");
CREATE INDEX "Lead_workspaceId_phoneLast4_idx" ON "Lead"("workspaceId", "phoneLast4");
CREATE INDEX "Lead_nameSearch_idx" ON "Lead"("nameSearch");
CREATE UNIQUE INDEX "Lead_workspaceId_phone_key" ON "Lead"("workspaceId", "phone");
-- Dropping "Lead" dropped its full-text triggers: put them back and rebuild the index.
CREATE TRIGGER "Lead_search_insert" AFTER INSERT ON "Lead" BEGIN
  INSERT INTO "LeadSearch"(rowid, "searchText") VALUES (new."id", new."searchText");
END;
CREATE TRIGGER "Lead_search_delete" AFTER DELETE ON "Lead" BEGIN
  INSERT INTO "LeadSearch"("LeadSearch", rowid, "searchText") VALUES ('delete', old."id", old."searchText");
END;
CREATE TRIGGER "Lead_search_update" AFTER UPDATE OF "searchText" ON "Lead" BEGIN
  INSERT INTO "LeadSearch"("LeadSearch", rowid, "searchText") VALUES ('delete', old."id", old."searchText");
  INSERT INTO "LeadSearch"(rowid, "searchText") VALUES (new."id", new."searchText");
END;
INSERT INTO "LeadSearch"("LeadSearch") VALUES ('rebuild');
CREATE TABLE "new_Call" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "lineLockUntil" DATETIME,
    "pollLeaseUntil" DATETIME,
    "priceCheckedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "endedAt" DATETIME,
    CONSTRAINT "Call_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Call_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Call" ("workspaceId", "activeLeadId", "answeredBy", "createdAt", "durationSec", "endedAt", "errorCode", "errorMessage", "fromNumber", "id", "lastSequence", "leadId", "lineLock", "lineLockUntil", "lineShown", "lineState", "lineVersion", "mode", "originKey", "placedBy", "pollLeaseUntil", "price", "priceCheckedAt", "priceUnit", "recordingSid", "slackChannel", "slackThreadTs", "slackTs", "status", "toNumber", "twilioSid", "updatedAt", "voicemailLeft") SELECT 1, "activeLeadId", "answeredBy", "createdAt", "durationSec", "endedAt", "errorCode", "errorMessage", "fromNumber", "id", "lastSequence", "leadId", "lineLock", "lineLockUntil", "lineShown", "lineState", "lineVersion", "mode", "originKey", "placedBy", "pollLeaseUntil", "price", "priceCheckedAt", "priceUnit", "recordingSid", "slackChannel", "slackThreadTs", "slackTs", "status", "toNumber", "twilioSid", "updatedAt", "voicemailLeft" FROM "Call";
DROP TABLE "Call";
ALTER TABLE "new_Call" RENAME TO "Call";
CREATE UNIQUE INDEX "Call_activeLeadId_key" ON "Call"("activeLeadId");
CREATE UNIQUE INDEX "Call_twilioSid_key" ON "Call"("twilioSid");
CREATE UNIQUE INDEX "Call_recordingSid_key" ON "Call"("recordingSid");
CREATE UNIQUE INDEX "Call_originKey_key" ON "Call"("originKey");
CREATE INDEX "Call_leadId_createdAt_idx" ON "Call"("leadId", "createdAt");
CREATE INDEX "Call_status_idx" ON "Call"("status");
CREATE INDEX "Call_workspaceId_createdAt_idx" ON "Call"("workspaceId", "createdAt");
CREATE TABLE "new_Secret" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "ciphertext" BLOB NOT NULL,
    "iv" BLOB NOT NULL,
    "authTag" BLOB NOT NULL,
    "keyId" TEXT NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "expiresAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Secret_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Secret" ("workspaceId", "authTag", "ciphertext", "id", "iv", "keyId", "name", "updatedAt", "updatedBy") SELECT 1, "authTag", "ciphertext", "id", "iv", "keyId", "name", "updatedAt", "updatedBy" FROM "Secret";
DROP TABLE "Secret";
ALTER TABLE "new_Secret" RENAME TO "Secret";
CREATE UNIQUE INDEX "Secret_workspaceId_name_key" ON "Secret"("workspaceId", "name");
CREATE TABLE "new_AuditLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AuditLog_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AuditLog" ("workspaceId", "action", "actor", "createdAt", "detail", "id") SELECT 1, "action", "actor", "createdAt", "detail", "id" FROM "AuditLog";
DROP TABLE "AuditLog";
ALTER TABLE "new_AuditLog" RENAME TO "AuditLog";
CREATE INDEX "AuditLog_workspaceId_createdAt_idx" ON "AuditLog"("workspaceId", "createdAt");
CREATE TABLE "new_AgentSetting" (
    "workspaceId" INTEGER NOT NULL,
    "slackUserId" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("workspaceId", "slackUserId"),
    CONSTRAINT "AgentSetting_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AgentSetting" ("workspaceId", "phone", "slackUserId", "updatedAt") SELECT 1, "phone", "slackUserId", "updatedAt" FROM "AgentSetting";
DROP TABLE "AgentSetting";
ALTER TABLE "new_AgentSetting" RENAME TO "AgentSetting";
CREATE TABLE "new_BrowserLink" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" INTEGER NOT NULL,
    "slackUserId" TEXT NOT NULL,
    "leadId" INTEGER NOT NULL,
    "channel" TEXT,
    "threadTs" TEXT,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "sessionHash" TEXT,
    "sessionExpiresAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BrowserLink_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_BrowserLink" ("workspaceId", "channel", "createdAt", "expiresAt", "id", "leadId", "sessionExpiresAt", "sessionHash", "slackUserId", "threadTs", "usedAt") SELECT 1, "channel", "createdAt", "expiresAt", "id", "leadId", "sessionExpiresAt", "sessionHash", "slackUserId", "threadTs", "usedAt" FROM "BrowserLink";
DROP TABLE "BrowserLink";
ALTER TABLE "new_BrowserLink" RENAME TO "BrowserLink";
CREATE UNIQUE INDEX "BrowserLink_sessionHash_key" ON "BrowserLink"("sessionHash");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_enterpriseId_teamId_key" ON "Workspace"("enterpriseId", "teamId");

