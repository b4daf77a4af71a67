-- AlterTable
ALTER TABLE "QueueRun" ADD COLUMN "listenCallSid" TEXT;
ALTER TABLE "QueueRun" ADD COLUMN "listenMode" TEXT;
ALTER TABLE "QueueRun" ADD COLUMN "listenerId" TEXT;

