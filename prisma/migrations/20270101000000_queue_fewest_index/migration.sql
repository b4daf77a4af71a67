-- CreateIndex
CREATE INDEX "QueueLead_queueId_attempts_leadId_idx" ON "QueueLead"("queueId", "attempts", "leadId");
