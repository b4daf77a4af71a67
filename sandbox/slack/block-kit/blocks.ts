// Layout blocks, as https://docs.slack.dev/reference/block-kit/blocks (and each block's page) describe them.
import { type Checker, isObject, type Json } from "./checker.js";
import { checkElement, imageElement } from "./elements.js";
import { LIMITS, type Surface } from "./limits.js";

type BlockCheck = (c: Checker, at: string, block: Json) => void;

function section(c: Checker, at: string, block: Json): void {
  if (block.text === undefined && block.fields === undefined) c.fail(at, "must define either `text` or `fields`");
  c.optionalText(`${at}/text`, block.text, { max: LIMITS.section.text });
  if (block.fields !== undefined) {
    const fields = c.list(`${at}/fields`, block.fields, LIMITS.section.fields, 1) ?? [];
    fields.forEach((field, i) => void c.text(`${at}/fields/${i}`, field, { max: LIMITS.section.field }));
  }
  if (block.accessory !== undefined) checkElement(c, `${at}/accessory`, block.accessory, "section");
}

function header(c: Checker, at: string, block: Json): void {
  if (c.has(at, block, "text")) c.text(`${at}/text`, block.text, { max: LIMITS.header, plain: true });
}

function context(c: Checker, at: string, block: Json): void {
  const elements = c.list(`${at}/elements`, block.elements, LIMITS.context.elements, 1) ?? [];
  elements.forEach((element, i) => {
    const where = `${at}/elements/${i}`;
    if (isObject(element) && element.type === "image") imageElement(c, where, element);
    else c.text(where, element, { max: LIMITS.text });
  });
}

function actions(c: Checker, at: string, block: Json): void {
  const elements = c.list(`${at}/elements`, block.elements, LIMITS.actions.elements, 1) ?? [];
  const seen = new Set<string>();
  elements.forEach((element, i) => {
    const where = `${at}/elements/${i}`;
    checkElement(c, where, element, "actions");
    const id = isObject(element) ? element.action_id : undefined;
    if (typeof id !== "string") return;
    // "Should be unique among all other action_ids in the containing block."
    if (seen.has(id)) c.fail(`${where}/action_id`, `action_id must be unique within the block (${id})`);
    seen.add(id);
  });
}

function input(c: Checker, at: string, block: Json): void {
  if (c.has(at, block, "label")) c.text(`${at}/label`, block.label, { max: LIMITS.input.label, plain: true });
  if (c.has(at, block, "element")) checkElement(c, `${at}/element`, block.element, "input");
  c.optionalText(`${at}/hint`, block.hint, { max: LIMITS.input.hint, plain: true });
}

function image(c: Checker, at: string, block: Json): void {
  imageElement(c, at, block);
  c.optionalText(`${at}/title`, block.title, { max: LIMITS.image.title, plain: true });
}

function markdown(c: Checker, at: string, block: Json): void {
  if (c.has(at, block, "text")) c.length(`${at}/text`, block.text, LIMITS.markdown, 1);
}

const ANY_SURFACE: Record<string, BlockCheck> = {
  section,
  header,
  context,
  actions,
  input,
  image,
  divider: () => {},
  rich_text: (c, at, block) => void c.has(at, block, "elements"),
  video: () => {},
};

/** Blocks each surface takes: markdown and file blocks are for messages only. */
const BLOCKS: Record<Surface, Record<string, BlockCheck>> = {
  message: { ...ANY_SURFACE, markdown, file: () => {} },
  modal: ANY_SURFACE,
  home: ANY_SURFACE,
};

/** The blocks of a message, modal or Home tab, at `at` (e.g. "/blocks", "/view/blocks"). */
export function checkBlocks(c: Checker, at: string, value: unknown, surface: Surface): void {
  const blocks = c.list(at, value, LIMITS.blocks[surface]) ?? [];
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const where = `${at}/${i}`;
    if (!isObject(block)) {
      c.fail(where, "must provide an object");
      return;
    }
    const check = BLOCKS[surface][String(block.type)];
    if (!check) {
      c.fail(`${where}/type`, `unsupported type: ${String(block.type)}`);
      return;
    }
    if (block.block_id !== undefined) {
      c.length(`${where}/block_id`, block.block_id, LIMITS.blockId, 1);
      // "block_id should be unique for each message and each iteration of a message."
      const id = String(block.block_id);
      if (blockIds.has(id)) c.fail(`${where}/block_id`, `block_id must be unique (${id})`);
      blockIds.add(id);
    }
    check(c, where, block);
  });
}
