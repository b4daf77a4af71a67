-- AlterTable
ALTER TABLE "CrmOutbox" ADD COLUMN "textId" INTEGER;
