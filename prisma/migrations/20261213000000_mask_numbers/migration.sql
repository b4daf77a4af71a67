-- Channel messages show a lead's number as its last 4 digits: on for new installs; workspaces already in
-- use (claimed by a Slack team, or holding leads or settings) keep showing full numbers until an admin
-- turns it on. The unclaimed row a fresh single-workspace database starts with is a new install.
ALTER TABLE "Workspace" ADD COLUMN "maskNumbers" BOOLEAN NOT NULL DEFAULT true;
UPDATE "Workspace" SET "maskNumbers" = false
 WHERE "teamId" <> '' OR "enterpriseId" <> ''
    OR EXISTS (SELECT 1 FROM "Lead" WHERE "Lead"."workspaceId" = "Workspace"."id")
    OR EXISTS (SELECT 1 FROM "Secret" WHERE "Secret"."workspaceId" = "Workspace"."id");
