import type { ParamValue } from "./gen/prunesweep/v1/common.js";

/** A hyperparameter value as the domain code sees it. */
export type PlainParam = number | string | boolean;

/**
 * Encodes a plain value as a typed proto value. Integers stay integers only when `asInt` is
 * set, so a float parameter that happens to be whole (1.0) keeps its float type.
 */
export function toParamValue(v: PlainParam, asInt = false): ParamValue {
  if (typeof v === "string") return { kind: { $case: "stringValue", value: v } };
  if (typeof v === "boolean") return { kind: { $case: "boolValue", value: v } };
  if (asInt && Number.isInteger(v)) return { kind: { $case: "intValue", value: v } };
  return { kind: { $case: "floatValue", value: v } };
}

/** Decodes a typed proto value; a value with no kind set is an error at the caller's path. */
export function fromParamValue(p: ParamValue, path = "param"): PlainParam {
  if (p.kind === undefined) throw new TypeError(`${path}: parameter value has no type`);
  return p.kind.value;
}

/** Decodes a map of proto values. */
export function fromParamMap(m: { readonly [k: string]: ParamValue }): Record<string, PlainParam> {
  const out: Record<string, PlainParam> = {};
  for (const [k, v] of Object.entries(m)) out[k] = fromParamValue(v, k);
  return out;
}

/** Encodes a map of plain values; keys listed in `intKeys` are sent as int64. */
export function toParamMap(
  m: Readonly<Record<string, PlainParam>>,
  intKeys: ReadonlySet<string> = new Set(),
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(m)) out[k] = toParamValue(v, intKeys.has(k));
  return out;
}
