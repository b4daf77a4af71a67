-- Release 2, calling law: the do-not-call list keyed by phone, registry imports, consent records, the
-- lead's address (state, ZIP), and the two legs of a live call. Columns are added and dropped in place
-- (no table rebuild), so the lead search triggers keep their table.
ALTER TABLE "Call" ADD COLUMN "agentNumber" TEXT;
ALTER TABLE "Call" ADD COLUMN "agentLegStatus" TEXT;
ALTER TABLE "Call" ADD COLUMN "leadLegSid" TEXT;
ALTER TABLE "Lead" ADD COLUMN "state" TEXT;
ALTER TABLE "Lead" ADD COLUMN "zip" TEXT;

-- CreateTable
CREATE TABLE "DncEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "phone" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "reason" TEXT,
    "addedBy" TEXT NOT NULL,
    "importId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DncEntry_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RegistryImport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "file" TEXT NOT NULL,
    "numbers" INTEGER NOT NULL,
    "fetchedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RegistryImport_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Consent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "leadId" INTEGER NOT NULL,
    "phone" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "sourceUrl" TEXT,
    "recordedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    "revokedHow" TEXT,
    CONSTRAINT "Consent_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Consent_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);


-- The do-not-call flag on leads becomes the list, keyed by phone; then the flag goes.
INSERT OR IGNORE INTO "DncEntry" ("workspaceId", "phone", "source", "reason", "addedBy", "createdAt")
SELECT "workspaceId", "phone", 'keypress', 'marked do-not-call before release 2', 'migration', CURRENT_TIMESTAMP
FROM "Lead" WHERE "doNotCall" AND "phone" IS NOT NULL;
ALTER TABLE "Lead" DROP COLUMN "doNotCall";


-- CreateIndex
CREATE INDEX "DncEntry_workspaceId_importId_idx" ON "DncEntry"("workspaceId", "importId");

-- CreateIndex
CREATE UNIQUE INDEX "DncEntry_workspaceId_phone_key" ON "DncEntry"("workspaceId", "phone");

-- CreateIndex
CREATE INDEX "RegistryImport_workspaceId_fetchedAt_idx" ON "RegistryImport"("workspaceId", "fetchedAt");

-- CreateIndex
CREATE INDEX "Consent_workspaceId_phone_idx" ON "Consent"("workspaceId", "phone");

-- CreateIndex
CREATE INDEX "Consent_leadId_idx" ON "Consent"("leadId");

-- CreateIndex
CREATE UNIQUE INDEX IF NOT EXISTS "Call_leadLegSid_key" ON "Call"("leadLegSid");

