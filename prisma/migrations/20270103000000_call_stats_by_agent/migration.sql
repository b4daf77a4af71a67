-- CreateIndex
CREATE INDEX "Call_workspaceId_placedBy_createdAt_idx" ON "Call"("workspaceId", "placedBy", "createdAt");
