import { frontCandidates, referencePoint } from "../domain/front.js";
import type { ObjectiveSpec } from "../domain/objectives.js";
import { toLossVector } from "../domain/objectives.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { hypervolume, kneePoint, paretoFrontMask } from "../pareto/index.js";
import type { MetricConstraint } from "../domain/campaign-spec.js";

export interface FrontSummary {
  /** Trials on the Pareto front, sorted by the first objective (best first). */
  readonly front: readonly TrialSnapshot[];
  readonly hypervolume: number;
  /** Reference point in loss space (maximised objectives negated). */
  readonly reference: readonly number[];
  /** Id of the knee trial of the front (undefined when the front is empty). */
  readonly knee: string | undefined;
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
  const ref = reference ?? referencePoint(trials, objectives, constraints);
  if (cands.length === 0 || !ref) return { front: [], hypervolume: 0, reference: ref ?? [], knee: undefined };
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
  };
}
