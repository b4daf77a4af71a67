import { z } from "zod";
import type { CrmInbound } from "../services/crm/crm-inbound.js";
import { WEBHOOK_BODY_CAP } from "../services/crm/crm-inbound.js";
import type { Workspaces } from "../services/workspaces/workspace-service.js";
import { type Router, readBody, sendJson } from "./router.js";

const query = z.object({ ws: z.coerce.number().int().positive() });

/**
 * `POST /crm/fub/webhook?ws=<workspace>`: Follow Up Boss's webhooks (peopleCreated, peopleUpdated).
 * The body is capped, the FUB-Signature checked before anything is read from it, and the people are
 * fetched from FUB (never taken from the body).
 */
export function registerCrmWebhook(
  router: Router,
  deps: { crmInbound: CrmInbound; workspaces: Pick<Workspaces, "isActive"> },
): void {
  router.add("POST", "/crm/fub/webhook", async ({ req, res, url }) => {
    const raw = await readBody(req, WEBHOOK_BODY_CAP);
    const parsed = query.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success || !(await deps.workspaces.isActive(parsed.data.ws))) {
      sendJson(res, 404, { error: "unknown_workspace" });
      return;
    }
    const answer = await deps.crmInbound.receive(parsed.data.ws, raw, req.headers);
    sendJson(res, answer.status, answer);
  });
}
