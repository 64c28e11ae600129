/**
 * Counts of a campaign: trials by state, backends, compute spent and compute saved by early
 * stopping, and the best trials of each pruning method.
 */
import type { MetricConstraint } from "../domain/campaign-spec.js";
import { isFeasible } from "../domain/metric-constraints.js";
import { TRIAL_STATES, type TrialSnapshot, type TrialState } from "../domain/trial.js";
import { trialMethod } from "./trial-method.js";

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

const lastStep = (t: TrialSnapshot): number | undefined => (t.progress.length > 0 ? Math.max(...t.progress.map((p) => p.step)) : undefined);

/**
 * Compute of the campaign. A stopped trial's cost had it completed is estimated from the
 * completed trials: its wall time scaled by (median steps of completed trials / its last
 * step) when progress steps are known, else the median wall time of completed trials; never
 * less than what it actually spent.
 */
export function computeSummary(trials: readonly TrialSnapshot[]): ComputeSummary {
  const completed = trials.filter((t) => t.state === "completed" && t.wallMs !== undefined);
  const medWall = median(completed.map((t) => t.wallMs as number));
  const medSteps = median(completed.map(lastStep).filter((s): s is number => s !== undefined && s > 0));
  let totalMs = 0;
  let stoppedMs = 0;
  let ifCompleted = 0;
  let stopped = 0;
  for (const t of trials) {
    const w = t.wallMs;
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
export function countByState(trials: readonly TrialSnapshot[]): Record<TrialState, number> {
  const c = Object.fromEntries(TRIAL_STATES.map((s) => [s, 0])) as Record<TrialState, number>;
  for (const t of trials) c[t.state] = (c[t.state] ?? 0) + 1;
  return c;
}

/**
 * Engines the workers trained on (the worker's `details.engine`: backend, BLAS library and
 * threads, e.g. `wasm + OpenBLAS 0.3.21 (2 threads)`; else the backend), with the number of
 * trials on each.
 */
export function backends(trials: readonly TrialSnapshot[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of trials) {
    const d = t.details as { backend?: unknown; engine?: unknown } | undefined;
    const b = typeof d?.engine === "string" ? d.engine : (t.backend ?? (typeof d?.backend === "string" ? d.backend : undefined));
    if (b) out[b] = (out[b] ?? 0) + 1;
  }
  return out;
}

/** The best trials of one pruning method. */
export interface MethodSummary {
  readonly method: string;
  readonly trials: number;
  readonly completed: number;
  readonly feasible: number;
  readonly onFront: number;
  /** Highest accuracy among completed feasible trials. */
  readonly bestAccuracy?: TrialSnapshot;
  /** Cheapest completed feasible trial by `costMetric`. */
  readonly cheapest?: TrialSnapshot;
  readonly costMetric?: string;
}

/**
 * Per-method summary, methods sorted by their best accuracy (best first). `front` holds the
 * ids on the campaign's front; `costMetric` is the cost the cheapest trial is chosen by.
 */
export function methodSummaries(
  trials: readonly TrialSnapshot[],
  constraints: readonly MetricConstraint[],
  front: ReadonlySet<string>,
  costMetric: string | undefined,
  accuracyMetric = "accuracy",
): MethodSummary[] {
  const groups = new Map<string, TrialSnapshot[]>();
  for (const t of trials) {
    const m = trialMethod(t);
    groups.set(m, [...(groups.get(m) ?? []), t]);
  }
  const best = (ts: readonly TrialSnapshot[], metric: string, better: (a: number, b: number) => boolean): TrialSnapshot | undefined =>
    ts.filter((t) => Number.isFinite(t.metrics[metric])).reduce<TrialSnapshot | undefined>((a, t) => (!a || better(t.metrics[metric] as number, a.metrics[metric] as number) ? t : a), undefined);
  const out: MethodSummary[] = [];
  for (const [method, ts] of groups) {
    const ok = ts.filter((t) => t.state === "completed" && isFeasible(t.metrics, constraints));
    const bestAccuracy = best(ok, accuracyMetric, (a, b) => a > b);
    const cheapest = costMetric ? best(ok, costMetric, (a, b) => a < b) : undefined;
    out.push({
      method,
      trials: ts.length,
      completed: ts.filter((t) => t.state === "completed").length,
      feasible: ok.length,
      onFront: ts.filter((t) => front.has(t.id)).length,
      ...(bestAccuracy && { bestAccuracy }),
      ...(cheapest && { cheapest }),
      ...(costMetric && { costMetric }),
    });
  }
  return out.sort((a, b) => (b.bestAccuracy?.metrics[accuracyMetric] ?? -1) - (a.bestAccuracy?.metrics[accuracyMetric] ?? -1));
}
