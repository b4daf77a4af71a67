import type { ViewSubmitAction } from "@slack/bolt";
import { INPUT_ACTION } from "../../lib/ids.js";

type ViewState = ViewSubmitAction["view"]["state"];

/** The text typed into an input block (each input's element uses INPUT_ACTION). */
export function inputValue(state: ViewState, blockId: string): string | undefined {
  const value = state.values[blockId]?.[INPUT_ACTION]?.value;
  return typeof value === "string" ? value : undefined;
}

/** The option picked in a select input block. */
export function selectedValue(state: ViewState, blockId: string): string | undefined {
  const value = (state.values[blockId]?.[INPUT_ACTION] as { selected_option?: { value?: string } | null } | undefined)
    ?.selected_option?.value;
  return typeof value === "string" ? value : undefined;
}

/** The user picked in a users_select input block. */
export function selectedUser(state: ViewState, blockId: string): string | undefined {
  const value = (state.values[blockId]?.[INPUT_ACTION] as { selected_user?: string | null } | undefined)?.selected_user;
  return typeof value === "string" && /^[UW][A-Z0-9]+$/.test(value) ? value : undefined;
}

/** private_metadata is JSON of non-secret ids only; anything unreadable is treated as empty. */
export function readMetadata(privateMetadata: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(privateMetadata) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
