/**
 * NSGA-II (Deb et al. 2002) with asynchronous generations over the trial queue.
 *
 * Generations are derived from trial numbers: trial n belongs to generation ⌊n / P⌋ (P =
 * `populationSize`). Generation 0 is random (or bred from imported trials). The parent
 * population of generation g + 1 is the NSGA-II survival selection of P members from the
 * parents of generation g plus the trials of generation g that are complete *now*: a child
 * is produced from whatever is complete instead of waiting for the whole generation, and the
 * parents are re-derived as stragglers finish. (Optuna's NSGAIISampler instead keeps adding
 * trials to a generation until P of them are complete, so its generations have no fixed
 * trial numbers.) Everything is a pure function of the view (cached by generation), so a
 * restarted coordinator decides the same.
 *
 * Operators. Numeric parameters use uniform crossover by default, not SBX: on ZDT1-3 and
 * DTLZ2 at 1,000 evaluations SBX (η_c 20) ends below Optuna's uniform crossover on three of
 * the four problems, while uniform crossover plus polynomial mutation (η_m 20) ends above it
 * on all four (bench/results/samplers.md, row nsga2-sbx). `crossover: sbx` remains available.
 */
import { z } from "zod";
import { conditionsHold } from "../search-space/conditions.js";
import type { Scalar } from "../search-space/distribution.js";
import { fromUnit } from "../search-space/encoding.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { polynomialMutation, sbx } from "./genetic-operators.js";
import { selectElites, tournament, type Population } from "./nsga2-selection.js";
import { RandomSampler } from "./random-sampler.js";
import type { Rng } from "../domain/rng.js";
import { definedOptions, enqueueSchema, samplerEntry, type SamplerView, type Sampler, type Suggestion } from "./sampler.js";
import { TrialHistory, type TrialRecord } from "./trial-history.js";
import { UnitSpace, type UnitParam } from "./unit-space.js";

/** Defaults of the NSGA-II options (`sampler.<option>`); they follow Deb's NSGA-II and Optuna. */
const DEFAULT_NSGA2_OPTIONS = {
  populationSize: 50,
  crossover: "uniform",
  crossoverProb: 0.9,
  crossoverEta: 20,
  mutationEta: 20,
  swappingProb: 0.5,
} as const;

/** Options of {@link Nsga2Sampler}; defaults in {@link DEFAULT_NSGA2_OPTIONS}. */
export interface Nsga2SamplerOptions {
  /** Population size P (trials per generation). */
  readonly populationSize?: number;
  /** Probability that a child is produced by crossover (else it copies a parent). */
  readonly crossoverProb?: number;
  /**
   * Crossover of numeric parameters: `uniform` takes each parameter from either parent (as
   * Optuna's default UniformCrossover); `sbx` applies simulated binary crossover to it.
   * Categorical parameters always use uniform crossover.
   */
  readonly crossover?: "uniform" | "sbx";
  /** SBX distribution index η_c (with `crossover: sbx`). */
  readonly crossoverEta?: number;
  /** Polynomial-mutation distribution index η_m. */
  readonly mutationEta?: number;
  /** Per-parameter mutation probability. @default 1 / (number of active non-fixed parameters) */
  readonly mutationProb?: number;
  /**
   * Per-parameter probability that crossover acts on a parameter: the second parent's value
   * (uniform crossover, categorical parameters) or SBX of both values.
   */
  readonly swappingProb?: number;
}

/** Children drawn before falling back to a random point when the parameter constraints fail. */
const MAX_CHILD_TRIES = 100;

/** A parent population with what it was derived from. */
interface CachedParents {
  /** The previous generation's parents it was selected from (identity). */
  readonly prev: Population<TrialRecord> | undefined;
  /** Number of eligible trials of the previous generation it saw (the set only grows). */
  readonly seen: number;
  readonly population: Population<TrialRecord>;
}

/**
 * NSGA-II over the unit-cube encoding: crowded binary tournaments; uniform crossover (or SBX)
 * + polynomial mutation for numeric parameters, uniform crossover + resampling mutation for
 * categorical ones.
 * Metric constraints (`view.constraints`) use constraint domination. Only completed trials
 * with every objective take part in selection; stopped and failed trials do not.
 *
 * Conditional parameters: a parameter active in both parents is crossed; active in one, it is
 * inherited from that parent with probability ½ and otherwise resampled; active in neither,
 * it is resampled.
 */
export class Nsga2Sampler implements Sampler {
  readonly name = "nsga2";
  readonly derivesFromView = true;
  readonly populationSize: number;
  private readonly opts: Required<Omit<Nsga2SamplerOptions, "mutationProb">> & { mutationProb?: number };
  private readonly unit: UnitSpace;
  private readonly random: RandomSampler;
  private readonly history: TrialHistory;
  /** Eligible final trials per generation, sorted by trial number. */
  private readonly byGeneration: TrialRecord[][] = [];
  private readonly parentsCache: CachedParents[] = [];
  private pendingImports: readonly TrialSnapshot[] = [];
  private importedSelected: TrialRecord[] = [];

  /** @throws InvalidSearchSpaceError when the conditions form a cycle. */
  constructor(space: SearchSpace, options: Nsga2SamplerOptions = {}) {
    this.unit = new UnitSpace(space);
    this.random = new RandomSampler(space);
    this.history = new TrialHistory(this.unit);
    const { mutationProb, ...rest } = definedOptions(options);
    this.opts = { ...DEFAULT_NSGA2_OPTIONS, ...rest, ...(mutationProb !== undefined && { mutationProb }) };
    this.populationSize = this.opts.populationSize;
  }

  /** Imported trials form the parent population of generation 0. Call before the first ask. */
  importTrials(trials: readonly TrialSnapshot[]): void {
    this.pendingImports = [...this.pendingImports, ...trials];
  }

  /**
   * A random point in generation 0 (without imports); otherwise a child of the current
   * parent population. `{kind: "wait"}` only when no parent is complete yet and trials are
   * still in flight; with nothing in flight either, a random point (so that a campaign whose
   * trials all failed does not stall).
   */
  ask(view: SamplerView, rng: Rng): Suggestion {
    this.sync(view);
    const generation = Math.floor(view.trials.length / this.populationSize);
    const parents = this.parentsOf(generation);
    if (parents.members.length === 0) {
      if (generation > 0 && this.history.pending.length > 0) return { kind: "wait" };
      return this.random.ask(view, rng);
    }
    return this.breed(parents, view, rng);
  }

  /** The generation of a trial number. */
  generationOf(trialNumber: number): number {
    return Math.floor(trialNumber / this.populationSize);
  }

  /**
   * The parent population generation `generation` is bred from, given the view (diagnostics
   * and tests): imported trials for generation 0, empty when nothing is complete.
   */
  parentPopulation(view: SamplerView, generation: number): readonly TrialSnapshot[] {
    this.sync(view);
    return this.parentsOf(generation).members.map((r) => r.trial);
  }

  private sync(view: SamplerView): void {
    if (this.pendingImports.length > 0) {
      this.history.addImported(this.pendingImports, view.objectives, view.constraints);
      this.pendingImports = [];
      const eligible = this.history.imported().filter(isEligible);
      this.importedSelected = [...eligible];
      this.parentsCache.length = 0;
    }
    for (const r of this.history.sync(view)) {
      if (!isEligible(r)) continue;
      const g = this.generationOf(r.trial.number);
      while (this.byGeneration.length <= g) this.byGeneration.push([]);
      const list = this.byGeneration[g] as TrialRecord[];
      // Insert sorted by trial number: selection ties must not depend on completion order.
      let k = list.length;
      while (k > 0 && (list[k - 1] as TrialRecord).trial.number > r.trial.number) k--;
      list.splice(k, 0, r);
    }
  }

  /** Parent population of generation g (empty when nothing is complete). */
  private parentsOf(g: number): Population<TrialRecord> {
    // Walk forward from the imports, reusing cached generations whose inputs are unchanged.
    let parents = this.cached(0, undefined, this.importedSelected);
    for (let k = 1; k <= g; k++) parents = this.cached(k, parents, this.byGeneration[k - 1] ?? []);
    return parents;
  }

  /** Survival selection over `prev` plus `members`, memoised per generation. */
  private cached(g: number, prev: Population<TrialRecord> | undefined, members: readonly TrialRecord[]): Population<TrialRecord> {
    const hit = this.parentsCache[g];
    if (hit && hit.prev === prev && hit.seen === members.length) return hit.population;
    const population = selectElites([...(prev?.members ?? []), ...members], this.populationSize);
    this.parentsCache[g] = { prev, seen: members.length, population };
    return population;
  }

  private breed(parents: Population<TrialRecord>, view: SamplerView, rng: Rng): Suggestion {
    const extra = view.paramConstraints ?? [];
    for (let attempt = 0; attempt < MAX_CHILD_TRIES; attempt++) {
      const i = tournament(parents, rng);
      let j = tournament(parents, rng);
      for (let retry = 0; j === i && parents.members.length > 1 && retry < 4; retry++) j = tournament(parents, rng);
      const pa = parents.members[i] as TrialRecord;
      const pb = parents.members[j] as TrialRecord;
      const params = this.child(pa.unit, pb.unit, rng);
      // A copy of a parent would re-evaluate a known point (frequent with categorical
      // parameters): draw again.
      if (sameParams(params, pa.trial.params) || sameParams(params, pb.trial.params)) continue;
      if (this.unit.satisfies(params, extra)) return { kind: "params", params };
    }
    return this.random.ask(view, rng);
  }

  /** One child of parents `a` and `b` (unit vectors), decoded in sample order. */
  private child(a: readonly number[], b: readonly number[], rng: Rng): Record<string, Scalar> {
    const { crossoverProb, crossoverEta, mutationEta, swappingProb } = this.opts;
    const cross = rng.random() < crossoverProb;
    const mutable = this.unit.order.filter((p) => p.kind !== "fixed" && !Number.isNaN(a[p.index] as number)).length;
    const pm = this.opts.mutationProb ?? 1 / Math.max(1, mutable);
    const out: Record<string, Scalar> = {};
    for (const p of this.unit.order) {
      if (!conditionsHold(p.spec, out, (n) => out[n] !== undefined)) continue;
      if (p.kind === "fixed") {
        out[p.spec.name] = fromUnit(p.spec.distribution, 0.5);
        continue;
      }
      let u = this.inherit(p, a[p.index] as number, b[p.index] as number, cross, swappingProb, crossoverEta, rng);
      if (rng.random() < pm) u = p.kind === "categorical" ? rng.random() : polynomialMutation(u, mutationEta, rng);
      out[p.spec.name] = fromUnit(p.spec.distribution, u);
    }
    return out;
  }

  private inherit(p: UnitParam, a: number, b: number, cross: boolean, swap: number, eta: number, rng: Rng): number {
    const hasA = !Number.isNaN(a);
    const hasB = !Number.isNaN(b);
    if (!cross) return hasA ? a : rng.random();
    if (hasA && hasB) {
      if (rng.random() >= swap) return a;
      return p.kind === "categorical" || this.opts.crossover === "uniform" ? b : sbx(a, b, eta, rng)[0];
    }
    if (hasA || hasB) return rng.random() < 0.5 ? (hasA ? a : b) : rng.random();
    return rng.random();
  }
}

/** True when two parameter sets have the same keys and values. */
function sameParams(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

/** Completed with every objective: the trials NSGA-II selects from. */
function isEligible(r: TrialRecord): boolean {
  return r.trial.state === "completed" && r.loss.every(Number.isFinite);
}

const probability = z.number().min(0).max(1);

/** The `nsga2` sampler's registry entry. */
export const nsga2SamplerEntry = samplerEntry({
  name: "nsga2",
  summary:
    "asynchronous NSGA-II over a queue (a generation advances once enough trials of the previous one are final), constraint domination, SBX + polynomial mutation or uniform crossover for numbers, resampling for categories, conditional parameters",
  options: z.strictObject({
    name: z.literal("nsga2"),
    populationSize: z.number().int().min(2).default(DEFAULT_NSGA2_OPTIONS.populationSize).describe("trials per generation"),
    crossover: z.enum(["uniform", "sbx"]).default(DEFAULT_NSGA2_OPTIONS.crossover).describe("crossover of numeric parameters (categorical ones always use uniform)"),
    crossoverProb: probability.default(DEFAULT_NSGA2_OPTIONS.crossoverProb).describe("probability that a child comes from crossover, else it copies a parent"),
    crossoverEta: z.number().min(0).default(DEFAULT_NSGA2_OPTIONS.crossoverEta).describe("SBX distribution index"),
    mutationEta: z.number().min(0).default(DEFAULT_NSGA2_OPTIONS.mutationEta).describe("polynomial-mutation distribution index"),
    mutationProb: probability.optional().describe("per-parameter mutation probability (unset: 1 / active non-fixed parameters)"),
    swappingProb: probability.default(DEFAULT_NSGA2_OPTIONS.swappingProb).describe("per-parameter probability that crossover acts on it"),
    enqueue: enqueueSchema,
  }),
  create: ({ name: _name, enqueue: _enqueue, ...o }, space) => new Nsga2Sampler(space, o),
});
