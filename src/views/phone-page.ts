const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1d1c1d}
h1{font-size:1.3rem}button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem;border-radius:6px;border:1px solid #888;cursor:pointer}
#call{background:#007a5a;color:#fff;border-color:#007a5a}button:disabled{opacity:.5;cursor:default}#status{margin-top:1rem;color:#555}`;

/** The softphone page. The session secret sits in a data attribute, read by /phone/app.js (no inline script). */
export function phonePage(input: { leadName: string; leadId: number; session: string }): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Leadline · call ${escapeHtml(input.leadName)}</title><style>${STYLE}</style></head>
<body><main id="phone" data-session="${escapeHtml(input.session)}" data-lead-id="${input.leadId}">
<h1>Call ${escapeHtml(input.leadName)}</h1>
<p>Lead #${input.leadId}. The call comes from your team's Twilio number.</p>
<button id="call" disabled>Call</button><button id="hangup" disabled>Hang up</button>
<p id="status">Getting ready…</p></main>
<script src="/phone/voice-sdk.js"></script><script src="/phone/app.js"></script></body></html>`;
}

export function phoneErrorPage(message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Leadline</title><style>${STYLE}</style></head>
<body><main><h1>This link cannot be used</h1><p id="status">${escapeHtml(message)}</p></main></body></html>`;
}
