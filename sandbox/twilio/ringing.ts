import { finish, setStatus } from "./call-status.js";
import type { SimContext } from "./context.js";
import type { SimCall } from "./model.js";
import type { Scenario } from "./scenarios.js";

/**
 * An outbound call ringing the phone at its `To`: initiated, ringing, then the callee's scenario:
 * busy (SIP 486), a network failure (404), no answer within Timeout (487; shortened to at most 8 s
 * of call time), or an answer (in-progress). True once answered; false when it ended unanswered or
 * an API update cut it short. https://www.twilio.com/docs/voice/api/call-resource#call-status-values
 */
export async function ringOutbound(ctx: SimContext, call: SimCall, scenario: Scenario): Promise<boolean> {
  await setStatus(ctx, call, "initiated");
  if (!(await ctx.wait(call, 1_500))) return false;
  await setStatus(ctx, call, "ringing");
  if (scenario.outcome === "busy") {
    await ctx.wait(call, 2_000);
    await finish(ctx, call, "busy", { SipResponseCode: "486" });
    return false;
  }
  if (scenario.outcome === "failed") {
    await ctx.wait(call, 1_000);
    await finish(ctx, call, "failed", { SipResponseCode: "404" });
    return false;
  }
  if (scenario.outcome === "no-answer") {
    await ctx.wait(call, Math.min(Number(call.params.get("Timeout") ?? 60), 8) * 1_000);
    await finish(ctx, call, "no-answer", { SipResponseCode: "487" });
    return false;
  }
  if (!(await ctx.wait(call, 2_500))) return false;
  call.answeredAt = Date.now();
  await setStatus(ctx, call, "in-progress");
  return true;
}
