-- The sweep catches up call lines left behind by an instance that stopped mid-edit.
CREATE INDEX "Call_updatedAt_idx" ON "Call"("updatedAt");
