// Block Kit's documented limits, as the simulated Slack enforces them. Each number's source is in
// sandbox/slack/README.md ("What the simulated Slack refuses"); most are also in
// ../shared/reference/slack/block_kit_limits.json. Lengths are counted in UTF-16 code units, the
// strictest way a length can be counted: a payload that fits here fits Slack whichever way it counts.

export const LIMITS = {
  /** Blocks per surface. */
  blocks: { message: 50, modal: 100, home: 100 },
  /** A message's top-level `text`: longer is `msg_too_long`. */
  messageText: 40_000,
  blockId: 255,
  actionId: 255,
  /** Any text object. */
  text: 3000,
  section: { text: 3000, fields: 10, field: 2000 },
  header: 150,
  context: { elements: 10 },
  actions: { elements: 25 },
  input: { label: 2000, hint: 2000 },
  image: { url: 3000, altText: 2000, title: 2000 },
  markdown: 12_000,
  button: { text: 75, value: 2000, url: 3000, accessibilityLabel: 75 },
  placeholder: 150,
  option: { text: 75, value: 150, description: 75, url: 3000 },
  optionGroup: { label: 75, options: 100 },
  select: { options: 100, optionGroups: 100 },
  overflow: { min: 2, max: 5 },
  /** checkboxes and radio_buttons. */
  choices: { options: 10 },
  plainTextInput: { maxLength: 3000, minLength: 3000 },
  confirm: { title: 100, text: 300, confirm: 30, deny: 30 },
  view: { title: 24, submit: 24, close: 24, privateMetadata: 3000, callbackId: 255, externalId: 255 },
} as const;

export type Surface = keyof typeof LIMITS.blocks;
