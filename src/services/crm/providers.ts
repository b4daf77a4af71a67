import type { CrmProviderModule } from "./connector.js";
import { fubModule } from "./fub.js";

/**
 * Every CRM Leadline can connect, by id. Adding a CRM is its adapter file (a `CrmProviderModule`)
 * and one line here: its variables are read at start, `/crm-setup <id>` connects it, the outbox logs
 * to it and `/crm/<id>/webhook` takes its webhooks, for each workspace connected to it. The first is
 * the default `/crm-setup` offers.
 */
export const CRM_PROVIDERS: readonly CrmProviderModule[] = [fubModule];
