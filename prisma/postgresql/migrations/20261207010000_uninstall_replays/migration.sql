-- An uninstall event older than the latest install (a replay, a late retry) changes nothing.
ALTER TABLE "Workspace" ADD COLUMN "installedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "SlackEventSeen" (
    "eventId" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SlackEventSeen_pkey" PRIMARY KEY ("eventId")
);

-- CreateIndex
CREATE INDEX "SlackEventSeen_seenAt_idx" ON "SlackEventSeen"("seenAt");
