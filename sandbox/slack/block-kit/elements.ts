// Block elements and the composition objects inside them (options, confirm dialogs), as
// https://docs.slack.dev/reference/block-kit/block-elements and .../composition-objects describe them.
import { type Checker, isObject, type Json } from "./checker.js";
import { LIMITS } from "./limits.js";

const SELECTS = ["static_select", "external_select", "users_select", "conversations_select", "channels_select"];
const MULTI_SELECTS = SELECTS.map((type) => `multi_${type}`);

/** Which elements each block takes ("Compatible elements" on each block's page). */
export const PLACES = {
  section: new Set([
    "button",
    "checkboxes",
    "datepicker",
    "image",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
    ...SELECTS,
    ...MULTI_SELECTS,
  ]),
  actions: new Set([
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "overflow",
    "radio_buttons",
    "timepicker",
    "workflow_button",
    ...SELECTS,
    ...MULTI_SELECTS,
  ]),
  input: new Set([
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "file_input",
    "number_input",
    "plain_text_input",
    "radio_buttons",
    "rich_text_input",
    "timepicker",
    "url_text_input",
    ...SELECTS,
    ...MULTI_SELECTS,
  ]),
} as const;

export type Place = keyof typeof PLACES;

/** Selects, inputs and pickers: a plain_text placeholder of up to 150 characters. */
const placeholder = (c: Checker, at: string, element: Json) =>
  c.optionalText(`${at}/placeholder`, element.placeholder, { max: LIMITS.placeholder, plain: true });

/** A confirmation dialog: https://docs.slack.dev/reference/block-kit/composition-objects/confirmation-dialog-object */
function confirm(c: Checker, at: string, value: unknown): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    c.fail(at, "must provide an object");
    return;
  }
  const { title, text, confirm: yes, deny } = LIMITS.confirm;
  if (c.has(at, value, "title")) c.text(`${at}/title`, value.title, { max: title, plain: true });
  if (c.has(at, value, "text")) c.text(`${at}/text`, value.text, { max: text });
  if (c.has(at, value, "confirm")) c.text(`${at}/confirm`, value.confirm, { max: yes, plain: true });
  if (c.has(at, value, "deny")) c.text(`${at}/deny`, value.deny, { max: deny, plain: true });
  c.oneOf(`${at}/style`, value.style, ["primary", "danger"]);
}

/**
 * An option: https://docs.slack.dev/reference/block-kit/composition-objects/option-object. Its text
 * is plain_text in menus (selects, overflow); checkboxes and radio buttons also take mrkdwn. A URL
 * is for overflow menus only.
 */
function option(c: Checker, at: string, value: unknown, kind: { plain: boolean; url?: boolean }): void {
  if (!isObject(value)) {
    c.fail(at, "must provide an object");
    return;
  }
  const { text, value: max, description, url } = LIMITS.option;
  if (c.has(at, value, "text")) c.text(`${at}/text`, value.text, { max: text, plain: kind.plain });
  if (c.has(at, value, "value")) c.length(`${at}/value`, value.value, max);
  c.optionalText(`${at}/description`, value.description, { max: description, plain: kind.plain });
  if (value.url !== undefined) {
    if (kind.url) c.length(`${at}/url`, value.url, url);
    else c.fail(`${at}/url`, "url is only allowed in overflow menus");
  }
}

const options = (c: Checker, at: string, list: unknown[], kind: { plain: boolean; url?: boolean }) =>
  list.forEach((value, i) => void option(c, `${at}/${i}`, value, kind));

const optionValue = (value: unknown) => (isObject(value) ? String(value.value) : undefined);

/** initial_option(s) must be options the element offers, exactly. */
function initialAmong(c: Checker, at: string, element: Json, offered: unknown[]): void {
  const values = new Set(offered.map(optionValue));
  const initial = element.initial_option ?? element.initial_options;
  const given = Array.isArray(initial) ? initial : initial === undefined ? [] : [initial];
  const field = element.initial_option !== undefined ? "initial_option" : "initial_options";
  given.forEach((one, i) => {
    if (!values.has(optionValue(one)))
      c.fail(`${at}/${field}${Array.isArray(initial) ? `/${i}` : ""}`, "must match one of the options");
  });
}

function staticSelect(c: Checker, at: string, element: Json): void {
  const hasOptions = element.options !== undefined;
  const hasGroups = element.option_groups !== undefined;
  if (hasOptions === hasGroups) {
    c.fail(at, "must provide exactly one of `options` or `option_groups`");
    return;
  }
  const offered: unknown[] = [];
  if (hasOptions) {
    const list = c.list(`${at}/options`, element.options, LIMITS.select.options, 1) ?? [];
    options(c, `${at}/options`, list, { plain: true });
    offered.push(...list);
  } else {
    const groups = c.list(`${at}/option_groups`, element.option_groups, LIMITS.select.optionGroups, 1) ?? [];
    groups.forEach((group, g) => {
      const where = `${at}/option_groups/${g}`;
      if (!isObject(group)) {
        c.fail(where, "must provide an object");
        return;
      }
      if (c.has(where, group, "label"))
        c.text(`${where}/label`, group.label, { max: LIMITS.optionGroup.label, plain: true });
      const list = c.list(`${where}/options`, group.options, LIMITS.optionGroup.options, 1) ?? [];
      options(c, `${where}/options`, list, { plain: true });
      offered.push(...list);
    });
  }
  initialAmong(c, at, element, offered);
}

function choices(c: Checker, at: string, element: Json): void {
  const list = c.list(`${at}/options`, element.options, LIMITS.choices.options, 1) ?? [];
  options(c, `${at}/options`, list, { plain: false });
  initialAmong(c, at, element, list);
}

function plainTextInput(c: Checker, at: string, element: Json): void {
  const { max_length: max, min_length: min } = element;
  const { maxLength, minLength } = LIMITS.plainTextInput;
  if (max !== undefined && !(Number.isInteger(max) && (max as number) >= 1 && (max as number) <= maxLength))
    c.fail(`${at}/max_length`, `must be an integer from 1 to ${maxLength}`);
  if (min !== undefined && !(Number.isInteger(min) && (min as number) >= 0 && (min as number) <= minLength))
    c.fail(`${at}/min_length`, `must be an integer from 0 to ${minLength}`);
  if (typeof max === "number" && typeof min === "number" && min > max)
    c.fail(`${at}/min_length`, "must not be more than max_length");
}

function button(c: Checker, at: string, element: Json): void {
  const { text, value, url, accessibilityLabel } = LIMITS.button;
  if (c.has(at, element, "text")) c.text(`${at}/text`, element.text, { max: text, plain: true });
  c.length(`${at}/value`, element.value, value);
  c.length(`${at}/url`, element.url, url);
  c.length(`${at}/accessibility_label`, element.accessibility_label, accessibilityLabel);
  c.oneOf(`${at}/style`, element.style, ["primary", "danger"]);
}

/** An image element (in a context block or as a section's accessory). */
export function imageElement(c: Checker, at: string, element: Json): void {
  if (element.slack_file === undefined && c.has(at, element, "image_url"))
    c.length(`${at}/image_url`, element.image_url, LIMITS.image.url, 1);
  if (c.has(at, element, "alt_text")) c.length(`${at}/alt_text`, element.alt_text, LIMITS.image.altText, 1);
}

const FORMATS: Record<string, [string, RegExp]> = {
  datepicker: ["initial_date", /^\d{4}-\d{2}-\d{2}$/],
  timepicker: ["initial_time", /^([01]\d|2[0-3]):[0-5]\d$/],
};

const CHECKS: Record<string, (c: Checker, at: string, element: Json) => void> = {
  button,
  overflow: (c, at, element) => {
    const { min, max } = LIMITS.overflow;
    options(c, `${at}/options`, c.list(`${at}/options`, element.options, max, min) ?? [], { plain: true, url: true });
  },
  static_select: staticSelect,
  multi_static_select: staticSelect,
  checkboxes: choices,
  radio_buttons: choices,
  plain_text_input: plainTextInput,
  image: imageElement,
};

/** One element in a block that takes elements of `place`. */
export function checkElement(c: Checker, at: string, value: unknown, place: Place): void {
  if (!isObject(value)) {
    c.fail(at, "must provide an object");
    return;
  }
  const type = String(value.type);
  if (!PLACES[place].has(type)) {
    c.fail(`${at}/type`, `unsupported type: ${type}`);
    return;
  }
  c.length(`${at}/action_id`, value.action_id, LIMITS.actionId, 1);
  CHECKS[type]?.(c, at, value);
  placeholder(c, at, value);
  const format = FORMATS[type];
  if (format && value[format[0]] !== undefined && !format[1].test(String(value[format[0]])))
    c.fail(`${at}/${format[0]}`, "must match the format");
  confirm(c, `${at}/confirm`, value.confirm);
}
