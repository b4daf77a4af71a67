-- AlterTable
ALTER TABLE "Call" ADD COLUMN     "callerIdRule" TEXT;

-- CreateTable
CREATE TABLE "PoolNumber" (
    "id" SERIAL NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "number" TEXT NOT NULL,
    "twilioSid" TEXT NOT NULL,
    "areaCode" TEXT,
    "state" TEXT,
    "timeZone" TEXT NOT NULL,
    "routesInbound" BOOLEAN NOT NULL DEFAULT false,
    "inPool" BOOLEAN NOT NULL DEFAULT false,
    "releasedAt" TIMESTAMP(3),
    "refreshedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PoolNumber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LeadCallerId" (
    "leadId" INTEGER NOT NULL,
    "workspaceId" INTEGER NOT NULL,
    "number" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LeadCallerId_pkey" PRIMARY KEY ("leadId")
);

-- CreateTable
CREATE TABLE "NumberDayCount" (
    "workspaceId" INTEGER NOT NULL,
    "number" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "NumberDayCount_pkey" PRIMARY KEY ("workspaceId","number","day")
);

-- CreateTable
CREATE TABLE "CallerIdSetting" (
    "workspaceId" INTEGER NOT NULL,
    "dailyCap" INTEGER NOT NULL DEFAULT 75,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CallerIdSetting_pkey" PRIMARY KEY ("workspaceId")
);

-- CreateIndex
CREATE UNIQUE INDEX "PoolNumber_workspaceId_number_key" ON "PoolNumber"("workspaceId", "number");

-- AddForeignKey
ALTER TABLE "PoolNumber" ADD CONSTRAINT "PoolNumber_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LeadCallerId" ADD CONSTRAINT "LeadCallerId_leadId_fkey" FOREIGN KEY ("leadId") REFERENCES "Lead"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CallerIdSetting" ADD CONSTRAINT "CallerIdSetting_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

