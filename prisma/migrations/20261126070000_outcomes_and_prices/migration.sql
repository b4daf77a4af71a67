-- Release 2, after the call: one-tap outcomes on calls, a lead's phone marked wrong, and the call's
-- price as a number (it was Twilio's text). Written by hand: columns are added, converted and dropped
-- in place, with no table rebuild (a rebuild would drop "Call", and with it the rows that reference it).
ALTER TABLE "Call" ADD COLUMN "outcome" TEXT;
ALTER TABLE "Call" ADD COLUMN "outcomeBy" TEXT;
ALTER TABLE "Call" ADD COLUMN "outcomeAt" DATETIME;
ALTER TABLE "Lead" ADD COLUMN "phoneWrongAt" DATETIME;

-- Backfill: "-0.01400" becomes -0.014; an empty or unreadable price becomes NULL (looked up again).
ALTER TABLE "Call" ADD COLUMN "priceNumber" DECIMAL;
UPDATE "Call" SET "priceNumber" = CAST("price" AS REAL)
 WHERE "price" IS NOT NULL AND trim("price") GLOB '*[0-9]*' AND trim("price") NOT GLOB '*[^0-9.+-]*';
UPDATE "Call" SET "priceCheckedAt" = NULL WHERE "price" IS NOT NULL AND "priceNumber" IS NULL;
ALTER TABLE "Call" DROP COLUMN "price";
ALTER TABLE "Call" RENAME COLUMN "priceNumber" TO "price";
