/**
 * A small interpreter for the subset of Go templates (with Helm/sprig functions) that
 * deploy/src/emit.ts prints, so the tests can render the chart without helm: actions with
 * `{{-`/`-}}` trimming, comments, if/else/end, with/end, pipelines, parentheses, field chains
 * (.Values.a.b, .Release.Name, .Chart.AppVersion, .), string/number/bool literals, and the
 * functions below. Offline like `helm template`: `lookup` returns an empty map; `randAlphaNum`
 * is stubbed to "" so a generated token renders like the concrete manifests' empty one.
 * Unknown syntax or functions throw, so the tests fail loudly rather than approximate.
 */
import { stringify } from "yaml";

type Node =
  | { kind: "text"; text: string }
  | { kind: "out"; pipe: string }
  | { kind: "if"; branches: { cond: string; body: Node[] }[]; otherwise: Node[] }
  | { kind: "with"; pipe: string; body: Node[]; otherwise: Node[] };

type Piece = { kind: "text"; text: string } | { kind: "action"; text: string };

function lex(src: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, "");
    trimNext = false;
    if (open < 0) {
      out.push({ kind: "text", text });
      break;
    }
    let j = open + 2;
    if (src.startsWith("- ", j) || src.startsWith("-\n", j)) {
      text = text.replace(/\s+$/, "");
      j += 1;
    }
    out.push({ kind: "text", text });
    let close: number;
    if (src.slice(j).trimStart().startsWith("/*")) {
      const endComment = src.indexOf("*/", j);
      if (endComment < 0) throw new Error("unterminated comment");
      close = src.indexOf("}}", endComment);
      const inner = src.slice(endComment + 2, close);
      if (inner.trim() === "-") trimNext = true;
      else if (inner.trim() !== "") throw new Error("bad comment end");
      i = close + 2;
      continue;
    }
    // find the closing }} outside string literals
    let k = j;
    let inStr = false;
    for (; k < src.length; k++) {
      const ch = src[k];
      if (inStr) {
        if (ch === "\\") k++;
        else if (ch === '"') inStr = false;
      } else if (ch === '"') inStr = true;
      else if (src.startsWith("}}", k)) break;
    }
    close = k;
    if (close >= src.length) throw new Error("unterminated action");
    let inner = src.slice(j, close);
    if (/\s-$/.test(inner)) {
      inner = inner.slice(0, -1);
      trimNext = true;
    }
    out.push({ kind: "action", text: inner.trim() });
    i = close + 2;
  }
  return out;
}

function parse(pieces: Piece[]): Node[] {
  let pos = 0;
  const block = (terminators: string[]): { body: Node[]; end: string } => {
    const body: Node[] = [];
    while (pos < pieces.length) {
      const p = pieces[pos++]!;
      if (p.kind === "text") {
        if (p.text) body.push({ kind: "text", text: p.text });
        continue;
      }
      const a = p.text;
      const word = a.split(/\s+/)[0]!;
      if (terminators.includes(word)) return { body, end: a };
      if (word === "if") {
        const branches = [{ cond: a.slice(2).trim(), body: [] as Node[] }];
        let otherwise: Node[] = [];
        for (;;) {
          const r = block(["else", "end"]);
          branches[branches.length - 1]!.body = r.body;
          if (r.end === "end") break;
          if (/^else\s+if\s/.test(r.end)) {
            branches.push({ cond: r.end.replace(/^else\s+if\s+/, ""), body: [] });
            continue;
          }
          otherwise = block(["end"]).body;
          break;
        }
        body.push({ kind: "if", branches, otherwise });
      } else if (word === "with") {
        const r = block(["else", "end"]);
        const otherwise = r.end === "end" ? [] : block(["end"]).body;
        body.push({ kind: "with", pipe: a.slice(4).trim(), body: r.body, otherwise });
      } else if (["range", "define", "template", "block", "include"].includes(word) || word.startsWith("$")) {
        throw new Error(`unsupported action: ${a}`);
      } else body.push({ kind: "out", pipe: a });
    }
    if (terminators.length) throw new Error(`missing {{ end }} (expected ${terminators.join("/")})`);
    return { body, end: "" };
  };
  return block([]).body;
}

type Tok = { t: "(" | ")" | "|" } | { t: "str"; v: string } | { t: "num"; v: number } | { t: "field"; path: string[] } | { t: "id"; v: string };

function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "(" || ch === ")" || ch === "|") {
      toks.push({ t: ch });
      i++;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
      toks.push({ t: "str", v: JSON.parse(s.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (/[0-9-]/.test(ch)) {
      const m = /^-?[0-9.]+/.exec(s.slice(i))!;
      toks.push({ t: "num", v: Number(m[0]) });
      i += m[0].length;
    } else if (ch === ".") {
      const m = /^\.([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)?/.exec(s.slice(i))!;
      toks.push({ t: "field", path: m[1] ? m[1].split(".") : [] });
      i += m[0].length;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
      if (!m) throw new Error(`cannot tokenize ${s.slice(i)}`);
      toks.push({ t: "id", v: m[0] });
      i += m[0].length;
    }
  }
  return toks;
}

const isTrue = (v: unknown): boolean => {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
};

function toInt(v: unknown): number {
  const n = typeof v === "string" ? Number.parseInt(v, 10) : Number(v ?? 0);
  if (Number.isNaN(n)) return 0;
  return Math.trunc(n);
}

const indent = (n: number, s: string): string =>
  s
    .split("\n")
    .map((l) => " ".repeat(n) + l)
    .join("\n");

function printf(fmt: string, ...args: unknown[]): string {
  let k = 0;
  return fmt.replace(/%[v%]/g, (m) => (m === "%%" ? "%" : print(args[k++])));
}

function print(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") throw new Error(`cannot print a structured value directly: ${JSON.stringify(v)}`);
  return String(v);
}

const FUNCS: Record<string, (...a: unknown[]) => unknown> = {
  quote: (...a) => a.map((x) => JSON.stringify(print(x))).join(" "),
  int64: (v) => toInt(v),
  toYaml: (v) => (v === undefined || v === null ? "null" : stringify(v, { sortMapEntries: true, lineWidth: 0 }).replace(/\n$/, "")),
  nindent: (n, s) => `\n${indent(toInt(n), String(s))}`,
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  not: (a) => !isTrue(a),
  and: (...a) => a.find((x) => !isTrue(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => isTrue(x)) ?? a[a.length - 1],
  gt: (a, b) => Number(a) > Number(b),
  mul: (...a) => a.reduce<number>((p, x) => p * toInt(x), 1),
  printf: (fmt, ...args) => printf(String(fmt), ...args),
  b64enc: (s) => Buffer.from(String(s), "utf8").toString("base64"),
  randAlphaNum: () => "",
  lookup: () => ({}),
  dig: (...a) => {
    const dict = a[a.length - 1];
    const dflt = a[a.length - 2];
    let cur: unknown = dict;
    for (const k of a.slice(0, -2)) {
      if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, String(k))) return dflt;
      cur = (cur as Record<string, unknown>)[String(k)];
    }
    return cur;
  },
  fail: (msg) => {
    throw new Error(`fail: ${String(msg)}`);
  },
};

function evalPipeline(src: string, dot: unknown): unknown {
  const toks = tokenize(src);
  let pos = 0;
  const field = (path: string[]): unknown => {
    let cur: unknown = dot;
    for (const k of path) {
      if (cur === null || typeof cur !== "object") return undefined;
      cur = (cur as Record<string, unknown>)[k];
    }
    return cur;
  };
  const operand = (): unknown => {
    const tok = toks[pos++];
    if (!tok) throw new Error(`unexpected end of ${src}`);
    switch (tok.t) {
      case "(": {
        const v = pipeline();
        if (toks[pos++]?.t !== ")") throw new Error(`missing ) in ${src}`);
        return v;
      }
      case "str":
      case "num":
        return tok.v;
      case "field":
        return field(tok.path);
      case "id":
        if (tok.v === "true") return true;
        if (tok.v === "false") return false;
        if (tok.v === "nil") return null;
        throw new Error(`function ${tok.v} used as a value in ${src}`);
      default:
        throw new Error(`unexpected ${tok.t} in ${src}`);
    }
  };
  const command = (piped: unknown[]): unknown => {
    const tok = toks[pos];
    if (tok?.t === "id" && !["true", "false", "nil"].includes(tok.v)) {
      pos++;
      const fn = FUNCS[tok.v];
      if (!fn) throw new Error(`unsupported function ${tok.v}`);
      const args: unknown[] = [];
      while (pos < toks.length && toks[pos]!.t !== "|" && toks[pos]!.t !== ")") args.push(operand());
      return fn(...args, ...piped);
    }
    if (piped.length) throw new Error(`cannot pipe into a value in ${src}`);
    return operand();
  };
  const pipeline = (): unknown => {
    let v = command([]);
    while (toks[pos]?.t === "|") {
      pos++;
      v = command([v]);
    }
    return v;
  };
  const v = pipeline();
  if (pos !== toks.length) throw new Error(`trailing tokens in ${src}`);
  return v;
}

function run(nodes: Node[], dot: unknown): string {
  let out = "";
  for (const n of nodes) {
    switch (n.kind) {
      case "text":
        out += n.text;
        break;
      case "out":
        out += print(evalPipeline(n.pipe, dot));
        break;
      case "if": {
        const b = n.branches.find((br) => isTrue(evalPipeline(br.cond, dot)));
        out += run(b ? b.body : n.otherwise, dot);
        break;
      }
      case "with": {
        const v = evalPipeline(n.pipe, dot);
        out += isTrue(v) ? run(n.body, v) : run(n.otherwise, dot);
        break;
      }
    }
  }
  return out;
}

/** Renders a template with `dot` = { Values, Release, Chart }. Throws on `fail`. */
export function renderGoTemplate(src: string, dot: unknown): string {
  return run(parse(lex(src)), dot);
}
