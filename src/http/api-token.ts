import type { Workspaces } from "../services/workspaces/workspace-service.js";
import type { Router } from "./router.js";

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Leadline · ${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d1c1d}code{display:block;padding:.8rem;background:#f4f4f4;border-radius:6px;word-break:break-all;font-size:1rem}</style></head><body>${body}</body></html>`;

/** The page behind /twilio-setup api-token's link: the new lead API token, once, for 10 minutes. */
export function registerApiTokenPage(
  router: Router,
  deps: { workspaces: Pick<Workspaces, "revealLeadsApiToken"> },
): void {
  router.add("GET", "/api-token", async ({ res, url }) => {
    const ws = Number(url.searchParams.get("ws"));
    const token =
      Number.isInteger(ws) && ws > 0
        ? await deps.workspaces.revealLeadsApiToken(ws, url.searchParams.get("t") ?? "")
        : undefined;
    const headers = {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    };
    if (!token) {
      res.writeHead(410, headers);
      res.end(
        page(
          "link used",
          "<h1>This link cannot be used</h1><p>It was already opened, or it is older than 10 minutes. An admin can run <b>/twilio-setup api-token</b> in Slack for a new token.</p>",
        ),
      );
      return;
    }
    res.writeHead(200, headers);
    res.end(
      page(
        "lead API token",
        `<h1>Your lead API token</h1><p>Copy it now: this page shows it once. Leadline keeps only a hash of it.</p><code>${escapeHtml(token)}</code><p>Send leads with <b>POST /api/leads</b> and the header <b>Authorization: Bearer &lt;token&gt;</b>.</p>`,
      ),
    );
  });
}
