import type { App } from "@slack/bolt";
import type { Container } from "../../container/index.js";
import { pick } from "../../lib/pick.js";
import { registerAppHomeOpened } from "./app-home.js";
import { registerUninstallEvents } from "./uninstall.js";

/** Events API events: each handler gets only the services it uses. */
export function registerEvents(app: App, c: Container): void {
  registerAppHomeOpened(app, pick(c, "log", "homeTab"));
  registerUninstallEvents(app, pick(c, "workspaces"));
}
