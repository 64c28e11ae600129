import type { ObjectiveSpec } from "../domain/objectives.js";
import type { Params, TrialSnapshot } from "../domain/trial.js";
import type { MetricConstraint, ParamConstraint, ParamSpec } from "../domain/campaign-spec.js";
import type { Rng } from "../domain/rng.js";

/** Everything a sampler may read: no store handle, no dispatcher. */
export interface CampaignView {
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
  ask(view: CampaignView, rng: Rng): Suggestion;
  tell?(trial: TrialSnapshot, view: CampaignView): void;
  /**
   * Seeds the sampler with finished trials of an earlier campaign over a compatible space
   * (see `trialsFromResults`). They inform the model (TPE's densities, NSGA-II's first
   * parent population) but are not trials of this campaign: they never appear in the view.
   * Samplers without a model ignore them.
   */
  importTrials?(trials: readonly TrialSnapshot[]): void;
}
