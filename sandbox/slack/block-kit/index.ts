import { blockKitProblems, viewProblems } from "../block-kit-limits.js";

type Json = Record<string, unknown>;

export function messageRefusal(args: Json): Json | undefined {
  const problems = blockKitProblems(args.blocks, "message");
  return problems.length > 0 ? { ok: false, error: "invalid_blocks", errors: problems } : undefined;
}

export function viewRefusal(view: Json, surface: "modal" | "home"): Json | undefined {
  const problems = surface === "home" ? blockKitProblems(view?.blocks, "modal") : viewProblems(view);
  return problems.length > 0
    ? { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } }
    : undefined;
}
