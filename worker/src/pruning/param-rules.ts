/** Checking parameter values against proto `ParamRule`s; errors name the parameter. */
import type { ParamRule, PlainParam } from "@prunesweep/proto";
import { InvalidParameterError } from "../errors.js";

/** Checks one value against a rule; returns it unchanged or throws naming `name`. */
export function checkParam(name: string, value: PlainParam, rule: ParamRule): PlainParam {
  switch (rule.type) {
    case "float":
    case "int": {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new InvalidParameterError(name, `must be a finite number, got ${JSON.stringify(value)}`);
      }
      if (rule.type === "int" && !Number.isInteger(value)) throw new InvalidParameterError(name, `must be an integer, got ${value}`);
      if (rule.min !== undefined && (rule.exclusiveMin ? value <= rule.min : value < rule.min)) {
        throw new InvalidParameterError(name, `must be ${rule.exclusiveMin ? ">" : ">="} ${rule.min}, got ${value}`);
      }
      if (rule.max !== undefined && (rule.exclusiveMax ? value >= rule.max : value > rule.max)) {
        throw new InvalidParameterError(name, `must be ${rule.exclusiveMax ? "<" : "<="} ${rule.max}, got ${value}`);
      }
      return value;
    }
    case "categorical":
      if (typeof value !== "string" || !(rule.values ?? []).includes(value)) {
        throw new InvalidParameterError(name, `must be one of ${(rule.values ?? []).map((v) => JSON.stringify(v)).join(", ")}, got ${JSON.stringify(value)}`);
      }
      return value;
    case "bool":
      if (typeof value !== "boolean") throw new InvalidParameterError(name, `must be a boolean, got ${JSON.stringify(value)}`);
      return value;
  }
}

/** The value of `key` from `given`, else the rule's default; throws when neither exists. */
export function paramOrDefault<T extends PlainParam>(given: Readonly<Record<string, PlainParam>>, rules: Readonly<Record<string, ParamRule>>, key: string, label = key): T {
  const v = given[key] ?? rules[key]?.default;
  if (v === undefined) throw new InvalidParameterError(label, "is required");
  return v as T;
}
