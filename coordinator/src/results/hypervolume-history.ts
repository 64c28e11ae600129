import type { MetricConstraint } from "../domain/campaign-spec.js";
import { isFeasible } from "../domain/metric-constraints.js";
import { toLossVector, type ObjectiveSpec } from "../domain/objectives.js";
import { isFinished, type TrialSnapshot } from "../domain/trial.js";
import { hypervolumeHistory as hypervolumes } from "../pareto/index.js";

/** Hypervolume after one more finished trial. */
export interface HypervolumePoint {
  /** Finished trials so far (1-based). */
  readonly n: number;
  /** Number of the trial that finished. */
  readonly trial: number;
  readonly hypervolume: number;
  /** Minutes since the campaign started; undefined when the timings are unknown. */
  readonly minutes?: number;
}

/**
 * Hypervolume of the campaign's objectives after each finished trial (in finishing order,
 * else creation order when a finishing time is missing), against the final reference point
 * (`reference`, in loss space). Only completed feasible trials move it. Minutes count from
 * `startedAt`, else from the earliest trial creation.
 */
export function hypervolumeHistory(
  trials: readonly TrialSnapshot[],
  objectives: readonly ObjectiveSpec[],
  constraints: readonly MetricConstraint[],
  reference: readonly number[],
  startedAt: number | undefined,
): HypervolumePoint[] {
  if (reference.length !== objectives.length || reference.length === 0) return [];
  const finished = trials.filter((t) => isFinished(t.state));
  const timed = finished.every((t) => t.finishedAt !== undefined);
  const order = [...finished].sort((a, b) => (timed ? (a.finishedAt as number) - (b.finishedAt as number) : a.number - b.number));
  const points = order.map((t) =>
    t.state === "completed" && isFeasible(t.metrics, constraints) ? toLossVector(t.metrics, objectives) : objectives.map(() => Number.POSITIVE_INFINITY),
  );
  const history = hypervolumes(points, reference);
  const start = startedAt ?? Math.min(...trials.map((t) => (t.createdAt > 0 ? t.createdAt : Number.POSITIVE_INFINITY)));
  return order.map((t, i) => ({
    n: i + 1,
    trial: t.number,
    hypervolume: history[i] as number,
    ...(timed && Number.isFinite(start) && { minutes: ((t.finishedAt as number) - start) / 60_000 }),
  }));
}
