/**
 * The domain edge of `pareto/`: trials and objectives → loss vectors → front and reference.
 */
import { nadirReferencePoint, paretoFrontMask } from "../pareto/index.js";
import { isFeasible } from "./metric-constraints.js";
import type { MetricConstraint } from "./campaign-spec.js";
import { toLossVector, type ObjectiveSpec } from "./objectives.js";
import type { TrialSnapshot } from "./trial.js";

/**
 * The trials that may enter the front: `completed`, feasible under the metric constraints,
 * and with a finite value for every objective. (A completed trial missing an objective has
 * an infinite loss and is left out rather than compared.)
 */
export function frontCandidates(
  trials: readonly TrialSnapshot[],
  objectives: readonly ObjectiveSpec[],
  constraints: readonly MetricConstraint[],
): TrialSnapshot[] {
  return trials.filter(
    (t) =>
      t.state === "completed" &&
      isFeasible(t.metrics, constraints) &&
      toLossVector(t.metrics, objectives).every(Number.isFinite),
  );
}

/** Ids of the trials on the Pareto front of the {@link frontCandidates}, in input order. */
export function paretoFront(
  trials: readonly TrialSnapshot[],
  objectives: readonly ObjectiveSpec[],
  constraints: readonly MetricConstraint[],
): string[] {
  const cands = frontCandidates(trials, objectives, constraints);
  const mask = paretoFrontMask(cands.map((t) => toLossVector(t.metrics, objectives)));
  return cands.filter((_, i) => mask[i]).map((t) => t.id);
}

/**
 * Reference point for reporting hypervolume, in loss space (maximised objectives negated):
 * per objective the nadir of the {@link frontCandidates} plus `margin` of their range
 * (`margin × max(1, |nadir|)` when the range is 0). Undefined when there is no candidate.
 *
 * @default margin 0.1
 */
export function referencePoint(
  trials: readonly TrialSnapshot[],
  objectives: readonly ObjectiveSpec[],
  constraints: readonly MetricConstraint[],
  margin = 0.1,
): number[] | undefined {
  const cands = frontCandidates(trials, objectives, constraints);
  if (cands.length === 0) return undefined;
  return nadirReferencePoint(cands.map((t) => toLossVector(t.metrics, objectives)), margin);
}
