-- CreateIndex
CREATE INDEX "QueueClaim_workspaceId_dialedAt_idx" ON "QueueClaim"("workspaceId", "dialedAt");

-- CreateIndex
CREATE INDEX "QueueSkip_workspaceId_createdAt_idx" ON "QueueSkip"("workspaceId", "createdAt");
