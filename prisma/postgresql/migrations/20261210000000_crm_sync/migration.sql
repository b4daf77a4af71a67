-- CreateTable
CREATE TABLE "CrmConnection" (
    "workspaceId" INTEGER NOT NULL,
    "provider" TEXT NOT NULL,
    "accountName" TEXT,
    "keyUserName" TEXT,
    "webhookIds" TEXT,
    "webhookError" TEXT,
    "connectedBy" TEXT NOT NULL,
    "pausedUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CrmConnection_pkey" PRIMARY KEY ("workspaceId")
);

-- CreateTable
CREATE TABLE "CrmUser" (
    "workspaceId" INTEGER NOT NULL,
    "slackUserId" TEXT NOT NULL,
    "crmUserId" INTEGER NOT NULL,
    "email" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CrmUser_pkey" PRIMARY KEY ("workspaceId","slackUserId")
);

-- CreateTable
CREATE TABLE "CrmPerson" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,
    "leadId" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CrmPerson_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrmOutbox" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "sid" TEXT NOT NULL,
    "callId" INTEGER,
    "state" TEXT NOT NULL DEFAULT 'waiting',
    "version" INTEGER NOT NULL DEFAULT 1,
    "sentVersion" INTEGER NOT NULL DEFAULT 0,
    "remoteId" INTEGER,
    "personId" INTEGER,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maybeSent" BOOLEAN NOT NULL DEFAULT false,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "claimedBy" TEXT,
    "claimedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CrmOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CrmWebhookSeen" (
    "workspaceId" INTEGER NOT NULL,
    "eventId" TEXT NOT NULL,
    "resourceId" INTEGER NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CrmWebhookSeen_pkey" PRIMARY KEY ("workspaceId","eventId","resourceId")
);

-- CreateIndex
CREATE INDEX "CrmUser_workspaceId_crmUserId_idx" ON "CrmUser"("workspaceId", "crmUserId");

-- CreateIndex
CREATE INDEX "CrmPerson_workspaceId_leadId_idx" ON "CrmPerson"("workspaceId", "leadId");

-- CreateIndex
CREATE UNIQUE INDEX "CrmPerson_workspaceId_personId_key" ON "CrmPerson"("workspaceId", "personId");

-- CreateIndex
CREATE INDEX "CrmOutbox_state_dueAt_idx" ON "CrmOutbox"("state", "dueAt");

-- CreateIndex
CREATE UNIQUE INDEX "CrmOutbox_workspaceId_kind_sid_key" ON "CrmOutbox"("workspaceId", "kind", "sid");

-- CreateIndex
CREATE INDEX "CrmWebhookSeen_seenAt_idx" ON "CrmWebhookSeen"("seenAt");

-- AddForeignKey
ALTER TABLE "CrmConnection" ADD CONSTRAINT "CrmConnection_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrmUser" ADD CONSTRAINT "CrmUser_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrmPerson" ADD CONSTRAINT "CrmPerson_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CrmOutbox" ADD CONSTRAINT "CrmOutbox_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

