-- AlterTable
ALTER TABLE "QueueRun" ADD COLUMN     "listenCallSid" TEXT,
ADD COLUMN     "listenMode" TEXT,
ADD COLUMN     "listenerId" TEXT;
