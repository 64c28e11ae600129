/**
 * Reading progress reports for early stopping: which metric a stopper watches and the value a
 * trial reported at (or first after) a step. Progress reports carry training metrics
 * (`val_accuracy`, `loss`, `sparsity`), not necessarily the campaign's objectives.
 */
import { findMetric } from "@prunesweep/proto";
import { z } from "zod";
import type { Direction, ObjectiveSpec } from "../domain/objectives.js";
import type { TrialSnapshot } from "../domain/trial.js";

/** A progress metric and whether larger is better. */
export interface WatchedMetric {
  readonly metric: string;
  readonly direction: Direction;
}

const direction = z.enum(["maximize", "minimize"]);

/** The option schema of a watched metric (`{metric, direction}`). */
export const watchedMetricSchema = z.strictObject({ metric: z.string().min(1), direction });

/** Options of the single-metric stoppers: `metric` and `direction` are given together or not at all. */
export const singleMetricOptions = {
  metric: z.string().min(1).optional().describe("progress metric compared (unset: the first objective, val_accuracy for accuracy)"),
  direction: direction.optional().describe("its direction, required with metric"),
};

/** Refinement of {@link singleMetricOptions}: both or neither. */
export function bothOrNeither(o: { metric?: string | undefined; direction?: string | undefined }, ctx: z.RefinementCtx): void {
  if (o.metric !== undefined && o.direction === undefined) {
    ctx.addIssue({ code: "custom", path: ["direction"], message: `required with metric (maximize or minimize for ${o.metric})`, input: o });
  }
  if (o.direction !== undefined && o.metric === undefined) {
    ctx.addIssue({ code: "custom", path: ["metric"], message: "required with direction", input: o });
  }
}

/** The watched metric of parsed single-metric options, when both fields are set. */
export function metricOption(o: { metric?: string | undefined; direction?: Direction | undefined }): WatchedMetric | undefined {
  return o.metric !== undefined && o.direction !== undefined ? { metric: o.metric, direction: o.direction } : undefined;
}

/**
 * The metric a single-metric stopper watches: the configured one, else the first objective (or
 * the metric the progress reports carry in its place, `val_accuracy` for `accuracy`).
 * Undefined when neither exists.
 */
export function watchedMetric(configured: WatchedMetric | undefined, objectives: readonly ObjectiveSpec[]): WatchedMetric | undefined {
  if (configured) return configured;
  const first = objectives[0];
  // A metric measured only at the end (test `accuracy`) is followed through its progress counterpart.
  return first ? { metric: findMetric(first.metric)?.progress ?? first.metric, direction: first.direction } : undefined;
}

/**
 * The value of `metric` in the trial's report at `step` exactly (the latest such report, if a
 * step was reported in several phases). Undefined when absent or not finite.
 */
export function valueAtStep(trial: TrialSnapshot, step: number, metric: string): number | undefined {
  let out: number | undefined;
  for (const p of trial.progress) {
    if (p.step !== step) continue;
    const v = p.metrics[metric];
    if (v !== undefined && Number.isFinite(v)) out = v;
  }
  return out;
}

/**
 * The first report of the trial at a step >= `step` (the value with which it reached a rung),
 * with that step. Undefined when the trial has not reached `step` or the metric is missing there.
 */
export function firstReportAtOrAfter(trial: TrialSnapshot, step: number): { step: number; metrics: Readonly<Record<string, number>> } | undefined {
  let best: { step: number; metrics: Readonly<Record<string, number>> } | undefined;
  for (const p of trial.progress) {
    // At equal steps (several phases) the later report wins.
    if (p.step >= step && (!best || p.step <= best.step)) best = { step: p.step, metrics: p.metrics };
  }
  return best;
}

/** Converts a value to a loss (smaller is better). */
export const toLoss = (v: number, direction: Direction): number => (direction === "maximize" ? -v : v);
