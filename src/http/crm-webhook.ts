import { z } from "zod";
import type { CrmWebhooks } from "../services/crm/crm-inbound.js";
import { WEBHOOK_BODY_CAP } from "../services/crm/crm-inbound.js";
import type { Workspaces } from "../services/workspaces/workspace-service.js";
import { type Router, readBody, sendJson } from "./router.js";

const query = z.object({ ws: z.coerce.number().int().positive() });

/**
 * `POST /crm/<provider>/webhook?ws=<workspace>`: a CRM's webhooks, for the adapter the path names
 * (`/crm/fub/webhook` is Follow Up Boss's, as registered with FUB). The body is capped, its signature
 * checked by the adapter before anything is read from it, and the people are fetched from the CRM
 * (never taken from the body); a workspace connected to another CRM takes nothing.
 */
export function registerCrmWebhook(
  router: Router,
  deps: { crmWebhooks: CrmWebhooks; workspaces: Pick<Workspaces, "isActive"> },
): void {
  router.add("POST", "/crm/:provider/webhook", async ({ req, res, url, params }) => {
    const raw = await readBody(req, WEBHOOK_BODY_CAP);
    const parsed = query.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success || !(await deps.workspaces.isActive(parsed.data.ws))) {
      sendJson(res, 404, { error: "unknown_workspace" });
      return;
    }
    const answer = await deps.crmWebhooks.receive(params.provider ?? "", parsed.data.ws, raw, req.headers);
    if (!answer) {
      sendJson(res, 404, { error: "unknown_crm" });
      return;
    }
    sendJson(res, answer.status, answer);
  });
}
