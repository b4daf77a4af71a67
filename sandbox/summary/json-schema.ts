// The small part of JSON Schema that OpenAI's Structured Outputs accept (platform.openai.com/docs/
// guides/structured-outputs, "Supported schemas": string, number, integer, boolean, object, array,
// enum, anyOf, $defs/$ref, nullable types as ["string", "null"]), with the two rules strict mode
// enforces on every object: "additionalProperties: false must always be set" and "all fields must be
// required". Used to refuse a schema OpenAI would refuse, to check the fake's own answers, and by
// tests to check what the fake answered.

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  description?: string;
};

/** Follows a local `#/$defs/…` (or `#/definitions/…`) reference against the root schema. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const [, kind, name] = schema.$ref.split("/");
  const target = (kind === "$defs" ? root.$defs : root.definitions)?.[name ?? ""];
  if (!target) throw new Error(`unresolvable $ref ${schema.$ref}`);
  return resolve(target, root);
}

export const typesOf = (schema: JsonSchema): string[] =>
  schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];

/** OpenAI's refusal of a schema that strict mode cannot enforce, worded as the API words it; undefined if fine. */
export function strictSchemaProblem(
  schema: JsonSchema,
  root: JsonSchema = schema,
  context: string[] = [],
): string | undefined {
  const node = resolve(schema, root);
  const where = `In context=(${context.map((part) => `'${part}'`).join(", ")}${context.length === 1 ? "," : ""})`;
  if (typesOf(node).includes("object") || node.properties) {
    const keys = Object.keys(node.properties ?? {});
    if (node.additionalProperties !== false) {
      return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    const missing = keys.filter((key) => !node.required?.includes(key));
    if (missing.length > 0) {
      return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    }
    for (const key of keys) {
      const problem = strictSchemaProblem(node.properties![key]!, root, [...context, "properties", key]);
      if (problem) return problem;
    }
  }
  if (node.items) return strictSchemaProblem(node.items, root, [...context, "items"]);
  for (const [index, option] of (node.anyOf ?? []).entries()) {
    const problem = strictSchemaProblem(option, root, [...context, "anyOf", String(index)]);
    if (problem) return problem;
  }
  return undefined;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}

/** The first way `value` breaks `schema` ("$.fields.beds: expected integer"), or undefined if it conforms. */
export function schemaProblem(
  schema: JsonSchema,
  value: unknown,
  root: JsonSchema = schema,
  at = "$",
): string | undefined {
  const node = resolve(schema, root);
  if (node.anyOf) {
    const fits = node.anyOf.some((option) => schemaProblem(option, value, root, at) === undefined);
    return fits ? undefined : `${at}: matches none of anyOf`;
  }
  const types = typesOf(node);
  if (types.length > 0 && !types.some((type) => typeMatches(type, value)))
    return `${at}: expected ${types.join(" or ")}`;
  if (node.enum && !node.enum.some((option) => option === value))
    return `${at}: not one of ${JSON.stringify(node.enum)}`;
  if ("const" in node && node.const !== value) return `${at}: expected ${JSON.stringify(node.const)}`;
  if (Array.isArray(value) && node.items) {
    for (const [index, item] of value.entries()) {
      const problem = schemaProblem(node.items, item, root, `${at}[${index}]`);
      if (problem) return problem;
    }
  }
  if (typeMatches("object", value) && (node.properties || node.required)) {
    const object = value as Record<string, unknown>;
    for (const key of node.required ?? []) if (!(key in object)) return `${at}: missing ${key}`;
    for (const [key, item] of Object.entries(object)) {
      const property = node.properties?.[key];
      if (property) {
        const problem = schemaProblem(property, item, root, `${at}.${key}`);
        if (problem) return problem;
      } else if (node.additionalProperties === false) return `${at}: unexpected ${key}`;
    }
  }
  return undefined;
}
