/**
 * `paramConstraints` ("sap.p < sap.q", "magnitude.sparsity <= 0.95") and the pairwise
 * `relations` of the method catalogue, as {@link ParamConstraint}s over numeric parameters.
 */
import { METHOD_CATALOG, findParamRule, type MethodCatalogEntry } from "@prunesweep/proto";
import type { SpecIssue } from "../errors.js";
import type { ParamConstraint, ParamSpec } from "../domain/campaign-spec.js";
import { numericRange } from "./distribution.js";

type Op = ParamConstraint["op"];

const NAME = String.raw`[A-Za-z_][\w.-]*`;
const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
const CONSTRAINT_RE = new RegExp(String.raw`^\s*(${NAME}|${NUMBER})\s*(<=|>=|<|>)\s*(${NAME}|${NUMBER})\s*$`);
const NUMBER_RE = new RegExp(`^${NUMBER}$`);
const FLIP: Readonly<Record<Op, Op>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

/**
 * Parses `"<name> <op> <name|number>"` (or `"<number> <op> <name>"`, flipped so the name is
 * on the left). Returns an error message when the text does not parse.
 */
function parseConstraintText(text: string): Omit<ParamConstraint, "source"> | string {
  const m = CONSTRAINT_RE.exec(text);
  if (!m) return `cannot parse "${text}"; expected "<param> <op> <param or number>" with op one of <, <=, >, >=`;
  const [, a = "", op = "<", b = ""] = m;
  const aNum = NUMBER_RE.test(a);
  const bNum = NUMBER_RE.test(b);
  if (aNum && bNum) return `"${text}" compares two numbers; one side must be a parameter`;
  if (aNum) return { left: b, op: FLIP[op as Op], right: Number(a) };
  return { left: a, op: op as Op, right: bNum ? Number(b) : b };
}

/** Evaluates `a op b`. */
function compare(a: number, op: Op, b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
}

/**
 * True when every constraint holds. A constraint whose parameter is absent from `params`
 * (inactive) holds vacuously; a non-numeric value fails it.
 */
export function satisfiesConstraints(
  params: Readonly<Record<string, unknown>>,
  constraints: readonly ParamConstraint[],
): boolean {
  return constraints.every((c) => {
    const a = params[c.left];
    const b = typeof c.right === "number" ? c.right : params[c.right];
    if (a === undefined || b === undefined) return true;
    return typeof a === "number" && typeof b === "number" && compare(a, c.op, b);
  });
}

/**
 * Why a constraint can never hold over the parameters' ranges, or undefined when some values
 * satisfy it (ranges only: conditions and steps are not considered).
 */
function whyNeverHolds(c: Omit<ParamConstraint, "source">, space: readonly ParamSpec[]): string | undefined {
  const range = (name: string): { min: number; max: number } | undefined => {
    const p = space.find((s) => s.name === name);
    return p ? numericRange(p.distribution) : undefined;
  };
  const l = range(c.left);
  const r = typeof c.right === "number" ? { min: c.right, max: c.right } : range(c.right);
  if (!l || !r) return undefined;
  const rightName = typeof c.right === "number" ? String(c.right) : c.right;
  switch (c.op) {
    case "<":
      return l.min >= r.max ? `${c.left} is at least ${l.min} but ${rightName} is at most ${r.max}` : undefined;
    case "<=":
      return l.min > r.max ? `${c.left} is at least ${l.min} but ${rightName} is at most ${r.max}` : undefined;
    case ">":
      return l.max <= r.min ? `${c.left} is at most ${l.max} but ${rightName} is at least ${r.min}` : undefined;
    case ">=":
      return l.max < r.min ? `${c.left} is at most ${l.max} but ${rightName} is at least ${r.min}` : undefined;
  }
}

/**
 * Compiles the `paramConstraints` strings against the space: both sides must be numeric
 * parameters of the space (or a number on one side), and the constraint must be satisfiable.
 * Issues are located at `paramConstraints.<i>`; names in `invalidNames` (entries that failed
 * to parse, already reported) are skipped silently.
 */
export function compileParamConstraints(
  raw: readonly string[],
  space: readonly ParamSpec[],
  options: { pathPrefix?: string; invalidNames?: ReadonlySet<string> } = {},
): { constraints: ParamConstraint[]; issues: SpecIssue[] } {
  const pathPrefix = options.pathPrefix ?? "paramConstraints";
  const constraints: ParamConstraint[] = [];
  const issues: SpecIssue[] = [];
  raw.forEach((text, i) => {
    const path = `${pathPrefix}.${i}`;
    const parsed = parseConstraintText(text);
    if (typeof parsed === "string") return void issues.push({ path, message: parsed });
    const sides = typeof parsed.right === "number" ? [parsed.left] : [parsed.left, parsed.right];
    let ok = true;
    for (const name of sides) {
      const p = space.find((s) => s.name === name);
      if (options.invalidNames?.has(name)) {
        ok = false; // already reported under space.<name>
      } else if (!p) {
        issues.push({ path, message: `unknown parameter "${name}" (not in the space)` });
        ok = false;
      } else if (!numericRange(p.distribution)) {
        issues.push({ path, message: `${name} is not numeric` });
        ok = false;
      }
    }
    if (!ok) return;
    const why = whyNeverHolds(parsed, space);
    if (why) return void issues.push({ path, message: `can never hold: ${why}` });
    constraints.push({ ...parsed, source: text });
  });
  return { constraints, issues };
}

/**
 * The catalogue's relations that apply to the space: when both parameters of a method's
 * relation are in the space, the relation becomes a constraint; when only one is, the other
 * side is its catalogue default. Issues (located at `space.<left>`) when it can never hold.
 */
export function catalogueConstraints(space: readonly ParamSpec[]): { constraints: ParamConstraint[]; issues: SpecIssue[] } {
  const constraints: ParamConstraint[] = [];
  const issues: SpecIssue[] = [];
  const has = (name: string): boolean => space.some((p) => p.name === name && numericRange(p.distribution) !== undefined);
  const defaultOf = (name: string): number | undefined => {
    const d = findParamRule(name)?.rule.default;
    return typeof d === "number" ? d : undefined;
  };
  const catalogue: readonly MethodCatalogEntry[] = METHOD_CATALOG;
  for (const method of catalogue) {
    for (const rel of method.relations ?? []) {
      const left = `${method.name}.${rel.left}`;
      const right = `${method.name}.${rel.right}`;
      const source = `catalogue: ${left} ${rel.op} ${right}`;
      let c: Omit<ParamConstraint, "source"> | undefined;
      const rDefault = defaultOf(right);
      const lDefault = defaultOf(left);
      if (has(left) && has(right)) c = { left, op: rel.op, right };
      else if (has(left) && rDefault !== undefined) c = { left, op: rel.op, right: rDefault };
      else if (has(right) && lDefault !== undefined) c = { left: right, op: FLIP[rel.op], right: lDefault };
      if (!c) continue;
      const why = whyNeverHolds(c, space);
      if (why) issues.push({ path: `space.${c.left}`, message: `can never satisfy ${source}: ${why}` });
      else constraints.push({ ...c, source });
    }
  }
  return { constraints, issues };
}
