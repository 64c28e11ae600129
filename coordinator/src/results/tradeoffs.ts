/**
 * Accuracy-vs-cost trade-offs: for each cost metric the trials report, the 2-D Pareto front
 * of (accuracy up, cost down) among the completed feasible trials, and its knee. The report
 * plots them, and so does the dashboard, from the same numbers.
 */
import type { MetricConstraint } from "../domain/campaign-spec.js";
import { isFeasible } from "../domain/metric-constraints.js";
import type { ObjectiveSpec } from "../domain/objectives.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { kneePoint, paretoFrontMask } from "../pareto/index.js";

/** Cost metrics plotted against accuracy, in this order, when trials report them. */
const COST_METRICS: readonly string[] = ["expected_macs", "effective_macs", "nonzero_params", "latency_ms_b1"];

/** The front of one (accuracy, cost) pair. */
export interface TradeoffFront {
  /** The cost metric (minimised). */
  readonly x: string;
  /** The quality metric (maximised), the same for every front of a campaign. */
  readonly y: string;
  /** Ids of the front's trials, cheapest first (ties: higher `y` first). */
  readonly front: readonly string[];
  /** Id of the knee of this front. */
  readonly knee?: string;
}

const reports = (t: TrialSnapshot, metric: string): boolean => t.state === "completed" && Number.isFinite(t.metrics[metric]);

/**
 * The cost metrics that at least one completed trial reports: {@link COST_METRICS} first,
 * then the campaign's other minimised objectives.
 */
export function costMetricsPresent(trials: readonly TrialSnapshot[], objectives: readonly ObjectiveSpec[]): string[] {
  const extra = objectives.filter((o) => o.direction === "minimize").map((o) => o.metric);
  const wanted = [...COST_METRICS, ...extra.filter((m) => !COST_METRICS.includes(m))];
  return wanted.filter((m) => trials.some((t) => reports(t, m)));
}

/** `accuracy` when a completed trial reports it, else the first maximised objective. */
export function qualityMetric(trials: readonly TrialSnapshot[], objectives: readonly ObjectiveSpec[]): string {
  if (trials.some((t) => reports(t, "accuracy"))) return "accuracy";
  return objectives.find((o) => o.direction === "maximize")?.metric ?? "accuracy";
}

/**
 * The trials a (`y` vs `x`) plot shows: completed and stopped-early trials that report both
 * metrics.
 */
export function plottedTrials(trials: readonly TrialSnapshot[], x: string, y: string): TrialSnapshot[] {
  return trials.filter(
    (t) => (t.state === "completed" || t.state === "stopped_early") && Number.isFinite(t.metrics[x]) && Number.isFinite(t.metrics[y]),
  );
}

/** The 2-D front of `y` (maximised) vs `x` (minimised) among the completed feasible plotted trials. */
export function tradeoffFront(trials: readonly TrialSnapshot[], x: string, y: string, constraints: readonly MetricConstraint[]): TradeoffFront {
  const cands = plottedTrials(trials, x, y).filter((t) => t.state === "completed" && isFeasible(t.metrics, constraints));
  const loss = cands.map((t) => [-(t.metrics[y] as number), t.metrics[x] as number]);
  const mask = paretoFrontMask(loss);
  const frontIdx = cands.map((_, i) => i).filter((i) => mask[i]);
  const k = kneePoint(frontIdx.map((i) => loss[i] as number[]));
  const knee = k >= 0 ? cands[frontIdx[k] as number]?.id : undefined;
  const front = frontIdx
    .map((i) => cands[i] as TrialSnapshot)
    .sort((a, b) => (a.metrics[x] as number) - (b.metrics[x] as number) || (b.metrics[y] as number) - (a.metrics[y] as number));
  return { x, y, front: front.map((t) => t.id), ...(knee !== undefined && { knee }) };
}
