/**
 * One `space:` entry → a {@link ParamSpec}: `{min, max, log?, step?}` float,
 * `{int: [lo, hi], step?, log?}` integer, `{values: [...]}` categorical, a scalar or
 * `{value: x}` fixed; any object form may carry `when: {param: [values] | value}`.
 */
import { z } from "zod";
import type { SpecIssue } from "../errors.js";
import { parseWith } from "../domain/spec-issues.js";
import type { ParamDistribution, ParamSpec } from "../domain/campaign-spec.js";

/** A plain parameter value. */
export type Scalar = string | number | boolean;

/** Paths of the parts of one parsed entry, for issues found by later checks. */
export interface EntryPaths {
  readonly entry: string;
  readonly lo: string;
  readonly hi: string;
  value(index: number): string;
}

/** One successfully parsed entry with the paths of its parts. */
export interface ParsedEntry {
  readonly spec: ParamSpec;
  readonly paths: EntryPaths;
}

/** True for a finite number, a string or a boolean. */
export const isScalar = (v: unknown): v is Scalar =>
  typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v));

const scalar = z.custom<Scalar>(isScalar, { message: "expected a string, a finite number or a boolean" });
const when = z
  .record(z.string(), z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(scalar).min(1)))
  .optional();
const floatEntry = z.strictObject({
  min: z.number(),
  max: z.number(),
  log: z.boolean().default(false),
  step: z.number().positive().optional(),
  when,
});
const intEntry = z.strictObject({
  int: z.tuple([z.number().int(), z.number().int()]),
  step: z.number().int().min(1).default(1),
  log: z.boolean().default(false),
  when,
});
const categoricalEntry = z.strictObject({ values: z.array(scalar).min(1), when });
const fixedEntry = z.strictObject({ value: scalar, when });

/** Relative tolerance when checking that a float range is a whole number of steps. */
const STEP_TOLERANCE = 1e-9;

/** Number of grid steps in [min, max] (`(max - min) / step`, rounded when within tolerance). */
export function stepCount(min: number, max: number, step: number): number {
  const q = (max - min) / step;
  const r = Math.round(q);
  return Math.abs(q - r) <= STEP_TOLERANCE * Math.max(1, q) ? r : Math.floor(q);
}

const SHAPES = "a value, {min, max}, {int: [lo, hi]}, {values: [...]} or {value: x}";

/**
 * Parses one `space:` entry named `name`, located at `path` (`space.sap.p`). Conditions are
 * copied as written; implicit method conditions are added later (see `parseSearchSpace`).
 */
export function parseEntry(name: string, raw: unknown, path: string): { entry?: ParsedEntry; issues: SpecIssue[] } {
  const paths = (lo: string, hi: string, value: (i: number) => string): EntryPaths => ({ entry: path, lo, hi, value });
  const prefix = path.split(".");
  if (isScalar(raw)) {
    const spec: ParamSpec = { name, distribution: { type: "fixed", value: raw }, when: {} };
    return { entry: { spec, paths: paths(path, path, () => path) }, issues: [] };
  }
  if (Array.isArray(raw)) {
    return { issues: [{ path, message: `a list is not a parameter; write {values: [...]} for a categorical one` }] };
  }
  if (raw === null || typeof raw !== "object") {
    return { issues: [{ path, message: `expected ${SHAPES}, got ${raw === null ? "null" : typeof raw}` }] };
  }
  const obj = raw as Record<string, unknown>;
  if ("values" in obj) {
    const r = parseWith(categoricalEntry, raw, prefix);
    if (!r.ok) return { issues: r.issues };
    const issues: SpecIssue[] = [];
    r.data.values.forEach((v, i) => {
      if (r.data.values.indexOf(v) !== i) issues.push({ path: `${path}.values.${i}`, message: `duplicate value ${String(v)}` });
    });
    const spec: ParamSpec = {
      name,
      distribution: { type: "categorical", values: r.data.values },
      when: r.data.when ?? {},
    };
    return { entry: { spec, paths: paths(path, path, (i) => `${path}.values.${i}`) }, issues };
  }
  if ("int" in obj) {
    const r = parseWith(intEntry, raw, prefix);
    if (!r.ok) return { issues: r.issues };
    const [lo, hi] = r.data.int;
    const { step, log } = r.data;
    const issues: SpecIssue[] = [];
    if (hi < lo) issues.push({ path: `${path}.int.1`, message: `must be >= ${lo} (the lower bound), got ${hi}` });
    if (log && lo < 1) issues.push({ path: `${path}.int.0`, message: `must be >= 1 for a log scale, got ${lo}` });
    if (log && step !== 1) issues.push({ path: `${path}.step`, message: "cannot be combined with log: true" });
    if (hi >= lo && (hi - lo) % step !== 0) {
      issues.push({ path: `${path}.step`, message: `hi - lo (${hi - lo}) must be a multiple of step (${step})` });
    }
    const dist: ParamDistribution = { type: "int", min: lo, max: hi, step, log };
    const spec: ParamSpec = { name, distribution: dist, when: r.data.when ?? {} };
    return { entry: { spec, paths: paths(`${path}.int.0`, `${path}.int.1`, () => path) }, issues };
  }
  if ("min" in obj || "max" in obj || "log" in obj || "step" in obj) {
    const r = parseWith(floatEntry, raw, prefix);
    if (!r.ok) return { issues: r.issues };
    const { min, max, log, step } = r.data;
    const issues: SpecIssue[] = [];
    if (!(max > min)) issues.push({ path: `${path}.max`, message: `must be > min (${min}), got ${max}` });
    if (log && min <= 0) issues.push({ path: `${path}.min`, message: `must be > 0 for a log scale, got ${min}` });
    if (log && step !== undefined) issues.push({ path: `${path}.step`, message: "cannot be combined with log: true" });
    if (!log && step !== undefined && max > min) {
      const q = (max - min) / step;
      if (step > max - min) issues.push({ path: `${path}.step`, message: `must be <= max - min (${max - min}), got ${step}` });
      else if (Math.abs(q - Math.round(q)) > STEP_TOLERANCE * Math.max(1, q)) {
        issues.push({ path: `${path}.step`, message: `max - min (${max - min}) must be a multiple of step (${step})` });
      }
    }
    const dist: ParamDistribution =
      step === undefined ? { type: "float", min, max, log } : { type: "float", min, max, log, step };
    const spec: ParamSpec = { name, distribution: dist, when: r.data.when ?? {} };
    return { entry: { spec, paths: paths(`${path}.min`, `${path}.max`, () => path) }, issues };
  }
  if ("value" in obj) {
    const r = parseWith(fixedEntry, raw, prefix);
    if (!r.ok) return { issues: r.issues };
    const spec: ParamSpec = { name, distribution: { type: "fixed", value: r.data.value }, when: r.data.when ?? {} };
    return { entry: { spec, paths: paths(`${path}.value`, `${path}.value`, () => `${path}.value`) }, issues: [] };
  }
  return { issues: [{ path, message: `expected ${SHAPES}` }] };
}

/** The values a categorical or fixed parameter can take; undefined for numeric ranges. */
export function finiteValues(d: ParamDistribution): readonly Scalar[] | undefined {
  if (d.type === "categorical") return d.values;
  if (d.type === "fixed") return [d.value];
  return undefined;
}

/** Smallest and largest value of a numeric parameter; undefined if it can take a non-number. */
export function numericRange(d: ParamDistribution): { min: number; max: number } | undefined {
  if (d.type === "float" || d.type === "int") return { min: d.min, max: d.max };
  const vs = finiteValues(d) ?? [];
  if (vs.length === 0 || !vs.every((v) => typeof v === "number")) return undefined;
  const ns = vs as readonly number[];
  return { min: Math.min(...ns), max: Math.max(...ns) };
}

/** True when `v` is a value the distribution can produce. */
export function containsValue(d: ParamDistribution, v: unknown): boolean {
  switch (d.type) {
    case "categorical":
      return d.values.includes(v as Scalar);
    case "fixed":
      return d.value === v;
    case "int":
      return typeof v === "number" && Number.isInteger(v) && v >= d.min && v <= d.max && (v - d.min) % d.step === 0;
    case "float": {
      if (typeof v !== "number" || !(v >= d.min && v <= d.max)) return false;
      if (d.step === undefined) return true;
      const q = (v - d.min) / d.step;
      return Math.abs(q - Math.round(q)) <= STEP_TOLERANCE * Math.max(1, q);
    }
  }
}
