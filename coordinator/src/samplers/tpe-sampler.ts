/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), single- and multi-objective
 * (MOTPE, Ozaki et al. 2020), with a constant liar for trials in flight. The split and the
 * weights follow Optuna's TPESampler (`split.ts`); the estimators (`parzen-estimator.ts`)
 * differ where the benchmark (bench/results/samplers.md) showed it pays:
 *
 * - multivariate by default: the parameters active in every trial are modelled jointly, one
 *   kernel per observation, with per-coordinate bandwidths (Optuna's univariate neighbour
 *   rule, widened `bandwidthFactor` = 3×); half of the candidates recombine coordinates of
 *   different kernels. Conditional parameters are modelled one at a time;
 * - kernels are proper truncated densities (Optuna 3.1's log-pdf omits the −log σ term);
 * - the constant liar is on by default and also works with several objectives (Optuna 3.1
 *   ignores running trials in multi-objective studies), and a suggestion identical to a
 *   trial in flight is drawn again;
 * - "above" keeps the most recent `maxAbove` observations, and the "below" fronts are
 *   maintained incrementally (`front-pool.ts`), so an ask stays within milliseconds at
 *   10,000 trials.
 *
 * On each ask the history is re-derived from the view (finished trials are cached by id), so
 * the sampler is disposable and a restarted coordinator suggests the same.
 */
import { z } from "zod";
import { conditionsHold } from "../search-space/conditions.js";
import type { Scalar } from "../search-space/distribution.js";
import { fromUnit } from "../search-space/encoding.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { paramsKey } from "./grid-sampler.js";
import { RandomSampler } from "./random-sampler.js";
import type { Rng } from "../domain/rng.js";
import { definedOptions, enqueueSchema, samplerEntry, type SamplerView, type Sampler, type Suggestion } from "./sampler.js";
import { TrialHistory, type TrialRecord } from "./trial-history.js";
import { UnitSpace, type UnitParam } from "./unit-space.js";
import { FrontPool } from "./tpe-front-pool.js";
import { ParzenEstimator, type ParzenParam } from "./tpe-parzen-estimator.js";
import { greedyHypervolumeSubset, hypervolumeWeights, rampWeights, tightReference } from "./tpe-split.js";

/** Defaults of the TPE options (`sampler.<option>`); see {@link TpeSamplerOptions}. */
const DEFAULT_TPE_OPTIONS = {
  nStartupTrials: 10,
  nEiCandidates: 24,
  gamma: 0.1,
  maxBelow: 25,
  priorWeight: 1,
  multivariate: true,
  bandwidthFactor: 3,
  mixedCandidates: 0.5,
  constantLiar: true,
  maxAbove: 500,
} as const;

/** Options of {@link TpeSampler}; defaults in {@link DEFAULT_TPE_OPTIONS}. */
export interface TpeSamplerOptions {
  /** Completed trials sampled at random before the model is used. */
  readonly nStartupTrials?: number;
  /** Candidates drawn from the "below" density per decision. */
  readonly nEiCandidates?: number;
  /** Fraction of the completed trials in the "below" set (rounded up). */
  readonly gamma?: number;
  /** Largest "below" set (Optuna: 25). */
  readonly maxBelow?: number;
  /** Weight of the prior kernel. */
  readonly priorWeight?: number;
  /**
   * Model the parameters that are active in every trial jointly (multivariate TPE; Falkner
   * et al. 2018); conditional parameters are always modelled one at a time.
   */
  readonly multivariate?: boolean;
  /**
   * Multiplier of the multivariate kernels' per-coordinate bandwidths (Optuna's univariate
   * neighbour rule); the one-at-a-time estimators always use the plain rule.
   */
  readonly bandwidthFactor?: number;
  /**
   * Share of the multivariate candidates drawn coordinate by coordinate from independently
   * picked kernels (the rest from one kernel each).
   */
  readonly mixedCandidates?: number;
  /**
   * Treat waiting and running trials as bad observations ("above"), so parallel workers are
   * steered away from points already being evaluated.
   */
  readonly constantLiar?: boolean;
  /**
   * Most recent "above" observations kept (older ones carry little weight under the ramp);
   * bounds the cost of an ask at 10,000 trials.
   */
  readonly maxAbove?: number;
}

/**
 * Suggestions drawn before falling back to a random point when the parameter constraints fail
 * (or every draw repeats a trial in flight).
 */
const MAX_CONSTRAINED_TRIES = 20;

/** A final observation with its order key (trial number; imported trials come first). */
interface Observation {
  readonly rec: TrialRecord;
  readonly loss: readonly number[];
  readonly order: number;
}

/** The split of one ask. */
interface Split {
  readonly below: readonly Observation[];
  /** Hypervolume weights per below member (several objectives); undefined → the ramp. */
  readonly belowWeights: readonly number[] | undefined;
  readonly above: readonly { readonly unit: readonly number[] }[];
}

/**
 * TPE over the unit-cube encoding. Conditional parameters get estimators fitted on the trials
 * where they are active. Completed trials are ranked feasible-first (metric constraints of
 * the view), infeasible ones by total violation; stopped-early trials and trials missing an
 * objective are always "above"; failed and cancelled trials are ignored.
 */
export class TpeSampler implements Sampler {
  readonly name = "tpe";
  readonly derivesFromView = true;
  private readonly o: Required<TpeSamplerOptions>;
  private readonly unit: UnitSpace;
  private readonly random: RandomSampler;
  private readonly history: TrialHistory;
  private feasible = new FrontPool<Observation>(0);
  /** Infeasible completed trials, best (smallest violation) first, at most 2 × maxBelow. */
  private infeasible: Observation[] = [];
  /** Every final observation that informs the model, by order key. */
  private considered: Observation[] = [];
  private usableCount = 0;
  private pendingImports: readonly TrialSnapshot[] = [];
  private readonly joint: readonly UnitParam[];

  /** @throws InvalidSearchSpaceError when the conditions form a cycle. */
  constructor(space: SearchSpace, options: TpeSamplerOptions = {}) {
    this.o = { ...DEFAULT_TPE_OPTIONS, ...definedOptions(options) };
    this.unit = new UnitSpace(space);
    this.random = new RandomSampler(space);
    this.history = new TrialHistory(this.unit);
    this.feasible = new FrontPool<Observation>(this.o.maxBelow);
    this.joint = this.o.multivariate ? this.unit.order.filter((p) => p.unconditional && p.kind !== "fixed") : [];
  }

  /** Imported trials join the history as the oldest observations. Call before the first ask. */
  importTrials(trials: readonly TrialSnapshot[]): void {
    this.pendingImports = [...this.pendingImports, ...trials];
  }

  ask(view: SamplerView, rng: Rng): Suggestion {
    this.sync(view);
    if (view.objectives.length === 0 || this.usableCount < Math.max(1, this.o.nStartupTrials)) return this.random.ask(view, rng);
    const split = this.split(view.objectives.length);
    const extra = view.paramConstraints ?? [];
    // With the liar on, a suggestion identical to a trial in flight is drawn again: parallel
    // workers should not evaluate the same point twice.
    const inFlight = this.o.constantLiar ? new Set(this.history.pending.map((r) => paramsKey(r.trial.params))) : new Set<string>();
    for (let attempt = 0; attempt < MAX_CONSTRAINED_TRIES; attempt++) {
      const params = this.suggest(split, rng);
      if (this.unit.satisfies(params, extra) && !inFlight.has(paramsKey(params))) return { kind: "params", params };
    }
    return this.random.ask(view, rng);
  }

  private sync(view: SamplerView): void {
    if (this.pendingImports.length > 0) {
      this.history.addImported(this.pendingImports, view.objectives, view.constraints);
      const imported = this.history.imported();
      imported.forEach((r, i) => this.observe(r, i - imported.length));
      this.pendingImports = [];
    }
    for (const r of this.history.sync(view)) this.observe(r, r.trial.number);
  }

  private observe(r: TrialRecord, order: number): void {
    const state = r.trial.state;
    if (state === "failed" || state === "cancelled") return;
    const obs: Observation = { rec: r, loss: r.loss, order };
    insertSorted(this.considered, obs, (a, b) => a.order - b.order);
    if (!r.usable) return;
    this.usableCount++;
    if (r.violation === 0) this.feasible.add(obs);
    else {
      insertSorted(this.infeasible, obs, (a, b) => a.rec.violation - b.rec.violation || a.order - b.order);
      if (this.infeasible.length > 2 * this.o.maxBelow) this.infeasible.pop();
    }
  }

  /** The below set (best first by the ranking rules) and the above set (oldest first). */
  private split(nObjectives: number): Split {
    const nBelow = Math.min(Math.ceil(this.o.gamma * this.usableCount), this.o.maxBelow, this.usableCount);
    const below: Observation[] = [];
    for (const front of this.feasible.fronts(nBelow)) {
      const room = nBelow - below.length;
      if (room <= 0) break;
      if (front.length <= room) below.push(...front);
      else if (nObjectives === 1) below.push(...[...front].sort((a, b) => (a.loss[0] as number) - (b.loss[0] as number) || a.order - b.order).slice(0, room));
      else {
        const losses = front.map((f) => f.loss);
        below.push(...greedyHypervolumeSubset(losses, room, tightReference(losses)).map((i) => front[i] as Observation));
      }
    }
    for (const inf of this.infeasible) {
      if (below.length >= nBelow) break;
      below.push(inf);
    }
    below.sort((a, b) => a.order - b.order);
    const belowWeights =
      nObjectives === 1
        ? undefined
        : hypervolumeWeights(
            below.map((b) => b.loss),
            below.map((b) => b.rec.violation === 0),
          );
    const inBelow = new Set(below);
    const above: { unit: readonly number[] }[] = [];
    // Newest first while collecting, so the cap keeps the most recent observations.
    const liars = this.o.constantLiar ? this.history.pending.map((r) => ({ unit: r.unit })) : [];
    for (let i = this.considered.length - 1; i >= 0 && above.length + liars.length < this.o.maxAbove; i--) {
      const c = this.considered[i] as Observation;
      if (!inBelow.has(c)) above.push({ unit: c.rec.unit });
    }
    above.reverse();
    above.push(...liars);
    return { below, belowWeights, above };
  }

  /** One suggestion: the joint group first (multivariate), then each remaining parameter. */
  private suggest(split: Split, rng: Rng): Record<string, Scalar> {
    const values: Record<string, Scalar> = {};
    const chosen = new Map<number, number>();
    if (this.joint.length > 0) {
      const u = this.pick(this.joint, split, rng, true);
      this.joint.forEach((p, d) => chosen.set(p.index, u[d] as number));
    }
    for (const p of this.unit.order) {
      if (!conditionsHold(p.spec, values, (n) => values[n] !== undefined)) continue;
      let u = chosen.get(p.index);
      if (u === undefined) u = p.kind === "fixed" ? 0.5 : (this.pick([p], split, rng, false)[0] as number);
      values[p.spec.name] = fromUnit(p.spec.distribution, u);
    }
    return values;
  }

  /** Fits l(x) on below and g(x) on above over `params`, returns the best of the candidates. */
  private pick(params: readonly UnitParam[], split: Split, rng: Rng, multivariate: boolean): number[] {
    const kinds: ParzenParam[] = params.map((p) => ({ kind: p.kind === "fixed" ? "continuous" : p.kind, bins: p.bins }));
    const below = columnsOf(params, split.below.map((b) => b.rec.unit));
    const above = columnsOf(params, split.above.map((a) => a.unit));
    // One objective: the ramp over the observations where the parameters are active; several:
    // the hypervolume weights of those observations.
    const bw = split.belowWeights;
    const lw = bw === undefined ? rampWeights(below.rows.length) : below.rows.map((i) => bw[i] as number);
    const opts = { priorWeight: this.o.priorWeight, bandwidthFactor: multivariate ? this.o.bandwidthFactor : 1 };
    const l = new ParzenEstimator(kinds, below.columns, lw, opts);
    const g = new ParzenEstimator(kinds, above.columns, rampWeights(above.rows.length), opts);
    const cands = l.sample(rng, this.o.nEiCandidates, multivariate ? this.o.mixedCandidates : 0);
    const ll = l.logPdf(cands);
    const lg = g.logPdf(cands);
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < cands.length; i++) {
      const s = (ll[i] as number) - (lg[i] as number);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    return cands[best] as number[];
  }
}

/**
 * The columns (one per parameter) of the units in which every parameter of `params` is
 * active, and the indices of those units.
 */
function columnsOf(params: readonly UnitParam[], units: readonly (readonly number[])[]): { columns: Float64Array[]; rows: number[] } {
  const rows: number[] = [];
  units.forEach((u, i) => {
    for (const p of params) if (Number.isNaN(u[p.index] as number)) return;
    rows.push(i);
  });
  const columns = params.map((p) => {
    const col = new Float64Array(rows.length);
    rows.forEach((i, r) => (col[r] = (units[i] as readonly number[])[p.index] as number));
    return col;
  });
  return { columns, rows };
}

/** Inserts into a sorted array (stable: after equal elements). */
function insertSorted<T>(xs: T[], x: T, cmp: (a: T, b: T) => number): void {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(xs[mid] as T, x) <= 0) lo = mid + 1;
    else hi = mid;
  }
  xs.splice(lo, 0, x);
}

const probability = z.number().min(0).max(1);

/** The `tpe` sampler's registry entry. */
export const tpeSamplerEntry = samplerEntry({
  name: "tpe",
  summary:
    "single- and multi-objective TPE (MOTPE-style split by non-dominated rank), constant liar for in-flight trials so parallel workers get different suggestions, infeasible trials ranked last",
  options: z.strictObject({
    name: z.literal("tpe"),
    nStartupTrials: z.number().int().min(0).default(DEFAULT_TPE_OPTIONS.nStartupTrials).describe("completed trials sampled at random before the model is used"),
    nEiCandidates: z.number().int().min(1).default(DEFAULT_TPE_OPTIONS.nEiCandidates).describe("candidates drawn from the good density per decision"),
    gamma: z.number().gt(0).max(1).default(DEFAULT_TPE_OPTIONS.gamma).describe("fraction of the completed trials in the good set (rounded up)"),
    maxBelow: z.number().int().min(1).default(DEFAULT_TPE_OPTIONS.maxBelow).describe("largest good set"),
    priorWeight: z.number().gt(0).default(DEFAULT_TPE_OPTIONS.priorWeight).describe("weight of the prior kernel"),
    multivariate: z.boolean().default(DEFAULT_TPE_OPTIONS.multivariate).describe("model the parameters active in every trial jointly"),
    bandwidthFactor: z.number().gt(0).max(100).default(DEFAULT_TPE_OPTIONS.bandwidthFactor).describe("multiplier of the multivariate kernels' bandwidths"),
    mixedCandidates: probability.default(DEFAULT_TPE_OPTIONS.mixedCandidates).describe("share of multivariate candidates drawn coordinate by coordinate from independent kernels"),
    constantLiar: z.boolean().default(DEFAULT_TPE_OPTIONS.constantLiar).describe("count trials in flight as bad observations, so parallel workers get different points"),
    maxAbove: z.number().int().min(10).default(DEFAULT_TPE_OPTIONS.maxAbove).describe("most recent bad observations kept"),
    enqueue: enqueueSchema,
  }),
  create: ({ name: _name, enqueue: _enqueue, ...o }, space) => new TpeSampler(space, o),
});
