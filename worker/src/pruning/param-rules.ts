/** Checking trial parameter values against the catalogue's rules; errors name the parameter. */
import { ruleViolation, type ParamRule, type PlainParam } from "@prunesweep/proto";
import { InvalidParameterError } from "../errors.js";

/** Checks one value against a rule (proto's `ruleViolation`); returns it unchanged or throws naming `name` and the value. */
export function checkParam(name: string, value: PlainParam, rule: ParamRule): PlainParam {
  const v = ruleViolation(rule, value);
  if (!v) return value;
  throw new InvalidParameterError(name, v.kind === "range" ? `${v.message}, got ${JSON.stringify(value)}` : v.message);
}
