-- Release 2 core: extensions and last-4 search on leads, one full-text index over name, email and
-- source; the call line's version, lease and facts; one call per click (originKey).
-- Columns are added in place (no table rebuild), so the lead search triggers keep their table.
ALTER TABLE "Lead" ADD COLUMN "searchText" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Lead" ADD COLUMN "phoneExt" TEXT;
ALTER TABLE "Lead" ADD COLUMN "phoneLast4" TEXT;
UPDATE "Lead" SET
  "phoneLast4" = CASE WHEN "phone" IS NULL THEN NULL ELSE substr("phone", -4) END,
  "searchText" = trim("nameSearch" || ' ' || lower(coalesce("email", '')) || ' ' || lower(coalesce("source", '')));
CREATE INDEX "Lead_phoneLast4_idx" ON "Lead"("phoneLast4");

DROP TRIGGER "Lead_search_insert";
DROP TRIGGER "Lead_search_delete";
DROP TRIGGER "Lead_search_update";
DROP TABLE "LeadSearch";
CREATE VIRTUAL TABLE "LeadSearch" USING fts5("searchText", content='Lead', content_rowid='id', tokenize='trigram');
CREATE TRIGGER "Lead_search_insert" AFTER INSERT ON "Lead" BEGIN
  INSERT INTO "LeadSearch"(rowid, "searchText") VALUES (new."id", new."searchText");
END;
CREATE TRIGGER "Lead_search_delete" AFTER DELETE ON "Lead" BEGIN
  INSERT INTO "LeadSearch"("LeadSearch", rowid, "searchText") VALUES ('delete', old."id", old."searchText");
END;
CREATE TRIGGER "Lead_search_update" AFTER UPDATE OF "searchText" ON "Lead" BEGIN
  INSERT INTO "LeadSearch"("LeadSearch", rowid, "searchText") VALUES ('delete', old."id", old."searchText");
  INSERT INTO "LeadSearch"(rowid, "searchText") VALUES (new."id", new."searchText");
END;
INSERT INTO "LeadSearch"("LeadSearch") VALUES ('rebuild');

ALTER TABLE "Call" ADD COLUMN "originKey" TEXT;
ALTER TABLE "Call" ADD COLUMN "lineVersion" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Call" ADD COLUMN "lineShown" INTEGER NOT NULL DEFAULT -1;
ALTER TABLE "Call" ADD COLUMN "lineState" TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE "Call" ADD COLUMN "lineLock" TEXT;
ALTER TABLE "Call" ADD COLUMN "lineLockUntil" DATETIME;
CREATE UNIQUE INDEX "Call_originKey_key" ON "Call"("originKey");
-- Lines of calls made before this release are as posted; nothing to catch up.
UPDATE "Call" SET "lineState" = CASE WHEN "slackTs" IS NULL THEN 'none' ELSE 'posted' END, "lineShown" = 0;

CREATE TABLE "CallFact" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "callId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CallFact_callId_fkey" FOREIGN KEY ("callId") REFERENCES "Call" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "CallFact_callId_kind_key" ON "CallFact"("callId", "kind");
