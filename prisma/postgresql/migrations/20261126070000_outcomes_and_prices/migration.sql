-- Release 2, after the call: one-tap outcomes on calls, a lead's phone marked wrong, and the call's
-- price as a number (it was Twilio's text), converted in place.
ALTER TABLE "Call" ADD COLUMN "outcome" TEXT,
ADD COLUMN "outcomeBy" TEXT,
ADD COLUMN "outcomeAt" TIMESTAMP(3);

ALTER TABLE "Lead" ADD COLUMN "phoneWrongAt" TIMESTAMP(3);

-- Backfill: "-0.01400" becomes -0.014; an empty or unreadable price becomes NULL (looked up again).
UPDATE "Call" SET "priceCheckedAt" = NULL
 WHERE "price" IS NOT NULL AND trim("price") !~ '^[+-]?[0-9]*\.?[0-9]+$';
ALTER TABLE "Call" ALTER COLUMN "price" SET DATA TYPE DECIMAL(65,30)
 USING CASE WHEN trim("price") ~ '^[+-]?[0-9]*\.?[0-9]+$' THEN trim("price")::DECIMAL(65,30) END;
