-- An uninstall event older than the latest install (a replay, a late retry) changes nothing.
ALTER TABLE "Workspace" ADD COLUMN "installedAt" DATETIME;

-- CreateTable
CREATE TABLE "SlackEventSeen" (
    "eventId" TEXT NOT NULL PRIMARY KEY,
    "seenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "SlackEventSeen_seenAt_idx" ON "SlackEventSeen"("seenAt");
