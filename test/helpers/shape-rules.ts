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

/** Slack markup in a string literal of a domain service: a mention, a special mention, a command in backticks, an emoji code. */
export function slackMarkupIn(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const hits: string[] = [];
  const markup = /<[@!#][A-Za-z$]|`\/[a-z-]+|:[a-z_]+:(?!\/\/)|\*[A-Z][^*\n]{0,40}\*/;
  source.forEachChild(function visit(node) {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      const value = node.getText(source);
      if (markup.test(value))
        hits.push(`${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${value.slice(0, 80)}`);
      return;
    }
    node.forEachChild(visit);
  });
  return hits;
}
