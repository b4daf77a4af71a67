import { readFileSync } from "node:fs";
import ts from "typescript";

/** A function's own lines: its span, less the spans of the functions written inside it. */
export function functionLengths(file: string): { name: string; line: number; own: number }[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; line: number; own: number }[] = [];
  const span = (node: ts.Node) =>
    source.getLineAndCharacterOfPosition(node.getEnd()).line -
    source.getLineAndCharacterOfPosition(node.getStart(source)).line +
    1;
  const isFunction = (node: ts.Node): node is ts.FunctionLikeDeclaration =>
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isConstructorDeclaration(node);
  const nameOf = (node: ts.FunctionLikeDeclaration): string => {
    if (node.name && ts.isIdentifier(node.name)) return node.name.text;
    const parent = node.parent;
    if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
    return "(anonymous)";
  };
  /** The spans of the functions directly inside `node` (not inside those). */
  const nestedSpans = (node: ts.Node): number => {
    let total = 0;
    node.forEachChild(function walk(child) {
      if (isFunction(child)) total += span(child);
      else child.forEachChild(walk);
    });
    return total;
  };
  source.forEachChild(function visit(node) {
    if (isFunction(node) && node.body) {
      found.push({
        name: nameOf(node),
        line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
        own: span(node) - nestedSpans(node.body),
      });
    }
    node.forEachChild(visit);
  });
  return found;
}

/** The text of every string and template literal of a file (a template's parts joined by "…"), with its line. */
export function literalTexts(file: string): { line: number; text: string }[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { line: number; text: string }[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  source.forEachChild(function visit(node) {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      found.push({ line: lineOf(node), text: node.text });
      return;
    }
    if (ts.isTemplateExpression(node))
      found.push({
        line: lineOf(node),
        text: [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join("…"),
      });
    node.forEachChild(visit);
  });
  return found;
}

/**
 * Slack markup in a string of a domain service: a mention or special mention (`<@U…>`, `<!here>`,
 * `<#C…>`), a link (`<https://…|words>`), anything in backticks, an emoji code, bold.
 */
export const SLACK_MARKUP =
  /<[@!#][A-Za-z$]|<(?:https?|mailto):[^>\s]*\|[^>]*>|`[^`\n]+`|:[a-z0-9_+-]*[a-z_][a-z0-9_+-]*:(?!\/\/)|\*[A-Z][^*\n]{0,40}\*/;

export function slackMarkupIn(file: string): string[] {
  return literalTexts(file)
    .filter(({ text }) => SLACK_MARKUP.test(text))
    .map(({ line, text }) => `${line}: ${text.slice(0, 80)}`);
}

/** SQL in a string: a statement's shape, not a word of English ("select a lead" is not SQL). */
export const SQL =
  /\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+"?\w+"?\s+SET\b|\bDELETE\s+FROM\b|\b(?:CREATE|ALTER|DROP)\s+(?:TABLE|INDEX)\b|\bON\s+CONFLICT\b/;

export function sqlIn(file: string): string[] {
  return literalTexts(file)
    .filter(({ text }) => SQL.test(text))
    .map(({ line, text }) => `${line}: ${text.replace(/\s+/g, " ").slice(0, 80)}`);
}

/** The ORM's delegates (`db.call`, `tx.lead` …): the schema's models, first letter lower-cased. */
export function ormDelegates(schema: string): string[] {
  return [...schema.matchAll(/^model (\w+) \{/gm)].map(([, name]) => name![0]!.toLowerCase() + name!.slice(1));
}
