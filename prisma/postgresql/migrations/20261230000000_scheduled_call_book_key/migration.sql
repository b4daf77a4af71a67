-- AlterTable
ALTER TABLE "ScheduledCall" ADD COLUMN     "bookKey" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "ScheduledCall_workspaceId_bookKey_key" ON "ScheduledCall"("workspaceId", "bookKey");

