/**
 * Checks search-space parameters against the method catalogue of `@prunesweep/proto`
 * (`findParamRule`): unknown names, types, bounds and allowed values, with the catalogue's
 * one rule checker (`ruleViolation`, `boundViolation`) that the worker also runs on every
 * trial. Everything is driven by the catalogue data, so new methods need no change here.
 */
import { COMMON_PARAMS, METHOD_NAMES, boundViolation, findMethod, findParamRule, ruleViolation, type ParamRule } from "@prunesweep/proto";
import type { SpecIssue } from "../errors.js";
import type { EntryPaths } from "./distribution.js";
import type { ParamSpec } from "../domain/campaign-spec.js";

/** The method a namespaced parameter belongs to (`sap.p` → `sap`), if it is catalogued. */
export function methodOfParam(name: string): string | undefined {
  return findParamRule(name)?.method;
}

/** Why `name` is not a known parameter, as a message for `space.<name>`. */
function unknownParamMessage(name: string): string {
  const dot = name.indexOf(".");
  const prefix = dot < 0 ? "" : name.slice(0, dot);
  const method = prefix ? findMethod(prefix) : undefined;
  if (method) return `unknown parameter of method ${method.name}; known: ${Object.keys(method.params).join(", ")}`;
  const commonGroup = Object.keys(COMMON_PARAMS).filter((k) => prefix && k.startsWith(`${prefix}.`));
  if (commonGroup.length > 0) return `unknown parameter; known ${prefix} parameters: ${commonGroup.join(", ")}`;
  const common = Object.keys(COMMON_PARAMS).join(", ");
  const methods = METHOD_NAMES.join(", ");
  if (prefix) {
    return `unknown parameter: "${prefix}" is not a method (known: ${methods}) and ${name} is not a common parameter (${common})`;
  }
  return `unknown parameter; known common parameters: ${common}; method parameters are named <method>.<param> with method one of: ${methods}`;
}

/** `must be < 1` → `must be < 1, got 1.5`: the message names the offending value. */
const withValue = (message: string, v: unknown): string => `${message}, got ${JSON.stringify(v)}`;

/** Why `v` breaks `rule`, naming `v` (type messages already do). */
function rangeMessage(rule: ParamRule, v: unknown): string | undefined {
  const r = ruleViolation(rule, v);
  if (!r) return undefined;
  return r.kind === "range" ? withValue(r.message, v) : r.message;
}

const SHAPE_FOR: Readonly<Record<ParamRule["type"], string>> = {
  float: "{min, max}",
  int: "{int: [lo, hi]}",
  categorical: "{values: [...]}",
  bool: "{values: [true, false]}",
};

/**
 * Issues of one parameter against the catalogue: unknown name, a distribution of the wrong
 * kind (`{min, max}` for an int rule), bounds or values outside the rule.
 */
export function checkAgainstCatalogue(spec: ParamSpec, paths: EntryPaths): SpecIssue[] {
  const found = findParamRule(spec.name);
  if (!found) return [{ path: paths.entry, message: unknownParamMessage(spec.name) }];
  const { rule } = found;
  const d = spec.distribution;
  const issues: SpecIssue[] = [];
  const wrongKind = (): SpecIssue => ({
    path: paths.entry,
    message: `${spec.name} is ${rule.type === "int" ? "an int" : `a ${rule.type}`} parameter; write ${SHAPE_FOR[rule.type]}`,
  });
  switch (d.type) {
    case "float":
      if (rule.type !== "float") return [wrongKind()];
      for (const [path, v] of [[paths.lo, d.min], [paths.hi, d.max]] as const) {
        const msg = boundViolation(rule, v);
        if (msg) issues.push({ path, message: withValue(msg, v) });
      }
      return issues;
    case "int":
      if (rule.type !== "int" && rule.type !== "float") return [wrongKind()];
      for (const [path, v] of [[paths.lo, d.min], [paths.hi, d.max]] as const) {
        const msg = boundViolation(rule, v);
        if (msg) issues.push({ path, message: withValue(msg, v) });
      }
      return issues;
    case "categorical":
      d.values.forEach((v, i) => {
        const msg = rangeMessage(rule, v);
        if (msg) issues.push({ path: paths.value(i), message: msg });
      });
      return issues;
    case "fixed": {
      const msg = rangeMessage(rule, d.value);
      return msg ? [{ path: paths.value(0), message: msg }] : [];
    }
  }
}
