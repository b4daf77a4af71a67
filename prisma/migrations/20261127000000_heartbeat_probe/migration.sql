-- /healthz after a full disk: a 64 KiB write (cleared again) proves there is room, which the one-page heartbeat does not.
-- AlterTable
ALTER TABLE "Heartbeat" ADD COLUMN "probe" BLOB;
