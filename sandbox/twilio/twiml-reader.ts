/** A TwiML verb as the simulator reads it: its name, attributes, text and nested nouns. */
export interface TwimlNode {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: TwimlNode[];
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number(entity.slice(1)));
    return ENTITIES[entity] ?? whole;
  });
}

/**
 * Reads the TwiML documents Leadline sends (and the ones Twilio accepts): elements, attributes
 * and text. Throws on malformed XML, as Twilio answers malformed TwiML with an application error.
 */
export function readTwiml(xml: string): TwimlNode {
  const root: TwimlNode = { name: "#document", attrs: {}, text: "", children: [] };
  const stack: TwimlNode[] = [root];
  const token =
    /<\?[^>]*\?>|<!--[\s\S]*?-->|<\/([A-Za-z]+)\s*>|<([A-Za-z]+)((?:\s+[A-Za-z:]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/g;
  let consumed = 0;
  for (let match = token.exec(xml); match !== null; match = token.exec(xml)) {
    if (match.index !== consumed) throw new Error(`malformed TwiML at ${consumed}`);
    consumed = token.lastIndex;
    const [, closing, opening, rawAttrs, selfClosing, text] = match;
    const top = stack[stack.length - 1]!;
    if (closing) {
      if (top.name !== closing) throw new Error(`malformed TwiML: </${closing}> closes <${top.name}>`);
      stack.pop();
    } else if (opening) {
      const attrs: Record<string, string> = {};
      for (const attr of (rawAttrs ?? "").matchAll(/([A-Za-z:]+)\s*=\s*"([^"]*)"/g)) attrs[attr[1]!] = decode(attr[2]!);
      const node: TwimlNode = { name: opening, attrs, text: "", children: [] };
      top.children.push(node);
      if (!selfClosing) stack.push(node);
    } else if (text !== undefined) {
      top.text += decode(text);
    }
  }
  if (consumed !== xml.length || stack.length !== 1) throw new Error("malformed TwiML: unclosed element");
  const response = root.children[0];
  if (response?.name !== "Response" || !response) throw new Error("TwiML must have a <Response> root");
  return response;
}
