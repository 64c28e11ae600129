/**
 * The median stopping rule (Golovin et al. 2017, "Google Vizier"; Optuna's MedianPruner):
 * stop a trial whose value at step s is worse than the median of the values other trials
 * reported at step s.
 */
import { z } from "zod";
import type { TrialSnapshot } from "../domain/trial.js";
import { earlyStopperEntry, type EarlyStopper, type StopDecision, type StopperView } from "./early-stopper.js";
import { bothOrNeither, metricOption, singleMetricOptions, toLoss, valueAtStep, watchedMetric, type WatchedMetric } from "./progress-metrics.js";

/** Defaults of `earlyStopping: {name: median}`. */
const DEFAULT_MEDIAN_OPTIONS = { nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1 } as const;

/** Options of {@link MedianStopper}; defaults in {@link DEFAULT_MEDIAN_OPTIONS}. */
export interface MedianStopperOptions {
  /** Completed trials needed before any trial is stopped. */
  readonly nStartupTrials?: number;
  /** Steps 1..nWarmupSteps of a trial are never judged. */
  readonly nWarmupSteps?: number;
  /** Judge the first step after the warm-up and then every `intervalSteps` steps. */
  readonly intervalSteps?: number;
  /** Progress metric to compare, with its direction. @default the first objective */
  readonly metric?: WatchedMetric;
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Stops a trial at step s when its value there is strictly worse than the median of the
 * values that *completed* trials reported at step s (as Optuna's MedianPruner, which compares
 * against completed trials only). A trial continues while fewer than `nStartupTrials` trials
 * are complete, during its warm-up, between judged steps, when it has no value at s, and
 * when no completed trial reported step s. A pure function of the view.
 */
export class MedianStopper implements EarlyStopper {
  readonly name = "median";
  private readonly nStartupTrials: number;
  private readonly nWarmupSteps: number;
  private readonly intervalSteps: number;
  private readonly metric: WatchedMetric | undefined;

  constructor(options: MedianStopperOptions = {}) {
    this.nStartupTrials = options.nStartupTrials ?? DEFAULT_MEDIAN_OPTIONS.nStartupTrials;
    this.nWarmupSteps = options.nWarmupSteps ?? DEFAULT_MEDIAN_OPTIONS.nWarmupSteps;
    this.intervalSteps = options.intervalSteps ?? DEFAULT_MEDIAN_OPTIONS.intervalSteps;
    this.metric = options.metric;
  }

  decide(view: StopperView, trial: TrialSnapshot, step: number): StopDecision {
    if (step <= this.nWarmupSteps || (step - this.nWarmupSteps - 1) % this.intervalSteps !== 0) return "continue";
    const watched = watchedMetric(this.metric, view.objectives);
    if (!watched) return "continue";
    const completed = view.trials.filter((t) => t.state === "completed" && t.id !== trial.id);
    if (completed.length < this.nStartupTrials) return "continue";
    const mine = valueAtStep(trial, step, watched.metric);
    if (mine === undefined) return "continue";
    const others: number[] = [];
    for (const t of completed) {
      const v = valueAtStep(t, step, watched.metric);
      if (v !== undefined) others.push(toLoss(v, watched.direction));
    }
    if (others.length === 0) return "continue";
    return toLoss(mine, watched.direction) > median(others) ? "stop" : "continue";
  }
}

/** The `median` stopper's registry entry. */
export const medianStopperEntry = earlyStopperEntry({
  name: "median",
  summary: "stop when worse than the median of the completed trials at the same step",
  options: z
    .strictObject({
      name: z.literal("median"),
      nStartupTrials: z.number().int().min(0).default(DEFAULT_MEDIAN_OPTIONS.nStartupTrials).describe("completed trials needed before any trial is stopped"),
      nWarmupSteps: z.number().int().min(0).default(DEFAULT_MEDIAN_OPTIONS.nWarmupSteps).describe("steps of a trial never judged"),
      intervalSteps: z.number().int().min(1).default(DEFAULT_MEDIAN_OPTIONS.intervalSteps).describe("judge every intervalSteps steps after the warm-up"),
      ...singleMetricOptions,
    })
    .superRefine(bothOrNeither),
  create: ({ name: _n, metric: _m, direction: _d, ...o }) => {
    const metric = metricOption({ metric: _m, direction: _d });
    return new MedianStopper({ ...o, ...(metric && { metric }) });
  },
});
