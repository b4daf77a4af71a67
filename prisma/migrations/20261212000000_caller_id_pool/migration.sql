-- AlterTable
ALTER TABLE "Call" ADD COLUMN "callerIdRule" TEXT;

-- CreateTable
CREATE TABLE "PoolNumber" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "number" TEXT NOT NULL,
    "twilioSid" TEXT NOT NULL,
    "areaCode" TEXT,
    "state" TEXT,
    "timeZone" TEXT NOT NULL,
    "routesInbound" BOOLEAN NOT NULL DEFAULT false,
    "inPool" BOOLEAN NOT NULL DEFAULT false,
    "releasedAt" DATETIME,
    "refreshedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "PoolNumber_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LeadCallerId" (
    "leadId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "workspaceId" INTEGER NOT NULL,
    "number" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "LeadCallerId_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "NumberDayCount" (
    "workspaceId" INTEGER NOT NULL,
    "number" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("workspaceId", "number", "day")
);

-- CreateTable
CREATE TABLE "CallerIdSetting" (
    "workspaceId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "dailyCap" INTEGER NOT NULL DEFAULT 75,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "CallerIdSetting_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "PoolNumber_workspaceId_number_key" ON "PoolNumber"("workspaceId", "number");

