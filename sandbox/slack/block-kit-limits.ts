// Block Kit limits (Slack's published limits, also in test/reference/slack/block_kit_limits.json): the
// simulated Slack (sandbox and tests) refuses anything outside them with `invalid_blocks`, as Slack does.
type Json = Record<string, unknown>;

function text(obj: unknown): string {
  return typeof obj === "object" && obj !== null && typeof (obj as Json).text === "string"
    ? ((obj as Json).text as string)
    : "";
}

export function blockKitProblems(blocks: unknown, surface: "message" | "modal"): string[] {
  const problems: string[] = [];
  if (blocks === undefined) return problems;
  if (!Array.isArray(blocks)) return ["blocks must be an array"];
  const max = surface === "message" ? 50 : 100;
  if (blocks.length > max) problems.push(`more than ${max} blocks`);
  const checkLength = (what: string, value: string, limit: number, min = 0) => {
    if (value.length > limit) problems.push(`${what} is ${value.length} chars (max ${limit})`);
    if (value.length < min) problems.push(`${what} is empty`);
  };
  const checkElement = (element: Json, where: string) => {
    if (typeof element.action_id === "string") checkLength(`${where}.action_id`, element.action_id, 255);
    if (element.type === "button") {
      checkLength(`${where}.text`, text(element.text), 75, 1);
      if (typeof element.value === "string") checkLength(`${where}.value`, element.value, 2000);
      if (typeof element.url === "string") checkLength(`${where}.url`, element.url, 3000);
    }
    if (element.placeholder) checkLength(`${where}.placeholder`, text(element.placeholder), 150);
  };
  blocks.forEach((raw, index) => {
    const block = raw as Json;
    const where = `blocks[${index}]`;
    if (typeof block.block_id === "string") checkLength(`${where}.block_id`, block.block_id, 255);
    switch (block.type) {
      case "section": {
        if (block.text) checkLength(`${where}.text`, text(block.text), 3000, 1);
        const fields = (block.fields as Json[] | undefined) ?? [];
        if (fields.length > 10) problems.push(`${where} has more than 10 fields`);
        fields.forEach((field, i) => void checkLength(`${where}.fields[${i}]`, text(field), 2000, 1));
        if (!block.text && fields.length === 0) problems.push(`${where} needs text or fields`);
        if (block.accessory) checkElement(block.accessory as Json, `${where}.accessory`);
        break;
      }
      case "header":
        checkLength(`${where}.text`, text(block.text), 150, 1);
        break;
      case "context": {
        const elements = (block.elements as Json[]) ?? [];
        if (elements.length > 10) problems.push(`${where} has more than 10 elements`);
        elements.forEach((element, i) => void checkLength(`${where}.elements[${i}]`, text(element), 3000, 1));
        break;
      }
      case "actions": {
        const elements = (block.elements as Json[]) ?? [];
        if (elements.length > 25) problems.push(`${where} has more than 25 elements`);
        const ids = new Set<string>();
        elements.forEach((element, i) => {
          checkElement(element, `${where}.elements[${i}]`);
          if (typeof element.action_id === "string") {
            if (ids.has(element.action_id)) problems.push(`${where} repeats action_id ${element.action_id}`);
            ids.add(element.action_id);
          }
        });
        break;
      }
      case "input":
        checkLength(`${where}.label`, text(block.label), 2000, 1);
        if (block.hint) checkLength(`${where}.hint`, text(block.hint), 2000);
        if (block.element) checkElement(block.element as Json, `${where}.element`);
        break;
      case "divider":
      case "image":
      case "rich_text":
        break;
      default:
        problems.push(`${where} has unknown type ${String(block.type)}`);
    }
  });
  return problems;
}

export function viewProblems(view: Json): string[] {
  const problems = blockKitProblems(view.blocks, "modal");
  if (text(view.title).length > 24) problems.push(`view title is longer than 24 chars`);
  if (view.submit && text(view.submit).length > 24) problems.push(`view submit is longer than 24 chars`);
  if (typeof view.private_metadata === "string" && view.private_metadata.length > 3000) {
    problems.push("private_metadata is longer than 3000 chars");
  }
  const hasInput = ((view.blocks as Json[]) ?? []).some((block) => block.type === "input");
  if (hasInput && !view.submit) problems.push("a view with inputs needs a submit button");
  return problems;
}
