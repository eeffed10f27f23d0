// The agent's configuration is read at every start, and loading the `yaml` package costs more
// (about 18 ms: compiling it, then its first parse) than the rest of reading the configuration. The
// configurations people write use a small part of YAML: block mappings with plain keys, block
// sequences, one-line flow collections, quoted and plain scalars, comments. This reads exactly that
// part, with the meaning YAML 1.2's core schema gives it (what `yaml` does by default), and answers
// undefined for anything else: anchors, tags, block scalars, multi-line scalars, escapes, numbers
// other than plain non-negative integers, duplicate keys, odd indentation, errors. The caller then
// asks `yaml` itself, so an input is either read the same way or read by `yaml`, and every error
// message still comes from `yaml`. yaml-subset.test.ts holds both readers to that on every agent
// configuration in the repository and on a table of edge cases.

/** A value of the subset: what `yaml`'s `toJS()` returns for the same text. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

/** Thrown inside the reader when the text leaves the subset. */
class OutsideSubset extends Error {}

interface Row {
  indent: number;
  text: string;
}

const outside = (): never => {
  throw new OutsideSubset();
};

const BLOCK_KEY = /^([A-Za-z_][A-Za-z0-9_.-]*):(?:[ ]+(.*))?$/;
const FLOW_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*/;
const NOT_A_STRING_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;
const NUMBER_LIKE = [
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
  /^0o[0-7]+$/,
  /^0x[0-9a-fA-F]+$/,
];
/** Characters a plain scalar of the subset never starts with (YAML's indicators, and `-` for numbers). */
const PLAIN_START_EXCLUDED = new Set("-?:,[]{}#&*!|>'\"%@`");

/** Read `text` when it is a mapping within the subset; undefined when `yaml` must read it. */
export function parseYamlSubset(text: string): { [key: string]: YamlValue } | undefined {
  if (/[\t\r\\\uFEFF]/.test(text)) return undefined;
  try {
    const rows = toRows(text);
    if (rows.length === 0 || rows[0]!.indent !== 0 || isSequenceItem(rows[0]!.text)) return undefined;
    const cursor = { rows, next: 0 };
    const value = readMapping(cursor, 0);
    return cursor.next === rows.length ? value : undefined;
  } catch (err) {
    if (err instanceof OutsideSubset) return undefined;
    throw err;
  }
}

function toRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split("\n")) {
    if (/^(?:---|\.\.\.|%)/.test(line)) outside();
    const indent = line.length - line.trimStart().length;
    const content = withoutComment(line.slice(indent)).trimEnd();
    if (content.length > 0) rows.push({ indent, text: content });
  }
  return rows;
}

/** The line without its comment: `#` at the start or after a space, outside quoted scalars. */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    const before = i === 0 ? " " : line[i - 1]!;
    if ((c === '"' || c === "'") && " [{,".includes(before)) quote = c;
    else if (c === "#" && before === " ") return line.slice(0, i);
  }
  return line;
}

const isSequenceItem = (text: string): boolean => text === "-" || text.startsWith("- ");

function readBlock(cursor: { rows: Row[]; next: number }, indent: number): YamlValue {
  return isSequenceItem(cursor.rows[cursor.next]!.text) ? readSequence(cursor, indent) : readMapping(cursor, indent);
}

function readMapping(cursor: { rows: Row[]; next: number }, indent: number): { [key: string]: YamlValue } {
  const mapping: { [key: string]: YamlValue } = {};
  while (cursor.next < cursor.rows.length) {
    const row = cursor.rows[cursor.next]!;
    if (row.indent < indent) break;
    if (row.indent > indent || isSequenceItem(row.text)) outside();
    const match = BLOCK_KEY.exec(row.text) ?? outside();
    const key = match[1]!;
    if (Object.hasOwn(mapping, key) || key === "__proto__" || NOT_A_STRING_KEY.test(key)) outside();
    cursor.next++;
    const following = cursor.rows[cursor.next];
    if (match[2] !== undefined) {
      mapping[key] = readInline(match[2]);
      if (following && following.indent > indent) outside();
    } else if (following && following.indent > indent) {
      mapping[key] = readBlock(cursor, following.indent);
    } else if (following && following.indent === indent && isSequenceItem(following.text)) {
      mapping[key] = readSequence(cursor, indent);
    } else {
      mapping[key] = null;
    }
  }
  return mapping;
}

function readSequence(cursor: { rows: Row[]; next: number }, indent: number): YamlValue[] {
  const items: YamlValue[] = [];
  while (cursor.next < cursor.rows.length) {
    const row = cursor.rows[cursor.next]!;
    if (row.indent < indent || (row.indent === indent && !isSequenceItem(row.text))) break;
    if (row.indent > indent) outside();
    const item = row.text.slice(1);
    const itemText = item.trimStart();
    if (itemText.length === 0 || isSequenceItem(itemText)) outside();
    if (BLOCK_KEY.test(itemText)) {
      // `- key: value` opens a mapping whose keys line up with this first one.
      cursor.rows[cursor.next] = { indent: indent + 1 + (item.length - itemText.length), text: itemText };
      items.push(readMapping(cursor, cursor.rows[cursor.next]!.indent));
    } else {
      items.push(readInline(itemText));
      cursor.next++;
      const following = cursor.rows[cursor.next];
      if (following && following.indent > indent) outside();
    }
  }
  return items;
}

/** A value on the rest of a line: a flow collection or a scalar, nothing after it. */
function readInline(text: string): YamlValue {
  if (text.startsWith("{") || text.startsWith("[")) {
    const flow = { text, at: 0 };
    const value = readFlow(flow);
    return flow.at === text.length ? value : outside();
  }
  if (text.startsWith('"') || text.startsWith("'")) {
    const flow = { text, at: 0 };
    const value = readQuoted(flow);
    return flow.at === text.length ? value : outside();
  }
  if (text.includes(": ") || text.endsWith(":") || text.includes(" #")) outside();
  return resolvePlain(text);
}

function skipSpaces(flow: { text: string; at: number }): void {
  while (flow.text[flow.at] === " ") flow.at++;
}

function readFlow(flow: { text: string; at: number }): YamlValue {
  skipSpaces(flow);
  const c = flow.text[flow.at];
  if (c === "{" || c === "[") {
    const close = c === "{" ? "}" : "]";
    const mapping: { [key: string]: YamlValue } = {};
    const items: YamlValue[] = [];
    flow.at++;
    skipSpaces(flow);
    if (flow.text[flow.at] === close) {
      flow.at++;
      return c === "{" ? mapping : items;
    }
    for (;;) {
      skipSpaces(flow);
      if (c === "{") {
        const key = FLOW_KEY.exec(flow.text.slice(flow.at))?.[0] ?? outside();
        flow.at += key.length;
        if (flow.text.slice(flow.at, flow.at + 2) !== ": ") outside();
        if (Object.hasOwn(mapping, key) || key === "__proto__" || NOT_A_STRING_KEY.test(key)) outside();
        flow.at += 2;
        mapping[key] = readFlow(flow);
      } else {
        items.push(readFlow(flow));
      }
      skipSpaces(flow);
      const separator = flow.text[flow.at++];
      if (separator === close) return c === "{" ? mapping : items;
      if (separator !== ",") outside();
    }
  }
  if (c === '"' || c === "'") return readQuoted(flow);
  const start = flow.at;
  while (flow.at < flow.text.length && !",[]{}".includes(flow.text[flow.at]!)) {
    if (flow.text[flow.at] === ":" && " ,[]{}".includes(flow.text[flow.at + 1] ?? " ")) outside();
    flow.at++;
  }
  const plain = flow.text.slice(start, flow.at).trimEnd();
  return plain.length === 0 || plain.includes(" #") ? outside() : resolvePlain(plain);
}

/** A quoted scalar on one line, without escapes (`\` sends the whole text to `yaml`). */
function readQuoted(flow: { text: string; at: number }): string {
  const quote = flow.text[flow.at]!;
  let value = "";
  for (let i = flow.at + 1; i < flow.text.length; i++) {
    if (flow.text[i] !== quote) {
      value += flow.text[i];
    } else if (quote === "'" && flow.text[i + 1] === "'") {
      value += "'";
      i++;
    } else {
      flow.at = i + 1;
      return value;
    }
  }
  return outside();
}

/** A plain scalar as YAML 1.2's core schema reads it; numbers other than small non-negative integers leave the subset. */
function resolvePlain(text: string): YamlValue {
  if (PLAIN_START_EXCLUDED.has(text[0]!)) outside();
  if (/^(?:~|null|Null|NULL)$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^(?:0|[1-9][0-9]{0,14})$/.test(text)) return Number(text);
  if (NUMBER_LIKE.some((pattern) => pattern.test(text))) outside();
  return text;
}
