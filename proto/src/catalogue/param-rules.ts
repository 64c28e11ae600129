/**
 * The rule of one trial parameter (type, range, allowed values, default) and the one checker
 * of values against it. The coordinator runs the checker on every value of a search space
 * before anything is dispatched; the worker runs it again on every trial's parameters before
 * training, so a trial that bypassed the coordinator still fails fast.
 */
import type { PlainParam } from "../params.js";

/** The rule for one parameter. Bounds are inclusive unless marked exclusive. */
export interface ParamRule {
  readonly type: "float" | "int" | "categorical" | "bool";
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
  readonly values?: readonly string[];
  /** Used when a trial does not set the parameter; none: the method decides (see description). */
  readonly default?: number | string | boolean;
  readonly description: string;
}

/** A pairwise relation every trial of a method must satisfy, e.g. `p < q`. */
export interface ParamRelation {
  readonly left: string;
  readonly op: "<" | "<=";
  readonly right: string;
}

/**
 * Why a value breaks a rule. `type`: not of the rule's type (the message shows the value);
 * `range`: of the right type but outside the bounds or the allowed values (it does not).
 */
export interface RuleViolation {
  readonly kind: "type" | "range";
  readonly message: string;
}

/** The bound `v` violates, as `must be <= 1`, or undefined when within the rule's bounds. */
export function boundViolation(rule: ParamRule, v: number): string | undefined {
  if (rule.min !== undefined) {
    if (rule.exclusiveMin && !(v > rule.min)) return `must be > ${rule.min}`;
    if (!(v >= rule.min)) return `must be >= ${rule.min}`;
  }
  if (rule.max !== undefined) {
    if (rule.exclusiveMax && !(v < rule.max)) return `must be < ${rule.max}`;
    if (!(v <= rule.max)) return `must be <= ${rule.max}`;
  }
  return undefined;
}

/** Checks one value against its rule; undefined when the value is allowed. */
export function ruleViolation(rule: ParamRule, v: unknown): RuleViolation | undefined {
  const type = (message: string): RuleViolation => ({ kind: "type", message });
  const range = (message: string | undefined): RuleViolation | undefined => (message === undefined ? undefined : { kind: "range", message });
  switch (rule.type) {
    case "float":
      if (typeof v !== "number") return type(`expected a number, got ${typeof v}`);
      if (!Number.isFinite(v)) return type(`expected a finite number, got ${v}`);
      return range(boundViolation(rule, v));
    case "int":
      if (typeof v !== "number" || !Number.isInteger(v)) return type(`expected an integer, got ${typeof v === "number" ? v : JSON.stringify(v)}`);
      return range(boundViolation(rule, v));
    case "bool":
      return typeof v === "boolean" ? undefined : type(`expected a boolean, got ${JSON.stringify(v)}`);
    case "categorical":
      if (typeof v !== "string") return type(`expected a string, got ${JSON.stringify(v)}`);
      return rule.values && rule.values.length > 0 && !rule.values.includes(v) ? range(`must be one of: ${rule.values.join(", ")}`) : undefined;
  }
}

/** The plain value type a rule admits: numbers, booleans, or the listed strings. */
export type RuleValue<R extends ParamRule> = R extends { readonly type: "bool" }
  ? boolean
  : R extends { readonly type: "categorical"; readonly values: readonly (infer V extends string)[] }
    ? V
    : R extends { readonly type: "categorical" }
      ? string
      : number;

/** Parameters with their defaults applied: optional exactly where the rule has no default. */
export type ParamValues<Rules extends Readonly<Record<string, ParamRule>>> = {
  readonly [K in keyof Rules]: Rules[K] extends { readonly default: PlainParam } ? RuleValue<Rules[K]> : RuleValue<Rules[K]> | undefined;
};

/**
 * The given values (already checked with {@link ruleViolation}) completed with the rules'
 * defaults; a parameter without a default stays undefined unless given.
 */
export function withDefaults<Rules extends Readonly<Record<string, ParamRule>>>(rules: Rules, given: Readonly<Record<string, PlainParam>>): ParamValues<Rules> {
  const out: Record<string, PlainParam | undefined> = {};
  for (const [k, rule] of Object.entries(rules)) out[k] = given[k] ?? rule.default;
  return out as ParamValues<Rules>;
}
