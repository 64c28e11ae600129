/**
 * A search space compiled once for the model-based samplers (Sobol, TPE, NSGA-II): the
 * parameters in sample order, their kinds, and fast encode/decode between parameter sets
 * and unit-cube vectors aligned with `space` (see `search-space/encoding.ts` for the
 * coordinates). Inactive parameters are NaN in a unit vector.
 */
import { conditionsHold, sampleOrder } from "../search-space/conditions.js";
import type { Scalar } from "../search-space/distribution.js";
import { fromUnit, toUnit } from "../search-space/encoding.js";
import { satisfiesConstraints } from "../search-space/param-constraints.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import type { Params } from "../domain/trial.js";
import type { ParamConstraint, ParamSpec } from "../domain/campaign-spec.js";

/** How a sampler treats a parameter's unit coordinate. */
export type ParamKind =
  /** Continuous in [0, 1] (floats, log floats, log ints; stepped floats snap on decode). */
  | "continuous"
  /** `bins` equal-width bins in [0, 1] (linear ints); coordinates are bin centres. */
  | "discrete"
  /** `bins` unordered choices; coordinate = (index + ½) / bins. */
  | "categorical"
  /** A single value; coordinate 0.5. */
  | "fixed";

/** One compiled parameter. */
export interface UnitParam {
  readonly spec: ParamSpec;
  /** Index of the parameter in `space` (and in unit vectors). */
  readonly index: number;
  readonly kind: ParamKind;
  /** Number of values for discrete and categorical parameters; 0 otherwise. */
  readonly bins: number;
  /** True when the parameter has no condition, so it is active in every trial. */
  readonly unconditional: boolean;
}

/**
 * Number of equal-width bins of a linear int parameter, or 0 when the unit coordinate is
 * treated as continuous (floats, stepped floats, whose end values have half-width bins, and
 * log ints).
 */
function binsOf(p: ParamSpec): number {
  const d = p.distribution;
  return d.type === "int" && !d.log ? Math.floor((d.max - d.min) / d.step) + 1 : 0;
}

/** A search space compiled for unit-cube samplers. */
export class UnitSpace {
  /** The parameters in spec order (index i ↔ unit coordinate i). */
  readonly params: readonly UnitParam[];
  /** The same parameters in sample (dependency) order. */
  readonly order: readonly UnitParam[];
  readonly constraints: readonly ParamConstraint[];
  /** Number of unit coordinates (= number of parameters). */
  readonly dim: number;

  /** @throws InvalidSearchSpaceError when the conditions form a cycle. */
  constructor(space: SearchSpace) {
    const unconditional = new Set<string>();
    const ordered = sampleOrder(space.space);
    // A parameter is active in every trial when it has no condition; conditions always
    // reference other parameters, so a parameter with any `when` may be inactive.
    for (const p of ordered) if (Object.keys(p.when).length === 0) unconditional.add(p.name);
    this.params = space.space.map((spec, index) => {
      const d = spec.distribution;
      const bins = binsOf(spec);
      const kind: ParamKind =
        d.type === "fixed" ? "fixed" : d.type === "categorical" ? "categorical" : bins > 0 ? "discrete" : "continuous";
      return { spec, index, kind, bins: d.type === "categorical" ? d.values.length : bins, unconditional: unconditional.has(spec.name) };
    });
    const byName = new Map(this.params.map((p) => [p.spec.name, p]));
    this.order = ordered.map((s) => byName.get(s.name) as UnitParam);
    this.constraints = space.paramConstraints;
    this.dim = this.params.length;
  }

  /** Unit vector of a parameter set; inactive or missing parameters are NaN. */
  encode(params: Params): number[] {
    const out = new Array<number>(this.dim).fill(Number.NaN);
    const active = new Set<string>();
    for (const p of this.order) {
      if (!conditionsHold(p.spec, params, (n) => active.has(n))) continue;
      const v = params[p.spec.name];
      if (v === undefined) continue;
      active.add(p.spec.name);
      try {
        out[p.index] = toUnit(p.spec.distribution, v);
      } catch {
        // A value of the wrong kind (e.g. from an imported trial) reads as missing.
        out[p.index] = Number.NaN;
      }
    }
    return out;
  }

  /**
   * Decodes a unit vector in sample order. `fill(p)` supplies the coordinate of an active
   * parameter whose coordinate is NaN (e.g. a fresh draw). Inactive parameters are omitted.
   */
  decode(unit: readonly number[], fill: (p: UnitParam) => number): Record<string, Scalar> {
    const out: Record<string, Scalar> = {};
    for (const p of this.order) {
      if (!conditionsHold(p.spec, out, (n) => out[n] !== undefined)) continue;
      let u = unit[p.index];
      if (u === undefined || Number.isNaN(u)) u = fill(p);
      out[p.spec.name] = fromUnit(p.spec.distribution, u);
    }
    return out;
  }

  /** True when the parameters satisfy the space's constraints and `extra`. */
  satisfies(params: Readonly<Record<string, unknown>>, extra: readonly ParamConstraint[] = []): boolean {
    return satisfiesConstraints(params, this.constraints) && (extra.length === 0 || satisfiesConstraints(params, extra));
  }
}
