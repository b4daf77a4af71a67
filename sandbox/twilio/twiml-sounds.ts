import type { SimContext } from "./context.js";
import type { SimCall } from "./model.js";
import type { TwimlNode } from "./twiml-reader.js";

/** The verbs a caller only listens to: how long each takes on the line. */
export const SOUNDS: ReadonlySet<string> = new Set(["Say", "Pause", "Play"]);

/**
 * Plays a <Say>, <Pause> or <Play> (any other node takes no time), noting it on `listener`'s line;
 * the time passes on `clock` (whose TwiML generation bounds it). False when cut short.
 */
export async function hear(
  ctx: SimContext,
  listener: SimCall,
  clock: SimCall,
  node: TwimlNode,
  generation: number,
): Promise<boolean> {
  if (node.name === "Say") {
    ctx.note(listener, `says: "${node.text.trim()}"`);
    return ctx.wait(clock, 400 + node.text.split(/\s+/).length * 250, generation);
  }
  if (node.name === "Pause") return ctx.wait(clock, Number(node.attrs.length ?? 1) * 1_000, generation);
  if (node.name === "Play") return ctx.wait(clock, 3_000, generation);
  return true;
}
