-- Many-workspace mode: Slack OAuth install states already used, so each install link works once (issue 22, N2).
-- CreateTable
CREATE TABLE "OAuthState" (
    "hash" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "OAuthState_expiresAt_idx" ON "OAuthState"("expiresAt");

