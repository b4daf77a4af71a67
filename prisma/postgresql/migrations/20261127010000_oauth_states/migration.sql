-- Many-workspace mode: Slack OAuth install states already used, so each install link works once (issue 22, N2).
-- CreateTable
CREATE TABLE "OAuthState" (
    "hash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OAuthState_pkey" PRIMARY KEY ("hash")
);

-- CreateIndex
CREATE INDEX "OAuthState_expiresAt_idx" ON "OAuthState"("expiresAt");

