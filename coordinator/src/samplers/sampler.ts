import { z } from "zod";
import type { ObjectiveSpec } from "../domain/objectives.js";
import type { Params, TrialSnapshot } from "../domain/trial.js";
import { isScalar, type Scalar } from "../search-space/distribution.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import type { MetricConstraint, ParamConstraint, ParamSpec } from "../domain/campaign-spec.js";
import type { Rng } from "../domain/rng.js";

/** Everything a sampler may read: no store handle, no dispatcher. */
export interface SamplerView {
  readonly trials: readonly TrialSnapshot[];
  readonly space: readonly ParamSpec[];
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints: readonly MetricConstraint[];
  /**
   * The spec's parameter constraints. Optional: samplers built by `createSampler` from the
   * whole spec already hold them; samplers also enforce these when a view carries them.
   */
  readonly paramConstraints?: readonly ParamConstraint[];
}

export type Suggestion =
  | { readonly kind: "params"; readonly params: Params }
  | { readonly kind: "wait" }
  | { readonly kind: "exhausted" };

/**
 * Suggests parameters for new trials.
 *
 * Lifecycle: `importTrials()` at most once, right after construction and before the first
 * `ask` (warm start from an earlier campaign); then `ask()` once per new trial, in creation
 * order; `tell()` after a trial reaches a final state (completed, stopped_early, failed,
 * cancelled). Samplers are disposable: their state can be rebuilt by replaying
 * `ask`/`tell` over the same trials with the same rng seed (and importing the same trials
 * again). The model-based samplers (sobol, tpe, nsga2) go further and derive everything
 * from the view on each `ask`, so `tell` is optional for them.
 *
 * Ownership: the sampler never mutates the view or the snapshots it receives.
 */
export interface Sampler {
  readonly name: string;
  /**
   * True when everything the sampler keeps between calls is a cache of the view (`ask` is a
   * function of the view and the rng; `tell` changes nothing). A restarted coordinator then
   * replays nothing into it, which keeps a resume from a snapshot independent of the number
   * of trials. Without it, a restart replays `ask` and `tell` over every trial.
   */
  readonly derivesFromView?: boolean;
  ask(view: SamplerView, rng: Rng): Suggestion;
  tell?(trial: TrialSnapshot, view: SamplerView): void;
  /**
   * Seeds the sampler with finished trials of an earlier campaign over a compatible space
   * (see `trialsFromResults`). They inform the model (TPE's densities, NSGA-II's first
   * parent population) but are not trials of this campaign: they never appear in the view.
   * Samplers without a model ignore them.
   */
  importTrials?(trials: readonly TrialSnapshot[]): void;
}

/** One `sampler.enqueue` entry: some or all parameter values. */
export type EnqueuedParams = Readonly<Record<string, Scalar>>;

/** The zod schema of `sampler.enqueue` (shape only; `enqueueIssues` checks it against the space). */
export const enqueueSchema = z
  .array(z.record(z.string(), z.custom<Scalar>(isScalar, { message: "expected a string, a finite number or a boolean" })))
  .default([])
  .describe("configurations the first trials use (warm start); missing parameters are drawn");

/** What every sampler's options carry: its name and, where it supports warm starts, `enqueue`. */
export interface SamplerOptionsBase {
  readonly name: string;
  readonly enqueue?: readonly EnqueuedParams[];
}

/**
 * A sampler as the registry (`registry.ts`) knows it: each sampler file exports one, and the
 * registry lists them. Its options schema validates `sampler: {name, ...}` in specs and goes
 * into the spec's JSON Schema and the docs' option tables.
 */
export interface SamplerEntry {
  /** The name a spec uses (`sampler: {name}`). */
  readonly name: string;
  /** What the sampler does, in one line (README and docs tables). */
  readonly summary: string;
  /** Validates and defaults `{name, ...options}` (strict: unknown options are errors). */
  readonly options: z.ZodType<SamplerOptionsBase>;
  /** Builds the sampler from validated options; `seed` seeds sampler-owned randomness. */
  create(options: SamplerOptionsBase, space: SearchSpace, seed: number): Sampler;
}

/** Declares a sampler's registry entry with `create` typed by its own options schema. */
export function samplerEntry<S extends z.ZodType<SamplerOptionsBase>>(entry: {
  readonly name: string;
  readonly summary: string;
  readonly options: S;
  create(options: z.output<S>, space: SearchSpace, seed: number): Sampler;
}): SamplerEntry {
  return entry as SamplerEntry;
}

/** The options that are set (an explicit `undefined` does not override a default). */
export function definedOptions<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
