// The sandbox's Slack console: renders the channel and modals from the app's real Block Kit, and
// turns typing and clicking into commands, block_actions and view_submissions (the console server
// signs them and sends them to Leadline, as Slack does).
(() => {
  const $ = (id) => document.getElementById(id);
  const userSelect = $("user");
  let current = null;
  let renderedModal = "";
  let me = new URLSearchParams(location.search).get("user") || localStorage.getItem("sandbox-user") || "";

  const EMOJI = {
    telephone_receiver: "📞",
    phone: "☎️",
    white_check_mark: "✅",
    x: "❌",
    warning: "⚠️",
    no_entry: "⛔",
    no_entry_sign: "🚫",
    hourglass: "⌛",
    hourglass_flowing_sand: "⏳",
    mailbox_with_mail: "📬",
    speech_balloon: "💬",
    bust_in_silhouette: "👤",
    memo: "📝",
    lock: "🔒",
    gear: "⚙️",
    mag: "🔍",
    heavy_plus_sign: "➕",
    studio_microphone: "🎙️",
    computer: "💻",
    iphone: "📱",
    link: "🔗",
    clock3: "🕒",
    tada: "🎉",
    busts_in_silhouette: "👥",
    arrows_counterclockwise: "🔄",
    information_source: "ℹ️",
    red_circle: "🔴",
    large_green_circle: "🟢",
    incoming_envelope: "📨",
    stopwatch: "⏱️",
    calling: "📲",
    grey_question: "❔",
    alarm_clock: "⏰",
    inbox_tray: "📥",
    unlock: "🔓",
    page_facing_up: "📄",
    wastebasket: "🗑️",
    ear: "👂",
    outbox_tray: "📤",
    traffic_light: "🚥",
    rotating_light: "🚨",
    raised_hand: "✋",
    key: "🔑",
    floppy_disk: "💾",
    fast_forward: "⏩",
  };

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };
  const html = (markup) => {
    const span = document.createElement("span");
    span.innerHTML = markup;
    return span;
  };
  const escapeHtml = (text) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const decode = (text) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const emoji = (text) => text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);

  function userName(id) {
    const user = current?.users.find((u) => u.id === id);
    return user ? user.name : id;
  }

  /**
   * Slack mrkdwn to HTML: lines that start with `>` are a block quote (Slack's "Block quotes" in its
   * formatting reference); the rest as `spans` reads it.
   */
  function mrkdwn(text) {
    const runs = [];
    for (const line of text.split("\n")) {
      const quoted = /^(>|&gt;)/.test(line);
      const body = quoted ? line.replace(/^(>|&gt;)/, "") : line;
      const run = runs[runs.length - 1];
      if (run && run.quoted === quoted) run.lines.push(body);
      else runs.push({ quoted, lines: [body] });
    }
    return runs
      .map((run) =>
        run.quoted
          ? `<blockquote class="quote">${spans(run.lines.join("\n"))}</blockquote>`
          : spans(run.lines.join("\n")),
      )
      .join("");
  }

  /** Escaped text, <links|labels>, mentions, *bold*, _italic_, ~strike~, `code`. */
  function spans(text) {
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(/<([^<>]+)>/g)) {
      parts.push(inline(text.slice(last, match.index)));
      const [target, label] = match[1].split("|");
      if (target.startsWith("@"))
        parts.push(`<b class="mention">@${escapeHtml(label || userName(target.slice(1)))}</b>`);
      else if (target.startsWith("#")) parts.push(`<b class="mention">#${escapeHtml(label || target.slice(1))}</b>`);
      else if (target.startsWith("!"))
        parts.push(`<b class="mention">@${escapeHtml(target.slice(1).split("^")[0])}</b>`);
      else if (/^(https?:|mailto:|tel:)/.test(target)) {
        parts.push(
          `<a href="${escapeHtml(decode(target))}" target="_blank" rel="noopener">${inline(label || target)}</a>`,
        );
      } else parts.push(escapeHtml(decode(match[0])));
      last = match.index + match[0].length;
    }
    parts.push(inline(text.slice(last)));
    return parts.join("");
  }

  function inline(raw) {
    let out = escapeHtml(decode(raw));
    out = out.replace(/```([\s\S]*?)```/g, "<pre>$1</pre>");
    out = out.replace(/`([^`\n]+)`/g, "<code>$1</code>");
    // Slack needs the marker next to a word and a boundary outside it; a zero-width space breaks it.
    const style = (marker, tag) => {
      const m = marker.replace(/[*~]/g, "\\$&");
      const re = new RegExp(`(^|[\\s(>"'])${m}(?![\\s\u200b])([^\\n]*?[^\\s\u200b])${m}(?=$|[\\s.,;:!?)<"'])`, "g");
      out = out.replace(re, `$1<${tag}>$2</${tag}>`);
    };
    style("*", "b");
    style("_", "i");
    style("~", "s");
    return emoji(out).replace(/\n/g, "<br>");
  }

  const textNode = (obj) => {
    if (!obj) return el("span");
    return obj.type === "mrkdwn"
      ? html(mrkdwn(obj.text))
      : el("span", {}, obj.emoji === false ? obj.text : emoji(obj.text));
  };
  const richText = (node) =>
    typeof node.text === "string"
      ? node.text
      : (node.elements || []).map(richText).join(node.type === "rich_text" ? "\n" : "");
  const unknown = (what, type) =>
    el("span", { class: "unknown", "data-unknown": type }, `Unsupported ${what}: ${type}`);

  // ---- elements -------------------------------------------------------------------------------

  function confirmed(element) {
    const c = element.confirm;
    if (!c) return true;
    return window.confirm(`${c.title?.text || "Are you sure?"}\n\n${c.text?.text || ""}`);
  }

  function optionsOf(element) {
    if (element.option_groups) return element.option_groups.flatMap((group) => group.options);
    return element.options || [];
  }

  function renderElement(element, ctx, blockId, inInput) {
    const actionId = element.action_id || `${blockId}-${element.type}`;
    const send = (action) => ctx.act({ ...action, action_id: actionId, block_id: blockId });
    const data = { "data-block": blockId, "data-action": actionId, "data-type": element.type };
    switch (element.type) {
      case "button": {
        const attrs = {
          class: `button ${element.style || ""}`.trim(),
          "data-action-id": actionId,
          onclick: (event) => {
            if (!confirmed(element)) {
              event.preventDefault();
              return;
            }
            // A link button opens its URL and still tells the app, as Slack does.
            send({ type: "button", value: element.value, text: element.text });
          },
        };
        return element.url
          ? el("a", { ...attrs, href: element.url, target: "_blank", rel: "noopener" }, textNode(element.text))
          : el("button", { ...attrs, type: "button" }, textNode(element.text));
      }
      case "static_select":
      case "overflow": {
        const options = optionsOf(element);
        const select = el(
          "select",
          { ...data, "aria-label": element.placeholder?.text || "Choose" },
          el("option", { value: "" }, element.placeholder?.text || (element.type === "overflow" ? "⋯" : "Choose")),
          options.map((option) =>
            el(
              "option",
              { value: option.value, selected: element.initial_option?.value === option.value },
              option.text.text,
            ),
          ),
        );
        if (!inInput) {
          select.addEventListener("change", () => {
            const option = options.find((o) => o.value === select.value);
            if (!option || !confirmed(element)) return;
            send(
              element.type === "overflow"
                ? { type: "overflow", selected_option: option }
                : { type: "static_select", selected_option: option },
            );
          });
        }
        return select;
      }
      case "plain_text_input": {
        const attrs = {
          ...data,
          placeholder: element.placeholder?.text,
          maxlength: element.max_length,
          "aria-label": ctx.label || actionId,
        };
        if (element.multiline) return el("textarea", attrs, element.initial_value || "");
        const input = el("input", { ...attrs, type: "text" });
        input.value = element.initial_value || "";
        return input;
      }
      case "email_text_input":
      case "url_text_input":
      case "number_input": {
        const input = el("input", { ...data, type: "text", placeholder: element.placeholder?.text });
        input.value = element.initial_value || "";
        return input;
      }
      case "datepicker":
      case "timepicker":
      case "datetimepicker": {
        const kind = { datepicker: "date", timepicker: "time", datetimepicker: "datetime-local" }[element.type];
        const input = el("input", { ...data, type: kind, "aria-label": ctx.label || actionId });
        if (element.type === "datepicker") input.value = element.initial_date || "";
        else if (element.type === "timepicker") input.value = element.initial_time || "";
        else if (element.initial_date_time) input.value = localDateTime(element.initial_date_time);
        if (!inInput) input.addEventListener("change", () => send(pickedValue(input)));
        return input;
      }
      case "users_select": {
        // Slack lists the workspace's members; the value is the chosen member's id.
        const select = el(
          "select",
          { ...data, "aria-label": ctx.label || element.placeholder?.text || "Choose a person" },
          el("option", { value: "" }, element.placeholder?.text || "Choose a person"),
          (current?.users || []).map((user) =>
            el(
              "option",
              { value: user.id, selected: element.initial_user === user.id },
              `${user.realName} (@${user.name})`,
            ),
          ),
        );
        if (!inInput) select.addEventListener("change", () => send(pickedValue(select)));
        return select;
      }
      case "file_input": {
        // The file goes to Slack when picked (as Slack uploads it); the view's state then carries its file object.
        const accept = (element.filetypes || []).map((type) => `.${type}`).join(",");
        const input = el("input", {
          ...data,
          type: "file",
          accept: accept || undefined,
          "aria-label": ctx.label || actionId,
        });
        input.dataset.files = "[]";
        input.addEventListener("change", async () => {
          const files = [];
          for (const file of [...input.files].slice(0, element.max_files || 10)) {
            const bytes = new Uint8Array(await file.arrayBuffer());
            let binary = "";
            for (let i = 0; i < bytes.length; i += 0x8000)
              binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
            const res = await fetch("/sandbox/file", {
              method: "POST",
              headers: { "content-type": "application/json", "x-sandbox-token": token },
              body: JSON.stringify({ user: me, name: file.name, type: file.type, data: btoa(binary) }),
            });
            const answer = await res.json();
            if (!res.ok) {
              alert(answer.error || "Slack did not take that file.");
              input.value = "";
              continue;
            }
            files.push(answer.file);
          }
          input.dataset.files = JSON.stringify(files);
          input.dataset.uploaded = String(files.length);
        });
        return input;
      }
      case "checkboxes":
      case "radio_buttons": {
        const initial = new Set(
          (element.initial_options || (element.initial_option ? [element.initial_option] : [])).map((o) => o.value),
        );
        const name = `${blockId}-${actionId}`;
        return el(
          "div",
          { ...data, class: "choices" },
          (element.options || []).map((option) =>
            el(
              "label",
              { class: "option" },
              el("input", {
                type: element.type === "checkboxes" ? "checkbox" : "radio",
                name,
                value: option.value,
                checked: initial.has(option.value),
                "data-text": option.text.text,
              }),
              " ",
              textNode(option.text),
              option.description ? el("div", { class: "hint" }, textNode(option.description)) : null,
            ),
          ),
        );
      }
      case "image":
        return el("img", { src: element.image_url, alt: element.alt_text, width: 16, height: 16 });
      default:
        return unknown("element", element.type);
    }
  }

  /** A date-time picker's initial value (Unix seconds) as the browser's datetime-local text. */
  function localDateTime(seconds) {
    const date = new Date(seconds * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
  }

  /** One picker's or user menu's value, in the fields Slack gives it in state.values and block_actions. */
  function pickedValue(node) {
    const type = node.dataset.type;
    if (type === "datepicker") return { type, selected_date: node.value || null };
    if (type === "timepicker") return { type, selected_time: node.value || null };
    if (type === "datetimepicker")
      return { type, selected_date_time: node.value ? Math.floor(new Date(node.value).getTime() / 1000) : null };
    if (type === "users_select") return { type, selected_user: node.value || null };
    return { type };
  }

  /** The state.values Slack sends with a view: every input's current value by block and action id. */
  function collectState(root) {
    const values = {};
    for (const node of root.querySelectorAll("[data-block][data-action]")) {
      const { block, action, type } = node.dataset;
      let value;
      if (
        type === "plain_text_input" ||
        type === "email_text_input" ||
        type === "url_text_input" ||
        type === "number_input"
      ) {
        value = { type, value: node.value === "" ? null : node.value };
      } else if (["datepicker", "timepicker", "datetimepicker", "users_select"].includes(type)) {
        value = pickedValue(node);
      } else if (type === "file_input") {
        value = { type, files: JSON.parse(node.dataset.files || "[]") };
      } else if (type === "static_select") {
        const option = node.value
          ? { text: { type: "plain_text", text: node.selectedOptions[0].textContent }, value: node.value }
          : null;
        value = { type, selected_option: option };
      } else if (type === "checkboxes" || type === "radio_buttons") {
        const chosen = [...node.querySelectorAll("input:checked")].map((input) => ({
          text: { type: "plain_text", text: input.dataset.text },
          value: input.value,
        }));
        value =
          type === "checkboxes" ? { type, selected_options: chosen } : { type, selected_option: chosen[0] || null };
      } else continue;
      values[block] ||= {};
      values[block][action] = value;
    }
    return values;
  }

  // ---- blocks ---------------------------------------------------------------------------------

  function renderBlocks(blocks, ctx) {
    return blocks.map((block, index) => {
      const blockId = block.block_id || `b${index}`;
      const wrap = (...children) =>
        el("div", { class: `block ${block.type}`, "data-block-type": block.type }, ...children);
      switch (block.type) {
        case "section":
          return wrap(
            el(
              "div",
              { class: "section-row" },
              el(
                "div",
                {},
                block.text ? textNode(block.text) : null,
                block.fields
                  ? el(
                      "div",
                      { class: "fields" },
                      block.fields.map((field) => el("div", {}, textNode(field))),
                    )
                  : null,
              ),
              block.accessory ? renderElement(block.accessory, ctx, blockId, false) : null,
            ),
          );
        case "header":
          return wrap(el("h3", { class: "header" }, textNode(block.text)));
        case "divider":
          return wrap(el("hr", { class: "divider" }));
        case "context":
          return wrap(
            el(
              "div",
              { class: "context" },
              block.elements.map((element) =>
                element.type === "image" ? renderElement(element, ctx, blockId, false) : textNode(element),
              ),
            ),
          );
        case "actions":
          return wrap(
            el(
              "div",
              { class: "actions" },
              block.elements.map((element) => renderElement(element, ctx, blockId, false)),
            ),
          );
        case "input": {
          const error = ctx.errors?.[blockId];
          return el(
            "div",
            { class: `input${error ? " invalid" : ""}`, "data-input-block": blockId },
            el(
              "label",
              { class: "label" },
              textNode(block.label),
              block.optional ? el("span", { class: "optional" }, " (optional)") : null,
            ),
            renderElement(block.element, { ...ctx, label: block.label.text }, blockId, true),
            block.hint ? el("div", { class: "hint" }, textNode(block.hint)) : null,
            error ? el("div", { class: "error", role: "alert" }, error) : null,
          );
        }
        case "image":
          return wrap(el("img", { src: block.image_url, alt: block.alt_text, style: "max-width:360px" }));
        case "rich_text":
          return wrap(el("div", {}, richText(block)));
        default:
          return wrap(unknown("block", block.type));
      }
    });
  }

  // ---- channel --------------------------------------------------------------------------------

  const AGENT_CHOICES = { answers: "Agent answers", "no-answer": "Nobody answers → voicemail" };

  /** Who can call back from a call's line: its lead, or (an unknown caller's line) the number on Add as lead. */
  function callbackFrom(message) {
    const blocks = message.blocks || [];
    const contexts = blocks
      .filter((block) => block.type === "context")
      .flatMap((block) => block.elements.map((element) => element.text || ""));
    const line = contexts.find((text) => /Call SID CA[0-9a-f]{32}|Inbound call/.test(text));
    if (!line) return null;
    const lead = /lead #(\d+)/.exec(line);
    if (lead) return { target: { leadId: Number(lead[1]) }, label: "Lead calls back" };
    for (const block of blocks) {
      if (block.type !== "actions") continue;
      for (const element of block.elements) {
        if (element.action_id !== "lead_add_open") continue;
        try {
          const phone = JSON.parse(element.value || "{}").phone;
          if (phone) return { target: { from: phone }, label: "Caller calls again" };
        } catch {}
      }
    }
    return null;
  }

  /** The sandbox's own control under a call's line: play an inbound call from that lead's number. */
  function callbackStrip(message) {
    const from = callbackFrom(message);
    if (!from) return null;
    const choices = current?.info?.inbound?.choices || AGENT_CHOICES;
    return el(
      "div",
      { class: "sandbox-strip", "data-testid": "callback" },
      el("span", { class: "sandbox-tag", title: "Not part of Slack: the sandbox's Twilio" }, "Sandbox"),
      ` ${from.label}:`,
      Object.entries(choices).map(([agent, text]) =>
        el(
          "button",
          {
            type: "button",
            class: "button",
            "data-callback": agent,
            onclick: () => post("/sandbox/inbound", { ...from.target, agent }),
          },
          text,
        ),
      ),
    );
  }

  function renderMessage(message, replies) {
    const ctx = {
      act: (action) => post("/sandbox/action", { user: me, channel: message.channel, ts: message.ts, action }),
    };
    const time = new Date(Number(message.ts.split(".")[0]) * 1000).toLocaleTimeString([], {
      hour: "2-digit",
      minute: "2-digit",
    });
    return el(
      "li",
      { class: `message${message.visibleTo ? " ephemeral" : ""}`, "data-ts": message.ts, "data-testid": "message" },
      el(
        "div",
        { class: "meta" },
        el("span", { class: "author" }, message.author),
        message.bot ? el("span", { class: "badge" }, "APP") : null,
        time,
        message.edited ? " (edited)" : "",
        message.visibleTo ? el("span", {}, " · Only visible to you") : null,
      ),
      message.blocks?.length
        ? renderBlocks(message.blocks, ctx)
        : el("div", { class: "text" }, html(mrkdwn(message.text || ""))),
      (message.files || []).map((file) =>
        el(
          "div",
          {},
          el(
            "a",
            { class: "file", href: `/files/${file.id}`, target: "_blank" },
            `📎 ${file.title} (${file.bytes} bytes)`,
          ),
        ),
      ),
      message.visibleTo ? null : callbackStrip(message),
      replies.length
        ? el(
            "ol",
            { class: "thread", "aria-label": "Thread" },
            replies.map((reply) => renderMessage(reply, [])),
          )
        : null,
    );
  }

  function renderChannel(state) {
    const list = $("messages");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const messages = tab === "dm" ? state.dm || [] : state.messages;
    const top = messages.filter((m) => !m.threadTs || !messages.some((p) => p.ts === m.threadTs));
    list.replaceChildren(
      ...(tab === "dm" && top.length === 0
        ? [
            el(
              "li",
              { class: "muted empty" },
              "No direct messages from Leadline yet. A queue run's card, charts and exports arrive here.",
            ),
          ]
        : top.map((m) =>
            renderMessage(
              m,
              messages.filter((r) => r.threadTs === m.ts && r.ts !== m.ts),
            ),
          )),
    );
    // Messages Leadline sent to this person while they looked elsewhere.
    const dmCount = (state.dm || []).length;
    if (tab === "dm") seenDm = dmCount;
    const unseen = dmCount - seenDm;
    $("dm-count").hidden = unseen <= 0;
    $("dm-count").textContent = unseen > 0 ? ` ${unseen}` : "";
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  // ---- modal ----------------------------------------------------------------------------------

  function renderModal(modal) {
    const root = $("modal-root");
    if (!modal) {
      renderedModal = "";
      root.replaceChildren();
      return;
    }
    const key = `${modal.id}:${modal.hash}`;
    if (key === renderedModal) {
      // Same view: only the errors changed; keep what the person typed.
      for (const block of root.querySelectorAll("[data-input-block]")) {
        const id = block.dataset.inputBlock;
        block.classList.toggle("invalid", Boolean(modal.errors[id]));
        block.querySelector(".error")?.remove();
        if (modal.errors[id]) block.append(el("div", { class: "error", role: "alert" }, modal.errors[id]));
      }
      const general = root.querySelector(".modal-error");
      if (general) general.textContent = modal.errors._ || "";
      return;
    }
    renderedModal = key;
    const view = modal.view;
    let form;
    const ctx = {
      errors: modal.errors,
      act: (action) => post("/sandbox/action", { user: me, viewId: modal.id, action, state: collectState(form) }),
    };
    const submit = async (event) => {
      event.preventDefault();
      await post("/sandbox/submit", { user: me, viewId: modal.id, state: collectState(form) });
    };
    form = el(
      "form",
      {
        class: "modal",
        role: "dialog",
        "aria-label": view.title?.text,
        "data-callback-id": view.callback_id,
        onsubmit: submit,
      },
      el("header", {}, textNode(view.title)),
      el(
        "div",
        { class: "body" },
        renderBlocks(view.blocks || [], ctx),
        el("div", { class: "modal-error" }, modal.errors._ || ""),
      ),
      el(
        "footer",
        {},
        el(
          "button",
          { type: "button", onclick: () => post("/sandbox/close", { user: me, viewId: modal.id }) },
          view.close?.text || "Cancel",
        ),
        view.submit ? el("button", { type: "submit", class: "primary" }, view.submit.text) : null,
      ),
    );
    root.replaceChildren(el("div", { class: "overlay" }, form));
  }

  // ---- App Home ----------------------------------------------------------------------------------

  let homeOpen = false;
  /** Which tab shows: the channel, the app's direct messages with this person, or App Home. */
  let tab = "channel";
  let seenDm = 0;
  let renderedHome = "";

  function renderHome(home) {
    const root = $("home");
    if (!homeOpen) return;
    if (!home) {
      renderedHome = "";
      root.replaceChildren(el("p", { class: "muted" }, "Leadline has not drawn this Home tab yet…"));
      return;
    }
    const key = `${home.id}:${home.hash}`;
    if (key === renderedHome) return;
    renderedHome = key;
    const ctx = {
      act: (action) => post("/sandbox/action", { user: me, homeViewId: home.id, action, state: collectState(root) }),
    };
    root.replaceChildren(
      el("div", { class: "home-view", "data-home-view": home.id }, renderBlocks(home.view.blocks || [], ctx)),
    );
  }

  /**
   * Switches between the channel, the app's direct messages and its Home tab; opening Home tells
   * Leadline (app_home_opened). `true`/`false` are Home and the channel.
   */
  async function showTab(which) {
    tab = which === true ? "home" : which === false ? "channel" : which;
    const home = tab === "home";
    homeOpen = home;
    $("tab-home").setAttribute("aria-selected", String(home));
    $("tab-channel").setAttribute("aria-selected", String(tab === "channel"));
    $("tab-dm").setAttribute("aria-selected", String(tab === "dm"));
    $("home").hidden = !home;
    $("messages").hidden = home;
    // Commands are typed in the channel; the direct messages only show what Leadline sent there.
    $("composer").hidden = tab !== "channel";
    document.body.dataset.tab = tab;
    if (current) renderChannel(current);
    renderedHome = "";
    if (home) {
      renderHome(current?.home);
      await post("/sandbox/home", { user: me });
    }
  }

  // ---- side panel -----------------------------------------------------------------------------

  function renderInfo(info) {
    const t = info.twilio;
    const rows = [
      ["Account SID", t.accountSid],
      ["Auth Token", t.authToken],
      ["Number", t.phoneNumber],
      ["API Key SID", t.apiKeySid],
      ["API Key Secret", t.apiKeySecret],
      ["TwiML App SID", t.twimlAppSid],
    ];
    $("twilio-account").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    $("scenarios").replaceChildren(
      ...info.scenarios.map((s) =>
        el(
          "li",
          {},
          el("code", {}, `…${s.suffix}`),
          ` ${s.describe}`,
          s.leads?.length ? el("span", { class: "muted" }, ` (${s.leads.join(", ")})`) : null,
        ),
      ),
      el("li", {}, "any other number: a person answers and listens"),
      el("li", {}, el("code", {}, "+1 500-555-0001…4"), " Twilio's test numbers: refused with their errors"),
    );
    $("demo-leads").replaceChildren(
      ...(info.demoLeads || []).map((lead) =>
        el(
          "li",
          { "data-lead": lead.name },
          el("b", {}, lead.name),
          ` ${lead.phone}`,
          lead.address ? ` · ${lead.address}` : "",
          lead.consent
            ? el(
                "span",
                { class: "consent yes", title: "Message call and Voice bridge offered" },
                " · consent to recorded calls",
              )
            : el(
                "span",
                { class: "consent no", title: "Live and browser calls only" },
                " · no consent: live calls only",
              ),
        ),
      ),
    );
    renderClock(info.clock);
    renderInbound(info.inbound);
    renderPhone(info.texts);
    renderFub(info.fub);
    // Newest first, so the call in progress is at the top.
    $("twilio-events").replaceChildren(
      ...[...info.events]
        .reverse()
        .map((e) => el("li", {}, el("span", { class: "sid" }, `…${e.callSid.slice(-6)} `), e.text)),
    );
  }

  // ---- calls to the team's number ---------------------------------------------------------------

  let inboundChoicesShown = false;

  function renderInbound(view) {
    if (!view) return;
    const state = $("inbound-state");
    state.className = `inbound-state${view.connected ? "" : " off"}`;
    state.replaceChildren(
      view.connected
        ? el("span", {}, el("b", {}, view.number), " → Leadline (its Voice URL points at Leadline's inbound route).")
        : el(
            "span",
            {},
            el("b", {}, view.number),
            view.voiceUrl
              ? " has a Voice URL that is not Leadline's: calls to it do not reach Leadline."
              : " has no Voice URL: calls to it reach nobody.",
            " An admin runs /twilio-setup inbound to connect it.",
          ),
    );
    $("inbound-connect").hidden = view.connected;
    if (!inboundChoicesShown) {
      inboundChoicesShown = true;
      $("inbound-agent").replaceChildren(
        ...Object.entries(view.choices).map(([value, text], index) =>
          el(
            "label",
            { class: "option" },
            el("input", { type: "radio", name: "inbound-agent", value, checked: index === 0 }),
            ` ${text}`,
          ),
        ),
      );
    }
  }

  // ---- a lead's phone: text the team as the lead, and see what the phone received ---------------

  let lastTexts = null;
  function renderPhone(view) {
    if (view) lastTexts = view;
    if (!lastTexts) return;
    const typed = $("phone-number").value.replace(/\D/g, "").slice(-10);
    const mine = (lastTexts.received || []).filter(
      (m) => typed.length === 10 && m.to.replace(/\D/g, "").endsWith(typed),
    );
    $("phone-received").replaceChildren(
      ...(mine.length === 0
        ? [
            el(
              "li",
              { class: "muted" },
              typed.length === 10 ? "Nothing received yet." : "Type the lead's number above.",
            ),
          ]
        : mine.map((m) =>
            el(
              "li",
              { class: "phone-text", "data-direction": m.direction },
              el("b", {}, m.direction === "outbound-reply" ? "Twilio" : "Team"),
              ` · ${m.status} · `,
              el("span", { class: "phone-body" }, m.body),
            ),
          )),
    );
  }

  function setupPhoneForm() {
    const send = async (body) => {
      const answer = await post("/sandbox/texts", { from: $("phone-number").value, body }, true);
      const error = $("phone-error");
      error.hidden = answer.ok !== false;
      error.textContent = answer.ok === false ? answer.error : "";
      if (answer.ok) $("phone-body").value = "";
    };
    $("phone-form").addEventListener("submit", (event) => {
      event.preventDefault();
      send($("phone-body").value);
    });
    for (const button of document.querySelectorAll("#phone-form [data-keyword]"))
      button.addEventListener("click", () => send(button.dataset.keyword));
    $("phone-number").addEventListener("input", () => renderPhone());
  }

  function setupInboundForm() {
    $("inbound-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const agent = document.querySelector('input[name="inbound-agent"]:checked')?.value || "answers";
      await post("/sandbox/inbound", { from: $("inbound-from").value, agent });
    });
    $("inbound-connect").addEventListener("click", () =>
      post("/sandbox/command", { user: me, text: "/twilio-setup inbound" }),
    );
  }

  // ---- Follow Up Boss ---------------------------------------------------------------------------

  let fubUsersShown = false;
  const clockTime = (iso) => new Date(iso).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" });
  const minutes = (seconds) => `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, "0")}s`;

  function renderFub(view) {
    if (!view) return;
    const state = $("fub-state");
    state.className = `fub-state${view.connected ? "" : " off"}`;
    state.replaceChildren(
      view.connected
        ? el(
            "span",
            {},
            "Connected to Leadline: ",
            el("b", {}, view.account || "Follow Up Boss"),
            view.webhooks ? " · webhooks to Leadline registered" : " · no webhooks (new people are not sent)",
          )
        : el(
            "span",
            {},
            "Not connected: Leadline logs nothing here and hears of no new people until an admin connects it.",
          ),
    );
    $("fub-connect").hidden = view.connected;
    if (!fubUsersShown && view.users) {
      fubUsersShown = true;
      $("fub-assigned").replaceChildren(
        el("option", { value: "" }, "Assigned to nobody"),
        ...view.users.map((u) => el("option", { value: String(u.id) }, `Assigned to ${u.name}`)),
      );
    }
    const empty = (words) => el("li", { class: "muted" }, words);
    $("fub-people").replaceChildren(
      ...(view.people.length
        ? view.people.map((p) =>
            el(
              "li",
              { "data-fub-person": p.name },
              el("b", {}, p.name),
              ` ${p.phones[0] || "no phone"}`,
              el("span", { class: "muted" }, ` · #${p.id} · ${p.source}${p.assignedTo ? ` · ${p.assignedTo}` : ""}`),
            ),
          )
        : [empty("Nobody yet.")]),
    );
    const activity = [
      ...view.calls.map((c) => ({
        at: c.updated || c.created,
        node: el(
          "li",
          { "data-fub-call": c.person },
          el("span", { class: "muted" }, "Call · "),
          el("b", {}, c.person),
          ` ${c.isIncoming ? "called in" : "called"} · ${c.outcome || "no outcome"} · ${minutes(c.duration)}`,
          el("span", { class: "muted" }, ` · ${c.user || "?"} · ${clockTime(c.created)}`),
          c.note ? el("div", { class: "fub-note" }, c.note) : null,
        ),
      })),
      ...view.texts.map((t) => ({
        at: t.created,
        node: el(
          "li",
          { "data-fub-text": t.person },
          el("span", { class: "muted" }, "Text · "),
          el("b", {}, t.person),
          ` ${t.isIncoming ? "texted" : "was texted"}: ${t.message}`,
          el("span", { class: "muted" }, ` · ${clockTime(t.created)}`),
        ),
      })),
    ].sort((a, b) => (a.at < b.at ? 1 : -1));
    $("fub-activity").replaceChildren(
      ...(activity.length ? activity.map((a) => a.node) : [empty("Nothing logged yet.")]),
    );
    $("fub-deliveries").replaceChildren(
      ...(view.deliveries.length
        ? view.deliveries.map((d) =>
            el(
              "li",
              {},
              el("code", {}, d.event),
              ` people ${d.ids.join(", ")} → `,
              d.status === null ? el("span", { class: "bad" }, "not answered") : el("b", {}, String(d.status)),
            ),
          )
        : [empty("None yet.")]),
    );
  }

  function setupFubForm() {
    $("fub-connect").addEventListener("click", () => post("/sandbox/fub", { connect: true }));
    $("fub-person-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const person = {
        name: $("fub-name").value,
        phone: $("fub-phone").value,
        email: $("fub-email").value,
        assignedUserId: $("fub-assigned").value,
      };
      await post("/sandbox/fub", { person });
      for (const id of ["fub-name", "fub-phone", "fub-email"]) $(id).value = "";
    });
  }

  // ---- calling clock --------------------------------------------------------------------------

  // The clock the console sets for calling hours: the server says how far it is from real time, and
  // the page keeps the time shown moving from its own clock.
  let clock = null;
  let clockFormVersion = -1;
  const clockFormats = new Map();
  const clockFormat = (zone) => {
    if (!clockFormats.has(zone)) {
      clockFormats.set(
        zone,
        new Intl.DateTimeFormat("en-US", {
          timeZone: zone,
          weekday: "short",
          month: "short",
          day: "numeric",
          hour: "numeric",
          minute: "2-digit",
          second: "2-digit",
          timeZoneName: "short",
        }),
      );
    }
    return clockFormats.get(zone);
  };

  function showClockTime() {
    if (!clock) return;
    const city = (clock.zones.find((z) => z.id === clock.zone)?.label || clock.zone).replace(/ \(.*\)$/, "");
    const text = `${clockFormat(clock.zone).format(new Date(Date.now() + clock.offsetMs))} in ${city}`;
    $("clock-time").textContent = text;
    $("topbar-clock-time").textContent = `${clock.mode === "pretend" ? "Pretend: " : "Real time: "}${text}`;
  }
  setInterval(showClockTime, 1000);

  function pretendChosen() {
    return document.querySelector('input[name="clock-mode"]:checked')?.value === "pretend";
  }

  function renderClock(view) {
    if (!view) return;
    clock = view;
    const mode = $("clock-mode");
    mode.textContent = view.mode === "pretend" ? "Pretend" : "Real time";
    mode.className = `clock-mode ${view.mode}`;
    document.body.dataset.clock = view.mode;
    $("topbar-clock").className = `calling-time ${view.mode}`;
    const note = $("clock-note");
    note.hidden = !view.note;
    note.textContent = view.note || "";
    // The form is refilled only when the clock was set, never while someone is typing into it.
    if (view.version !== clockFormVersion) {
      clockFormVersion = view.version;
      $("clock-zone").replaceChildren(
        ...view.zones.map((zone) => el("option", { value: zone.id, selected: zone.id === view.zone }, zone.label)),
      );
      $("clock-local").value = view.local;
      for (const radio of document.querySelectorAll('input[name="clock-mode"]'))
        radio.checked = radio.value === view.mode;
    }
    showClockTime();
  }

  function setupClockForm() {
    const pretend = document.querySelector('input[name="clock-mode"][value="pretend"]');
    // Touching the date, time or zone means "pretend".
    for (const id of ["clock-local", "clock-zone"]) {
      $(id).addEventListener("input", () => {
        pretend.checked = true;
      });
    }
    $("clock-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = pretendChosen()
        ? { mode: "pretend", local: $("clock-local").value, zone: $("clock-zone").value }
        : { mode: "real" };
      await post("/sandbox/clock", body);
    });
  }

  // ---- plumbing -------------------------------------------------------------------------------

  // This run's token, served with the page: the console refuses POSTs without it (cross-site requests).
  const token = document.querySelector('meta[name="sandbox-token"]').content;

  /** Posts to the console's server and redraws; a refusal is said in an alert, or returned when `quiet`. */
  async function post(path, body, quiet = false) {
    const res = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-sandbox-token": token },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok && !quiet) alert(answer.error || `The console could not do that (${res.status}).`);
    await refresh();
    return res.ok ? answer : { ok: false, error: answer.error || `The console could not do that (${res.status}).` };
  }

  let refreshing = null;
  let again = false;
  async function refresh() {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        again = false;
        const res = await fetch(`/sandbox/state?user=${encodeURIComponent(me)}`);
        const state = await res.json();
        current = state;
        renderChannel(state);
        renderModal(state.modal);
        renderHome(state.home);
        renderInfo(state.info);
        document.body.dataset.version = String(state.version);
      } while (again);
    })();
    try {
      await refreshing;
    } finally {
      refreshing = null;
    }
  }

  async function boot() {
    const res = await fetch("/sandbox/state");
    const state = await res.json();
    if (!state.users.some((u) => u.id === me)) me = state.users[0].id;
    userSelect.replaceChildren(
      ...state.users.map((u) =>
        el(
          "option",
          { value: u.id, selected: u.id === me },
          `${u.realName} (@${u.name})${u.isAdmin ? " · admin" : ""}`,
        ),
      ),
    );
    userSelect.addEventListener("change", () => {
      me = userSelect.value;
      localStorage.setItem("sandbox-user", me);
      renderedModal = "";
      renderedHome = "";
      seenDm = 0;
      if (homeOpen) showTab(true);
      else refresh();
    });
    $("channel-name").textContent = `# ${state.channel.name}`;
    $("tab-channel").addEventListener("click", () => showTab(false));
    $("tab-home").addEventListener("click", () => showTab(true));
    $("tab-dm").addEventListener("click", () => showTab("dm"));
    setupClockForm();
    setupInboundForm();
    setupPhoneForm();
    setupFubForm();
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = $("composer-input");
      const text = input.value;
      input.value = "";
      await post("/sandbox/command", { user: me, text });
    });
    const events = new EventSource("/sandbox/events");
    events.onmessage = () => refresh();
    await refresh();
    document.body.dataset.ready = "true";
  }

  boot();
})();
