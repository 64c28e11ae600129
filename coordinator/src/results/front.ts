/**
 * The domain edge of `pareto/`: trials and objectives → loss vectors → the Pareto front,
 * its hypervolume and its knee.
 */
import type { MetricConstraint } from "../domain/campaign-spec.js";
import { isFeasible } from "../domain/metric-constraints.js";
import { toLossVector, type ObjectiveSpec } from "../domain/objectives.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { hypervolume, kneePoint, nadirReferencePoint, paretoFrontMask } from "../pareto/index.js";

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

/** A front over some objectives, with its hypervolume and knee. */
export interface FrontSummary {
  /** Trials on the Pareto front, sorted by the first objective (best first). */
  readonly front: readonly TrialSnapshot[];
  readonly hypervolume: number;
  /** Reference point in loss space (maximised objectives negated); empty without candidates. */
  readonly reference: readonly number[];
  /** Id of the knee trial of the front (undefined when the front is empty). */
  readonly knee: string | undefined;
  /** Number of {@link frontCandidates}. */
  readonly candidates: number;
}

/**
 * The Pareto front of the completed feasible trials, its hypervolume and its knee. The
 * reference point is given, or the nadir of the candidates plus 10% of each range.
 */
export function summarizeFront(
  trials: readonly TrialSnapshot[],
  objectives: readonly ObjectiveSpec[],
  constraints: readonly MetricConstraint[],
  reference?: readonly number[],
): FrontSummary {
  const cands = frontCandidates(trials, objectives, constraints);
  const ref = reference ?? (cands.length > 0 ? nadirReferencePoint(cands.map((t) => toLossVector(t.metrics, objectives))) : undefined);
  if (cands.length === 0 || !ref) return { front: [], hypervolume: 0, reference: ref ?? [], knee: undefined, candidates: cands.length };
  const mask = paretoFrontMask(cands.map((t) => toLossVector(t.metrics, objectives)));
  const front = cands
    .filter((_, i) => mask[i])
    .map((t) => ({ t, loss: toLossVector(t.metrics, objectives) }))
    .sort((a, b) => (a.loss[0] as number) - (b.loss[0] as number));
  const points = front.map((f) => f.loss);
  const k = kneePoint(points);
  return {
    front: front.map((f) => f.t),
    hypervolume: hypervolume(points, ref),
    reference: ref,
    knee: k >= 0 ? front[k]?.t.id : undefined,
    candidates: cands.length,
  };
}
