/**
 * Maps parameter values to and from the unit cube (for quasi-random and model-based
 * samplers), samples single distributions and lists grid values.
 *
 * Unit coordinates: float → linear or log position in [min, max] (snapped to `step` on
 * decode); int → equal-width bins over its values (log-spaced over [min − ½, max + ½] for log
 * ints, as Optuna does); categorical → equal-width bins by index; fixed → 0.5.
 */
import type { Params } from "../domain/trial.js";
import type { Rng } from "../domain/rng.js";
import type { ParamDistribution, ParamSpec } from "../domain/campaign-spec.js";
import { activeParams, conditionsHold, sampleOrder } from "./conditions.js";
import { stepCount, type Scalar } from "./distribution.js";

const clamp01 = (u: number): number => Math.min(1, Math.max(0, u));
const clampTo = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
/** Removes binary noise such as 0.30000000000000004 from step arithmetic. */
const tidy = (v: number): number => Number.parseFloat(v.toPrecision(12));

/** Number of distinct values of an int distribution. */
const intCount = (d: Extract<ParamDistribution, { type: "int" }>): number => Math.floor((d.max - d.min) / d.step) + 1;

/** Snaps a float to its step grid (if any) and into [min, max]. */
function snapFloat(d: Extract<ParamDistribution, { type: "float" }>, v: number): number {
  if (d.step === undefined) return clampTo(v, d.min, d.max);
  const k = Math.round((v - d.min) / d.step);
  return clampTo(tidy(d.min + Math.min(k, stepCount(d.min, d.max, d.step)) * d.step), d.min, d.max);
}

/**
 * The value at unit coordinate `u` (clamped to [0, 1]).
 *
 * @throws RangeError when `u` is NaN.
 */
export function fromUnit(d: ParamDistribution, u: number): Scalar {
  if (Number.isNaN(u)) throw new RangeError("unit coordinate is NaN");
  const x = clamp01(u);
  switch (d.type) {
    case "fixed":
      return d.value;
    case "categorical":
      return d.values[Math.min(d.values.length - 1, Math.floor(x * d.values.length))] as Scalar;
    case "int": {
      if (d.log) {
        const lo = Math.log(d.min - 0.5);
        const hi = Math.log(d.max + 0.5);
        return clampTo(Math.round(Math.exp(lo + x * (hi - lo))), d.min, d.max);
      }
      const n = intCount(d);
      return d.min + Math.min(n - 1, Math.floor(x * n)) * d.step;
    }
    case "float":
      if (d.log) return snapFloat(d, Math.exp(Math.log(d.min) + x * (Math.log(d.max) - Math.log(d.min))));
      return snapFloat(d, d.min + x * (d.max - d.min));
  }
}

/**
 * The unit coordinate of value `v`, the inverse of {@link fromUnit} (bin centres for int and
 * categorical values).
 *
 * @throws RangeError when `v` is not a value of the distribution's kind.
 */
export function toUnit(d: ParamDistribution, v: Scalar): number {
  switch (d.type) {
    case "fixed":
      return 0.5;
    case "categorical": {
      const k = d.values.indexOf(v);
      if (k < 0) throw new RangeError(`${JSON.stringify(v)} is not one of the values ${JSON.stringify(d.values)}`);
      return (k + 0.5) / d.values.length;
    }
    case "int":
    case "float": {
      if (typeof v !== "number") throw new RangeError(`expected a number, got ${JSON.stringify(v)}`);
      if (d.type === "int" && d.log) {
        const lo = Math.log(d.min - 0.5);
        return clamp01((Math.log(v) - lo) / (Math.log(d.max + 0.5) - lo));
      }
      if (d.type === "int") {
        const n = intCount(d);
        return clamp01((Math.round((v - d.min) / d.step) + 0.5) / n);
      }
      if (d.log) return clamp01((Math.log(v) - Math.log(d.min)) / (Math.log(d.max) - Math.log(d.min)));
      return clamp01((v - d.min) / (d.max - d.min));
    }
  }
}

/**
 * Encodes parameters as a vector aligned with `space` (index i ↔ `space[i]`). Parameters that
 * are inactive under `params` (or missing) are NaN.
 *
 * @throws RangeError when an active value does not fit its distribution's kind.
 */
export function encode(space: readonly ParamSpec[], params: Params): number[] {
  const active = new Set(activeParams(space, params).map((p) => p.name));
  return space.map((p) => {
    const v = params[p.name];
    return active.has(p.name) && v !== undefined ? toUnit(p.distribution, v) : Number.NaN;
  });
}

/**
 * Decodes a unit vector aligned with `space` into parameters, in sample order; inactive
 * parameters are omitted (their coordinates are ignored).
 *
 * @throws RangeError when the vector's length differs from the space's, or an active
 * parameter's coordinate is NaN.
 * @throws InvalidSearchSpaceError when the conditions form a cycle.
 */
export function decode(space: readonly ParamSpec[], unit: readonly number[]): Record<string, Scalar> {
  if (unit.length !== space.length) {
    throw new RangeError(`expected a vector of ${space.length} coordinates, got ${unit.length}`);
  }
  const index = new Map(space.map((p, i) => [p.name, i]));
  const out: Record<string, Scalar> = {};
  // Activity depends on values decoded earlier, so walk the dependency order.
  for (const p of sampleOrder(space)) {
    if (!conditionsHold(p, out, (n) => out[n] !== undefined)) continue;
    const u = unit[index.get(p.name) as number] as number;
    if (Number.isNaN(u)) throw new RangeError(`parameter ${p.name} is active but its coordinate is NaN`);
    out[p.name] = fromUnit(p.distribution, u);
  }
  return out;
}

/** Draws one value from a distribution with the given generator. */
export function sampleValue(d: ParamDistribution, rng: Rng): Scalar {
  switch (d.type) {
    case "fixed":
      return d.value;
    case "categorical":
      return rng.pick(d.values);
    case "int":
      if (d.log) {
        const v = Math.round(Math.exp(rng.uniform(Math.log(d.min - 0.5), Math.log(d.max + 0.5))));
        return clampTo(v, d.min, d.max);
      }
      return d.min + rng.int(0, intCount(d) - 1) * d.step;
    case "float":
      if (d.step !== undefined) return snapFloat(d, d.min + rng.int(0, stepCount(d.min, d.max, d.step)) * d.step);
      if (d.log) return clampTo(Math.exp(rng.uniform(Math.log(d.min), Math.log(d.max))), d.min, d.max);
      return rng.uniform(d.min, d.max);
  }
}

/**
 * The values a grid search tries: every step of a stepped float or an int, `gridPoints`
 * evenly spaced values (log-spaced for log floats) of a float without step, all categorical
 * values, or the fixed value.
 *
 * @default gridPoints 5
 */
export function gridValues(d: ParamDistribution, gridPoints = 5): Scalar[] {
  switch (d.type) {
    case "fixed":
      return [d.value];
    case "categorical":
      return [...d.values];
    case "int":
      return Array.from({ length: intCount(d) }, (_, k) => d.min + k * d.step);
    case "float": {
      const step = d.step;
      if (step !== undefined) {
        return Array.from({ length: stepCount(d.min, d.max, step) + 1 }, (_, k) => snapFloat(d, d.min + k * step));
      }
      const n = Math.max(2, Math.floor(gridPoints));
      return Array.from({ length: n }, (_, k) => {
        const x = k / (n - 1);
        const v = d.log ? Math.exp(Math.log(d.min) + x * (Math.log(d.max) - Math.log(d.min))) : d.min + x * (d.max - d.min);
        return clampTo(k === n - 1 ? d.max : tidy(v), d.min, d.max);
      });
    }
  }
}
