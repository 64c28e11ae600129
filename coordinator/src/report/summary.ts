/**
 * Numbers of the campaign summary: trials by state, backends, compute spent and compute saved
 * by early stopping, and the best trials of each pruning method.
 */
import { TRIAL_STATES, type TrialState } from "../domain/trial.js";
import { isFeasible } from "../spec/index.js";
import { methodOf, parseConstraints, type ResultsFile, type ResultsTrial } from "./campaign-data.js";

/** Cost metrics the report plots against accuracy, in this order, when trials report them. */
export const COST_METRICS: readonly string[] = ["expected_macs", "effective_macs", "nonzero_params", "latency_ms_b1"];

/** Compute spent and saved, in milliseconds of worker wall time. */
export interface ComputeSummary {
  /** Sum of the final attempts' wall time over trials that report it. */
  readonly totalMs: number;
  /** Wall time of the trials stopped early. */
  readonly stoppedMs: number;
  /** What the stopped trials would have cost had they run to completion (estimate). */
  readonly stoppedIfCompletedMs: number;
  /** `stoppedIfCompletedMs - stoppedMs`. */
  readonly savedMs: number;
  readonly stoppedTrials: number;
}

function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const lastStep = (t: ResultsTrial): number | undefined =>
  t.progress && t.progress.length > 0 ? Math.max(...t.progress.map((p) => p.step)) : undefined;

/**
 * Compute of the campaign. A stopped trial's cost had it completed is estimated from the
 * completed trials: its wall time scaled by (median steps of completed trials / its last
 * step) when progress steps are known, else the median wall time of completed trials; never
 * less than what it actually spent.
 */
export function computeSummary(trials: readonly ResultsTrial[]): ComputeSummary {
  const completed = trials.filter((t) => t.state === "completed" && t.timings.wallMs !== undefined);
  const medWall = median(completed.map((t) => t.timings.wallMs as number));
  const medSteps = median(completed.map(lastStep).filter((s): s is number => s !== undefined && s > 0));
  let totalMs = 0;
  let stoppedMs = 0;
  let ifCompleted = 0;
  let stopped = 0;
  for (const t of trials) {
    const w = t.timings.wallMs;
    if (w === undefined) continue;
    totalMs += w;
    if (t.state !== "stopped_early") continue;
    stopped++;
    stoppedMs += w;
    const step = lastStep(t);
    const estimate = medSteps !== undefined && step !== undefined && step > 0 ? (w * medSteps) / step : (medWall ?? w);
    ifCompleted += Math.max(w, estimate);
  }
  return { totalMs, stoppedMs, stoppedIfCompletedMs: ifCompleted, savedMs: ifCompleted - stoppedMs, stoppedTrials: stopped };
}

/** Trials by state, every state present (zeros included). */
export function countByState(trials: readonly ResultsTrial[]): Record<TrialState, number> {
  const c = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
  for (const t of trials) c[t.state] = (c[t.state] ?? 0) + 1;
  return c;
}

/** Backends the workers used, with the number of trials on each. */
export function backends(trials: readonly ResultsTrial[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of trials) {
    const d = t.details as { backend?: unknown } | undefined;
    const b = t.backend ?? (typeof d?.backend === "string" ? d.backend : undefined);
    if (b) out[b] = (out[b] ?? 0) + 1;
  }
  return out;
}

/** Cost metrics that at least one completed trial reports. */
export function costMetricsPresent(r: ResultsFile): string[] {
  const extra = r.objectives.filter((o) => o.direction === "minimize").map((o) => o.metric);
  const wanted = [...COST_METRICS, ...extra.filter((m) => !COST_METRICS.includes(m))];
  return wanted.filter((m) => r.trials.some((t) => t.state === "completed" && Number.isFinite(t.metrics[m])));
}

/** The best trials of one pruning method. */
export interface MethodSummary {
  readonly method: string;
  readonly trials: number;
  readonly completed: number;
  readonly feasible: number;
  readonly onFront: number;
  /** Highest accuracy among completed feasible trials. */
  readonly bestAccuracy?: ResultsTrial;
  /** Cheapest completed feasible trial by the first cost metric present. */
  readonly cheapest?: ResultsTrial;
  readonly costMetric?: string;
}

/** Per-method summary, methods sorted by their best accuracy (best first). */
export function methodSummaries(r: ResultsFile, accuracyMetric = "accuracy"): MethodSummary[] {
  const constraints = parseConstraints(r.constraints);
  const front = new Set(r.pareto);
  const cost = costMetricsPresent(r)[0];
  const groups = new Map<string, ResultsTrial[]>();
  for (const t of r.trials) {
    const m = methodOf(t);
    groups.set(m, [...(groups.get(m) ?? []), t]);
  }
  const out: MethodSummary[] = [];
  for (const [method, ts] of groups) {
    const ok = ts.filter((t) => t.state === "completed" && isFeasible(t.metrics, constraints));
    const withAcc = ok.filter((t) => Number.isFinite(t.metrics[accuracyMetric]));
    const bestAccuracy = withAcc.reduce<ResultsTrial | undefined>(
      (a, t) => (!a || (t.metrics[accuracyMetric] as number) > (a.metrics[accuracyMetric] as number) ? t : a),
      undefined,
    );
    const withCost = cost ? ok.filter((t) => Number.isFinite(t.metrics[cost])) : [];
    const cheapest = withCost.reduce<ResultsTrial | undefined>(
      (a, t) => (!a || (t.metrics[cost as string] as number) < (a.metrics[cost as string] as number) ? t : a),
      undefined,
    );
    out.push({
      method,
      trials: ts.length,
      completed: ts.filter((t) => t.state === "completed").length,
      feasible: ok.length,
      onFront: ts.filter((t) => front.has(t.id)).length,
      ...(bestAccuracy && { bestAccuracy }),
      ...(cheapest && { cheapest }),
      ...(cost && { costMetric: cost }),
    });
  }
  return out.sort((a, b) => (b.bestAccuracy?.metrics[accuracyMetric] ?? -1) - (a.bestAccuracy?.metrics[accuracyMetric] ?? -1));
}

/** `1 h 02 min`, `3 min 05 s`, `12.3 s`. */
export function formatDuration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(Math.round(s - m * 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}
