/**
 * Reads campaign-spec YAML safely: size and nesting limits checked before and after
 * parsing, syntax errors reported with their line and column, aliases capped.
 */
import { parseDocument } from "yaml";
import { SpecError } from "../errors.js";

/** Largest spec accepted, in bytes. */
const MAX_SPEC_BYTES = 1024 * 1024; // 1 MiB
/** Deepest nesting of mappings and lists accepted. */
const MAX_SPEC_DEPTH = 32;
/** Most alias expansions accepted (guards against "billion laughs" documents). */
const MAX_ALIAS_COUNT = 100;

/**
 * Deepest flow nesting (`[`/`{`) of the raw text, outside quotes and comments. The YAML
 * parser recurses on flow collections and can exhaust the stack or memory on pathological
 * input, so this guard runs before it.
 */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let quote: string | undefined;
  let comment = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (comment) {
      if (c === "\n") comment = false;
      continue;
    }
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1] ?? ""))) comment = true;
    else if (c === "[" || c === "{") max = Math.max(max, ++depth);
    else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  return max;
}

/**
 * Nesting depth of a parsed value (a scalar is 0), walked iteratively so that deep values
 * cannot overflow the stack. Stops counting once past `limit`.
 */
function valueDepth(value: unknown, limit = MAX_SPEC_DEPTH): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== "object") continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) stack.push([child, depth]);
  }
  return max;
}

/** Throws when a value nests deeper than {@link MAX_SPEC_DEPTH}. */
export function assertDepth(value: unknown, source?: string): void {
  if (valueDepth(value) > MAX_SPEC_DEPTH) {
    throw new SpecError([{ path: "", message: `nesting is deeper than ${MAX_SPEC_DEPTH} levels` }], source);
  }
}

/**
 * Parses YAML text into a plain value.
 *
 * @throws SpecError when the text is over {@link MAX_SPEC_BYTES}, nests deeper than
 * {@link MAX_SPEC_DEPTH}, has a syntax error (the message gives line and column), holds
 * several documents or expands too many aliases.
 */
export function loadYaml(text: string, source?: string): unknown {
  const fail = (message: string): never => {
    throw new SpecError([{ path: "", message }], source);
  };
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_SPEC_BYTES) fail(`spec is ${bytes} bytes; the limit is ${MAX_SPEC_BYTES} (1 MiB)`);
  if (flowDepth(text) > MAX_SPEC_DEPTH) fail(`nesting is deeper than ${MAX_SPEC_DEPTH} levels`);
  let doc;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, strict: true });
  } catch (err) {
    return fail(`YAML could not be parsed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : "unknown position";
    const detail = first.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? "";
    const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more)` : "";
    fail(`YAML syntax error at ${where}: ${detail}${more}`);
  }
  try {
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    assertDepth(value, source);
    return value;
  } catch (err) {
    if (err instanceof SpecError) throw err;
    return fail(`YAML could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}
