-- Full-text index of lead names (trigram: any 3+ character part of a word matches), kept in step with
-- "Lead" by triggers. Lead search reads it directly; Prisma does not model virtual tables.
CREATE VIRTUAL TABLE "LeadSearch" USING fts5("nameSearch", content='Lead', content_rowid='id', tokenize='trigram');

CREATE TRIGGER "Lead_search_insert" AFTER INSERT ON "Lead" BEGIN
  INSERT INTO "LeadSearch"(rowid, "nameSearch") VALUES (new."id", new."nameSearch");
END;

CREATE TRIGGER "Lead_search_delete" AFTER DELETE ON "Lead" BEGIN
  INSERT INTO "LeadSearch"("LeadSearch", rowid, "nameSearch") VALUES ('delete', old."id", old."nameSearch");
END;

CREATE TRIGGER "Lead_search_update" AFTER UPDATE OF "nameSearch" ON "Lead" BEGIN
  INSERT INTO "LeadSearch"("LeadSearch", rowid, "nameSearch") VALUES ('delete', old."id", old."nameSearch");
  INSERT INTO "LeadSearch"(rowid, "nameSearch") VALUES (new."id", new."nameSearch");
END;

INSERT INTO "LeadSearch"("LeadSearch") VALUES ('rebuild');
