import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../sandbox/slack/block-kit/index.js";
import {
  agentSettingsModal,
  agentSettingsSaved,
  browserLinkMessage,
  CALL_LEAD_HELP,
  callPlacedUnposted,
  missingSettingsNotice,
} from "../../src/views/call-card.js";
import { phoneErrorPage, phonePage } from "../../src/views/phone-page.js";
import { HOSTILE_NAME, shownText } from "./fixtures.js";

// /call-lead's answers around the card: the browser phone's link and page, the agent's own phone, a
// call placed where Leadline cannot post.

describe("/call-lead's answers", () => {
  it("the browser phone's link: one use, 10 minutes, a button that opens it", () => {
    const message = browserLinkMessage("Jane Doe", "https://leadline.example.com/phone?t=abc");
    expect(message.text).toBe("Your browser phone for Jane Doe is ready. The link works once, for 10 minutes.");
    expect(shownText(message.blocks)).toBe(`:computer: ${message.text}\nOpen the browser phone`);
    expect(JSON.stringify(message.blocks)).toContain('"url":"https://leadline.example.com/phone?t=abc"');
    expect(blockKitProblems(message.blocks, "message")).toEqual([]);
    expect(browserLinkMessage(HOSTILE_NAME, "https://x.example/p").text).not.toContain("<!channel>");
  });

  it("the agent's phone: the form shows the saved number; saved and cleared say what now rings", () => {
    const form = agentSettingsModal("+12125550199", '{"channel":"C1"}');
    expect(form.private_metadata).toBe('{"channel":"C1"}');
    expect(JSON.stringify(form.blocks)).toContain('"initial_value":"+12125550199"');
    expect(blockKitProblems(form.blocks, "modal")).toEqual([]);
    expect(JSON.stringify(agentSettingsModal(undefined).blocks)).not.toContain("initial_value");
    expect(shownText(agentSettingsSaved("+12125550199").blocks)).toBe(
      ":white_check_mark: *Saved.* Your calls now ring *+1 212 555 0199* first: a live call when you press Call, and a voice bridge when the lead presses 1.\nChange it any time with `/call-lead settings`.",
    );
    expect(shownText(agentSettingsSaved(undefined).blocks)).toContain(
      ":white_check_mark: *Cleared.* Your calls now ring the team's agent phone",
    );
  });

  it("a call placed where the app cannot post: placed, its SID, and how to see calls here", () => {
    expect(callPlacedUnposted("Jane Doe", "CA123").text).toBe(
      ":telephone_receiver: The call to *Jane Doe* is placed (Call SID CA123), but Leadline could not post in this channel. Invite the app (`/invite @Leadline`) to see calls here.",
    );
    expect(callPlacedUnposted(HOSTILE_NAME, null).text).not.toMatch(/<!channel>|<@U0ADMIN01>|\(Call SID/);
  });

  it("missing settings name what is missing and who can add it; help escapes its placeholders", () => {
    expect(missingSettingsNotice(["Agent phone", "Call message"])).toBe(
      ":warning: Missing Twilio settings: Agent phone, Call message. An admin can run `/twilio-setup` to add them.",
    );
    expect(CALL_LEAD_HELP).toContain("`&lt;name, phone or lead id&gt; [live|message|bridge|browser]`");
    // Every form the command takes is named: scheduling, the list of scheduled calls, the agent's phone.
    for (const form of ["`/call-lead jane at 3pm`", "`/call-lead scheduled`", "`/call-lead settings`"])
      expect(CALL_LEAD_HELP).toContain(form);
  });
});

describe("the browser phone page", () => {
  it("escapes the lead's name and the session in HTML; loads no inline script", () => {
    const html = phonePage({ leadName: `<script>alert("x")</script> O'Brien`, leadId: 12, session: `a"b<c` });
    expect(html).toContain(
      "<title>Leadline · call &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien</title>",
    );
    expect(html).toContain('data-session="a&quot;b&lt;c" data-lead-id="12"');
    expect(html).not.toContain("<script>alert");
    expect(html.match(/<script\b[^>]*>/g)).toEqual([
      '<script src="/phone/voice-sdk.js">',
      '<script src="/phone/app.js">',
    ]);
  });

  it("an unusable link says why, escaped", () => {
    const html = phoneErrorPage("This link was already used <b>once</b>.");
    expect(html).toContain("<h1>This link cannot be used</h1>");
    expect(html).toContain('<p id="status">This link was already used &lt;b&gt;once&lt;/b&gt;.</p>');
  });
});
