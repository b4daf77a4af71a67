-- A call's Slack message is its "post" (a "line" read as a phone line): the columns say so.
ALTER TABLE "Call" RENAME COLUMN "lineVersion" TO "postVersion";
ALTER TABLE "Call" RENAME COLUMN "lineShown" TO "postShown";
ALTER TABLE "Call" RENAME COLUMN "lineState" TO "postState";
ALTER TABLE "Call" RENAME COLUMN "lineLock" TO "postLock";
ALTER TABLE "Call" RENAME COLUMN "lineLockUntil" TO "postLockUntil";
