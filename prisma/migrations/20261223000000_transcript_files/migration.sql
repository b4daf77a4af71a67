-- AlterTable
ALTER TABLE "CallTranscript" ADD COLUMN "slackFileId" TEXT;
