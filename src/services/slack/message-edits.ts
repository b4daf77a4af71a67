import type { RateGate } from "./rate-gate.js";

/** One message's edits: the newest content waiting, the newest version asked for and the newest shown. */
interface MessageEdits<M> {
  latest: M;
  wanted: number;
  shown: number;
  sending?: Promise<void>;
}

/**
 * Edits messages one chat.update at a time per message: an edit asked for while another waits (out a
 * 429, say) is folded into it, and each attempt sends the newest content, so the latest state wins
 * and is never overtaken by an older one. An edit resolves once one at least as new is shown.
 */
export function createMessageEditor<M>(
  gate: RateGate,
  update: (channel: string, ts: string, message: M) => Promise<void>,
): (channel: string, ts: string, message: M) => Promise<void> {
  const edits = new Map<string, MessageEdits<M>>();
  return async (channel, ts, message) => {
    const key = `${channel} ${ts}`;
    const edit = edits.get(key) ?? { latest: message, wanted: 0, shown: 0 };
    edits.set(key, edit);
    edit.latest = message;
    edit.wanted += 1;
    const mine = edit.wanted;
    try {
      while (edit.shown < mine) {
        edit.sending ??= gate
          .run("chat.update", async () => {
            const version = edit.wanted;
            await update(channel, ts, edit.latest);
            edit.shown = Math.max(edit.shown, version);
          })
          .finally(() => {
            edit.sending = undefined;
          });
        await edit.sending;
      }
    } catch (error) {
      // Everyone waiting on this edit hears the failure; the next edit of the message starts afresh.
      if (!edit.sending && edits.get(key) === edit) edits.delete(key);
      throw error;
    }
    if (!edit.sending && edit.shown >= edit.wanted && edits.get(key) === edit) edits.delete(key);
  };
}
