-- Release 2, calling law: the do-not-call list keyed by phone, registry imports, consent records, the
-- lead's address (state, ZIP), and the two legs of a live call.
-- AlterTable
ALTER TABLE "Lead" ADD COLUMN     "state" TEXT,
ADD COLUMN     "zip" TEXT;

-- AlterTable
ALTER TABLE "Call" ADD COLUMN     "agentNumber" TEXT,
ADD COLUMN     "agentLegStatus" TEXT,
ADD COLUMN     "leadLegSid" TEXT;

-- CreateTable
CREATE TABLE "DncEntry" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "phone" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "reason" TEXT,
    "addedBy" TEXT NOT NULL,
    "importId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DncEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegistryImport" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "file" TEXT NOT NULL,
    "numbers" INTEGER NOT NULL,
    "fetchedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RegistryImport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Consent" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "leadId" INTEGER NOT NULL,
    "phone" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "sourceUrl" TEXT,
    "recordedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "revokedHow" TEXT,

    CONSTRAINT "Consent_pkey" PRIMARY KEY ("id")
);

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
CREATE UNIQUE INDEX "Call_leadLegSid_key" ON "Call"("leadLegSid");

-- AddForeignKey
ALTER TABLE "DncEntry" ADD CONSTRAINT "DncEntry_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RegistryImport" ADD CONSTRAINT "RegistryImport_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Consent" ADD CONSTRAINT "Consent_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The do-not-call flag on leads becomes the list, keyed by phone; then the flag goes.
INSERT INTO "DncEntry" ("workspaceId", "phone", "source", "reason", "addedBy")
SELECT DISTINCT ON ("workspaceId", "phone") "workspaceId", "phone", 'keypress', 'marked do-not-call before release 2', 'migration'
FROM "Lead" WHERE "doNotCall" AND "phone" IS NOT NULL;
ALTER TABLE "Lead" DROP COLUMN "doNotCall";
