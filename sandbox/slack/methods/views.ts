import { viewRefusal } from "../block-kit/index.js";
import type { Json, Method } from "./method.js";

// views.*: https://docs.slack.dev/reference/methods/views.open (and .push, .update, .publish). A
// modal opens with a trigger id (3 s, once); every view is checked as Slack checks it (block-kit/).

const open =
  (method: "views.open" | "views.push"): Method =>
  (workspace, args) => {
    const trigger = workspace.takeTrigger(String(args.trigger_id ?? args.interactivity_pointer ?? ""));
    if ("error" in trigger) return { ok: false, error: trigger.error };
    const view = args.view as Json;
    const refused = viewRefusal(view, "modal");
    if (refused) return refused;
    // A view opened with a made-up trigger belongs to no one's modal stack.
    if (!trigger.user) {
      const stored = workspace.storeView("", view);
      workspace.changed();
      return { ok: true, view: workspace.viewJson(stored) };
    }
    const stack = workspace.modals.get(trigger.user) ?? [];
    if (method === "views.push" && stack.length === 0) return { ok: false, error: "not_found" };
    if (method === "views.push" && stack.length >= 3) return { ok: false, error: "push_limit_reached" };
    const stored = workspace.storeView(trigger.user, view);
    workspace.modals.set(trigger.user, method === "views.open" ? [stored.id] : [...stack, stored.id]);
    workspace.changed();
    return { ok: true, view: workspace.viewJson(stored) };
  };

const update: Method = (workspace, args) => {
  const existing = workspace.views.get(String(args.view_id ?? ""));
  if (!existing) return { ok: false, error: "not_found" };
  if (args.hash && args.hash !== existing.hash) return { ok: false, error: "hash_conflict" };
  const view = args.view as Json;
  const refused = viewRefusal(view, "modal");
  if (refused) return refused;
  workspace.replaceView(existing, view);
  return { ok: true, view: workspace.viewJson(existing) };
};

const publish: Method = (workspace, args) => {
  const user = String(args.user_id ?? "");
  if (!workspace.isUser(user)) return { ok: false, error: "user_not_found" };
  const view = args.view as Json;
  const refused = viewRefusal(view, "home");
  if (refused) return refused;
  return { ok: true, view: workspace.viewJson(workspace.publishHome(user, view)) };
};

export const viewMethods: Record<string, Method> = {
  "views.open": open("views.open"),
  "views.push": open("views.push"),
  "views.update": update,
  "views.publish": publish,
};
