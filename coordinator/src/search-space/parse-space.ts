/**
 * The `space:` mapping and `paramConstraints:` list of a campaign spec → a validated
 * {@link SearchSpace}, with every problem reported as a {@link SpecIssue}.
 */
import { SpecError, type SpecIssue } from "../errors.js";
import type { ParamConstraint, ParamSpec } from "../domain/campaign-spec.js";
import { checkAgainstCatalogue, methodOfParam } from "./catalogue.js";
import { findConditionCycle } from "./conditions.js";
import { containsValue, finiteValues, parseEntry, type ParsedEntry } from "./distribution.js";
import { catalogueConstraints, compileParamConstraints } from "./param-constraints.js";

/** A validated search space: parameters and the constraints between them. */
export interface SearchSpace {
  /** Parameters in spec order (an implicit `method` parameter first, when one was added). */
  readonly space: readonly ParamSpec[];
  /** User constraints followed by the catalogue's relations that apply. */
  readonly paramConstraints: readonly ParamConstraint[];
}

/** Options of {@link parseSearchSpace}. */
export interface ParseSpaceOptions {
  /** Check names, kinds and bounds against the method catalogue. @default true */
  readonly checkCatalogue?: boolean;
}

/** Adds the implicit `method` condition of namespaced parameters; see {@link parseSearchSpace}. */
function applyMethodConditions(entries: ParsedEntry[], issues: SpecIssue[]): ParsedEntry[] {
  const methodEntry = entries.find((e) => e.spec.name === "method");
  const methodValues = methodEntry ? finiteValues(methodEntry.spec.distribution) : undefined;
  const used = new Set<string>();
  const out = entries.map((e) => {
    const m = e.spec.name === "method" ? undefined : methodOfParam(e.spec.name);
    if (!m) return e;
    used.add(m);
    const explicit = e.spec.when["method"];
    if (explicit && !explicit.includes(m)) {
      issues.push({ path: `${e.paths.entry}.when.method`, message: `a ${m} parameter is active only when method is ${m}` });
    }
    if (methodValues && !methodValues.includes(m)) {
      issues.push({ path: e.paths.entry, message: `method "${m}" is not among the values of space.method` });
    }
    return { ...e, spec: { ...e.spec, when: { ...e.spec.when, method: [m] } } };
  });
  if (methodEntry || used.size === 0) return out;
  if (used.size > 1) {
    const names = [...used].join(", ");
    issues.push({
      path: "space",
      message: `parameters of several methods (${names}) need a "method" parameter, e.g. method: {values: [${names}]}`,
    });
    return out;
  }
  // One method and no `method` parameter: the method is implied, so make it explicit.
  const only = [...used][0] as string;
  const implicit: ParsedEntry = {
    spec: { name: "method", distribution: { type: "fixed", value: only }, when: {} },
    paths: { entry: "space.method", lo: "space.method", hi: "space.method", value: () => "space.method" },
  };
  return [implicit, ...out];
}

/** Checks that every `when` refers to another parameter of the space and to values it takes. */
function checkConditions(entries: readonly ParsedEntry[], issues: SpecIssue[]): void {
  const byName = new Map(entries.map((e) => [e.spec.name, e.spec]));
  for (const { spec, paths } of entries) {
    for (const [dep, values] of Object.entries(spec.when)) {
      // The implied method condition was checked by applyMethodConditions.
      if (dep === "method" && methodOfParam(spec.name) !== undefined) continue;
      const path = `${paths.entry}.when.${dep}`;
      const target = byName.get(dep);
      if (dep === spec.name) issues.push({ path, message: "a parameter cannot depend on itself" });
      else if (!target) issues.push({ path, message: `unknown parameter "${dep}" (not in the space)` });
      else {
        values.forEach((v, j) => {
          if (!containsValue(target.distribution, v)) {
            issues.push({ path: `${path}.${j}`, message: `${dep} never takes the value ${JSON.stringify(v)}` });
          }
        });
      }
    }
  }
}

/**
 * Parses and validates a search space. Beyond each entry's own shape (see `parseEntry`):
 *
 * - every name must be known to the method catalogue, with a matching kind and bounds within
 *   the rule (unless `checkCatalogue` is false);
 * - a name namespaced `<method>.x` for a catalogued method is active only when `method` is
 *   that method (`when: {method: [<method>]}` is added); `space.method`, if present, must
 *   include it. If `method` is absent and all namespaced names share one method, a fixed
 *   `method: <that method>` parameter is added so that the condition can hold;
 * - `when` must refer to other parameters of the space and to values they take, without
 *   cycles;
 * - `paramConstraints` must parse, compare numeric parameters of the space and be
 *   satisfiable; the catalogue's relations between parameters in the space are appended.
 *
 * Returns everything it could parse plus the issues; the space is only usable when there are
 * no issues.
 */
export function parseSearchSpace(
  rawSpace: unknown,
  rawConstraints: readonly string[] = [],
  options: ParseSpaceOptions = {},
): { result: SearchSpace; issues: SpecIssue[] } {
  const issues: SpecIssue[] = [];
  let entries: ParsedEntry[] = [];
  const invalidNames = new Set<string>();
  if (rawSpace !== undefined && rawSpace !== null) {
    if (typeof rawSpace !== "object" || Array.isArray(rawSpace)) {
      issues.push({ path: "space", message: "expected a mapping of parameter names to distributions" });
    } else {
      for (const [name, raw] of Object.entries(rawSpace as Record<string, unknown>)) {
        const r = parseEntry(name, raw, `space.${name}`);
        issues.push(...r.issues);
        if (!r.entry || r.issues.length > 0) invalidNames.add(name);
        if (!r.entry) continue;
        // An entry with shape issues is not checked further: its bounds may be meaningless.
        if (options.checkCatalogue !== false && r.issues.length === 0) {
          const catalogueIssues = checkAgainstCatalogue(r.entry.spec, r.entry.paths);
          issues.push(...catalogueIssues);
          if (catalogueIssues.length > 0) invalidNames.add(name);
        }
        entries.push(r.entry);
      }
    }
  }
  entries = applyMethodConditions(entries, issues);
  checkConditions(entries, issues);
  const space = entries.map((e) => e.spec);
  if (issues.length === 0) {
    const cycle = findConditionCycle(space);
    if (cycle) issues.push({ path: `space.${cycle[0]}.when`, message: `conditions form a cycle: ${cycle.join(" → ")}` });
  }
  const user = compileParamConstraints(rawConstraints, space, { invalidNames });
  issues.push(...user.issues);
  const paramConstraints: ParamConstraint[] = [...user.constraints];
  if (options.checkCatalogue !== false && invalidNames.size === 0) {
    const fromCatalogue = catalogueConstraints(space);
    issues.push(...fromCatalogue.issues);
    for (const c of fromCatalogue.constraints) {
      const dup = paramConstraints.some((u) => u.left === c.left && u.op === c.op && u.right === c.right);
      if (!dup) paramConstraints.push(c);
    }
  }
  return { result: { space, paramConstraints }, issues };
}

/**
 * {@link parseSearchSpace} that throws instead of returning issues.
 *
 * @throws SpecError listing every issue.
 */
export function buildSearchSpace(
  rawSpace: unknown,
  rawConstraints: readonly string[] = [],
  options: ParseSpaceOptions & { source?: string } = {},
): SearchSpace {
  const { result, issues } = parseSearchSpace(rawSpace, rawConstraints, options);
  if (issues.length > 0) throw new SpecError(issues, options.source);
  return result;
}
