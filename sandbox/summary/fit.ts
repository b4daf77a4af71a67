import { type JsonSchema, resolve, typesOf } from "./json-schema.js";
import type { Facts, NextStep, Outcome } from "./model.js";

// Shapes the fake model's facts to the JSON schema the caller sent (response_format json_schema), so
// the fake answers whatever schema Leadline's summariser defines: each property is matched to a fact by
// its name ("suggestedOutcome", "suggested_outcome" and "outcome" all mean the outcome), enums by their
// wording ("Appointment set" and "appointment_set" are the same), and anything the fake does not know is
// null when the schema allows it, else an empty value of the right type.

const norm = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

type Getter = (facts: Facts) => unknown;

const ROOT: [string[], Getter][] = [
  [["summary", "summarylines", "lines", "recap", "notes"], (f) => f.summary],
  [["nextsteps", "steps", "actions", "followups", "tasks", "todo"], (f) => f.nextSteps],
  [["suggestedoutcome", "outcome", "disposition", "calloutcome", "result"], (f) => f.outcome],
  [["fields", "details", "leadfields", "extracted", "profile", "criteria"], (f) => f.fields],
  [["flags", "signals", "compliance", "warnings"], (f) => f.flags],
  [["scenario", "calltype", "intent", "leadtype"], (f) => f.scenario],
  [["timeline", "timeframe", "movingtimeline"], (f) => f.fields.timeline],
  [["pricerange", "price", "budget"], (f) => f.fields.priceRange],
  [["preapproval", "preapproved", "mortgagepreapproval", "financing"], (f) => f.fields.preApproval],
  [["areas", "neighborhoods", "neighbourhoods", "locations", "area"], (f) => f.fields.areas],
  [["beds", "bedrooms", "minbeds"], (f) => f.fields.beds],
  [["askednottobecalled", "donotcall", "dnc", "optout", "optedout", "stopcalling"], (f) => f.flags.doNotCall],
  [["objectedtorecording", "recordingobjection", "objectstorecording"], (f) => f.flags.objectedToRecording],
  [["promptinjection", "injection", "suspicious"], (f) => f.flags.promptInjection],
  [["confidence"], () => 0.9],
];

const STEP: [string[], (step: NextStep) => unknown][] = [
  [["action", "title", "description", "text", "step", "task", "what"], (s) => s.action],
  [["date", "day", "duedate", "ondate"], (s) => s.date],
  [["time", "duetime", "attime"], (s) => s.time],
  [
    ["when", "due", "dueat", "datetime", "at", "scheduledfor", "start", "startsat"],
    (s) => (s.date && s.time ? `${s.date}T${s.time}` : s.date),
  ],
  [["whentext", "spoken", "display", "humanwhen"], (s) => s.when],
];

const OUTCOME_WORDS: Record<Outcome, string[]> = {
  appointment_set: ["appointmentset", "appointment", "setappointment", "booked", "showingbooked"],
  callback: ["callback", "callbackrequested", "schedulecallback", "scheduledcallback", "followup"],
  interested: ["interested", "warm", "hot"],
  not_interested: ["notinterested", "cold"],
  wrong_number: ["wrongnumber", "badnumber"],
  do_not_call: ["donotcall", "dnc", "addtodonotcall", "optout", "notinterested"],
  unknown: ["none", "unknown", "other", "noanswer", "nooutcome"],
};

function lookup<T>(table: [string[], (from: T) => unknown][], from: T, name: string): unknown {
  const key = norm(name);
  const exact = table.find(([aliases]) => aliases.includes(key));
  if (exact) return exact[1](from);
  const partial = table
    .flatMap(([aliases, get]) =>
      aliases.filter((alias) => alias.length >= 5 && key.includes(alias)).map((alias) => ({ alias, get })),
    )
    .sort((a, b) => b.alias.length - a.alias.length)[0];
  return partial?.get(from);
}

function pickEnum(options: unknown[], value: unknown, nullable: boolean): unknown {
  const wanted =
    typeof value === "string" && value in OUTCOME_WORDS
      ? [norm(value), ...OUTCOME_WORDS[value as Outcome]]
      : [norm(String(value))];
  for (const word of wanted) {
    const found = options.find((option) => typeof option === "string" && norm(option) === word);
    if (found !== undefined) return found;
  }
  if (typeof value === "boolean" && options.includes(value)) return value;
  return nullable || options.includes(null) ? null : options[0];
}

function fill(
  schema: JsonSchema,
  root: JsonSchema,
  facts: Facts,
  value: unknown,
  name: string,
  orNull = false,
): unknown {
  const node = resolve(schema, root);
  if (node.anyOf) {
    const nullable = node.anyOf.some((option) => typesOf(resolve(option, root)).includes("null"));
    const concrete = node.anyOf.find((option) => !typesOf(resolve(option, root)).includes("null")) ?? node.anyOf[0]!;
    return (value === null || value === undefined) && nullable
      ? null
      : fill(concrete, root, facts, value, name, nullable);
  }
  const types = typesOf(node);
  const nullable = orNull || types.includes("null");
  if (node.enum) return pickEnum(node.enum, value, nullable);
  if ("const" in node) return node.const;
  const absent =
    value === null || value === undefined || (Array.isArray(value) && value.length === 0 && !types.includes("array"));
  if (absent && nullable) return null;
  switch (types.find((type) => type !== "null") ?? (node.properties ? "object" : "string")) {
    case "object": {
      const step = typeof value === "object" && value !== null && "action" in value ? (value as NextStep) : undefined;
      const entries = Object.entries(node.properties ?? {}).map(([key, property]) => {
        const found = step ? lookup(STEP, step, key) : lookup(ROOT, facts, key);
        return [key, fill(property, root, facts, found, key)];
      });
      return Object.fromEntries(entries);
    }
    case "array": {
      const items = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
      return node.items ? items.map((item) => fill(node.items!, root, facts, item, name)) : items;
    }
    case "boolean":
      return value === true || value === "yes";
    case "integer":
    case "number":
      return typeof value === "number" ? value : 0;
    default:
      if (Array.isArray(value))
        return value.join(norm(name).startsWith("summar") || norm(name) === "notes" ? "\n" : ", ");
      if (typeof value === "boolean") return value ? "yes" : "no";
      return value === null || value === undefined ? "" : String(value);
  }
}

/** A value that follows `schema`, filled with what the fake understood. */
export function fitToSchema(schema: JsonSchema, facts: Facts): unknown {
  return fill(schema, schema, facts, facts.summary, "summary");
}
