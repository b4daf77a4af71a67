-- CreateIndex
CREATE INDEX "Lead_workspaceId_lastContactedAt_createdAt_id_idx" ON "Lead"("workspaceId", "lastContactedAt", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Lead_workspaceId_createdAt_id_idx" ON "Lead"("workspaceId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Call_workspaceId_outcome_idx" ON "Call"("workspaceId", "outcome");

