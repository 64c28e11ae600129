/**
 * Asynchronous successive halving (ASHA; Li et al. 2020) and its multi-objective variant
 * (MO-ASHA; Schmucker et al. 2021), as early stoppers over progress steps.
 *
 * Rungs sit at steps `minResource · reductionFactor^(minEarlyStoppingRate + k)`, k = 0, 1, ...
 * When a trial's report is its first at or past a rung, it competes with every trial that
 * reached that rung (in any state, itself included), each with the value of its first report
 * at or past the rung. It continues when it is among the best ⌊n / reductionFactor⌋ of those
 * n; when n < reductionFactor it must be the best (Optuna's SuccessiveHalvingPruner rule,
 * since a stopped trial cannot be resumed later). Both are pure functions of the view.
 */
import { z } from "zod";
import { crowdingDistance, nonDominatedRanks } from "../pareto/index.js";
import type { ObjectiveSpec } from "../domain/objectives.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { earlyStopperEntry, type EarlyStopper, type StopDecision, type StopperView } from "./early-stopper.js";
import {
  bothOrNeither,
  firstReportAtOrAfter,
  metricOption,
  singleMetricOptions,
  toLoss,
  watchedMetric,
  watchedMetricSchema,
  type WatchedMetric,
} from "./progress-metrics.js";

/** Defaults of `earlyStopping: {name: asha | mo-asha}`. */
const DEFAULT_SUCCESSIVE_HALVING_OPTIONS = { minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 0 } as const;

/** Options shared by {@link AshaStopper} and {@link MoAshaStopper}; defaults in {@link DEFAULT_SUCCESSIVE_HALVING_OPTIONS}. */
export interface SuccessiveHalvingOptions {
  /** Step of the first rung. */
  readonly minResource?: number;
  /** η: rungs are η× apart and 1/η of the trials reaching a rung continue. */
  readonly reductionFactor?: number;
  /** s: the first rung is at minResource · η^s. */
  readonly minEarlyStoppingRate?: number;
}

/** The rung steps a report at `step` reaches for the first time (after `previousStep`). */
export function rungsReached(step: number, previousStep: number, o: Required<SuccessiveHalvingOptions>): number[] {
  const out: number[] = [];
  for (let k = 0; ; k++) {
    const rung = o.minResource * o.reductionFactor ** (o.minEarlyStoppingRate + k);
    if (rung > step) break;
    if (rung > previousStep) out.push(rung);
    if (o.reductionFactor <= 1) break;
  }
  return out;
}

function withDefaults(o: SuccessiveHalvingOptions): Required<SuccessiveHalvingOptions> {
  const d = DEFAULT_SUCCESSIVE_HALVING_OPTIONS;
  return { minResource: o.minResource ?? d.minResource, reductionFactor: o.reductionFactor ?? d.reductionFactor, minEarlyStoppingRate: o.minEarlyStoppingRate ?? d.minEarlyStoppingRate };
}

/** The largest reported step of the trial before `step`, or 0. */
function previousStep(trial: TrialSnapshot, step: number): number {
  let prev = 0;
  for (const p of trial.progress) if (p.step < step && p.step > prev) prev = p.step;
  return prev;
}

/** How many of `n` trials at a rung continue: ⌊n/η⌋, at least 1. */
const promotedCount = (n: number, reductionFactor: number): number => Math.max(1, Math.floor(n / reductionFactor));

/** The trials (other than `trial`) of the view, with `trial` itself in its current state. */
function competitors(view: StopperView, trial: TrialSnapshot): TrialSnapshot[] {
  return [...view.trials.filter((t) => t.id !== trial.id), trial];
}

/** ASHA over one progress metric. */
export class AshaStopper implements EarlyStopper {
  readonly name = "asha";
  private readonly o: Required<SuccessiveHalvingOptions>;
  private readonly metric: WatchedMetric | undefined;

  /** `metric`: the progress metric compared, with its direction. @default the first objective */
  constructor(options: SuccessiveHalvingOptions & { metric?: WatchedMetric } = {}) {
    this.o = withDefaults(options);
    this.metric = options.metric;
  }

  decide(view: StopperView, trial: TrialSnapshot, step: number): StopDecision {
    const watched = watchedMetric(this.metric, view.objectives);
    if (!watched) return "continue";
    for (const rung of rungsReached(step, previousStep(trial, step), this.o)) {
      const mine = rungValue(trial, rung, watched);
      if (mine === undefined) continue;
      const values: number[] = [];
      for (const t of competitors(view, trial)) {
        const v = rungValue(t, rung, watched);
        if (v !== undefined) values.push(v);
      }
      values.sort((a, b) => a - b);
      const cutoff = values[promotedCount(values.length, this.o.reductionFactor) - 1] as number;
      if (mine > cutoff) return "stop";
    }
    return "continue";
  }
}

/** The loss (smaller is better) of the trial's first report at or past `rung`. */
function rungValue(t: TrialSnapshot, rung: number, m: WatchedMetric): number | undefined {
  const v = firstReportAtOrAfter(t, rung)?.metrics[m.metric];
  return v !== undefined && Number.isFinite(v) ? toLoss(v, m.direction) : undefined;
}

/**
 * The metrics MO-ASHA compares when none are configured, given the metrics of the trial's
 * report: `val_accuracy` (maximize) when reported; then every campaign objective whose metric
 * the report carries, with its direction; then, if that leaves no metric besides accuracy and
 * the report carries `sparsity`, `sparsity` (maximize) as the cost proxy (the cost objectives,
 * `effective_macs` or `nonzero_params`, shrink as sparsity grows but are only measured at the
 * end of a trial).
 */
export function defaultMoAshaMetrics(objectives: readonly ObjectiveSpec[], reported: Readonly<Record<string, number>>): WatchedMetric[] {
  const out: WatchedMetric[] = [];
  const has = (m: string): boolean => reported[m] !== undefined;
  if (has("val_accuracy")) out.push({ metric: "val_accuracy", direction: "maximize" });
  for (const o of objectives) if (has(o.metric) && !out.some((m) => m.metric === o.metric)) out.push({ metric: o.metric, direction: o.direction });
  const isAccuracy = (m: string): boolean => m === "val_accuracy" || m === "accuracy";
  if (out.every((m) => isAccuracy(m.metric)) && has("sparsity")) out.push({ metric: "sparsity", direction: "maximize" });
  return out;
}

/**
 * MO-ASHA: at each rung the trials that reached it are ranked by non-dominated sorting over
 * several progress metrics, ties within a front broken by crowding distance (larger first),
 * then by trial number. A trial continues when it is on the rung's Pareto front (any of those
 * may end on the final front) or among the best ⌊n/η⌋ (at least 1) in that order. Trials
 * missing one of the metrics at the rung do not compete.
 */
export class MoAshaStopper implements EarlyStopper {
  readonly name = "mo-asha";
  private readonly o: Required<SuccessiveHalvingOptions>;
  private readonly metrics: readonly WatchedMetric[] | undefined;

  constructor(options: SuccessiveHalvingOptions & { metrics?: readonly WatchedMetric[] } = {}) {
    this.o = withDefaults(options);
    this.metrics = options.metrics;
  }

  decide(view: StopperView, trial: TrialSnapshot, step: number): StopDecision {
    for (const rung of rungsReached(step, previousStep(trial, step), this.o)) {
      const report = firstReportAtOrAfter(trial, rung);
      if (!report) continue;
      const metrics = this.metrics ?? defaultMoAshaMetrics(view.objectives, report.metrics);
      if (metrics.length === 0) continue;
      const entries: { t: TrialSnapshot; loss: number[] }[] = [];
      for (const t of competitors(view, trial)) {
        const r = firstReportAtOrAfter(t, rung);
        if (!r) continue;
        const loss = metrics.map((m) => r.metrics[m.metric]);
        if (loss.every((v) => v !== undefined && Number.isFinite(v))) {
          entries.push({ t, loss: loss.map((v, i) => toLoss(v as number, (metrics[i] as WatchedMetric).direction)) });
        }
      }
      const me = entries.findIndex((e) => e.t.id === trial.id);
      if (me < 0) continue;
      if (!keeps(entries, me, this.o.reductionFactor)) return "stop";
    }
    return "continue";
  }
}

/** True when entry `me` is on the front or among the best ⌊n/η⌋ by rank, crowding, number. */
function keeps(entries: readonly { t: TrialSnapshot; loss: number[] }[], me: number, reductionFactor: number): boolean {
  const ranks = nonDominatedRanks(entries.map((e) => e.loss));
  if (ranks[me] === 0) return true;
  const crowding = new Array<number>(entries.length).fill(0);
  const byRank = new Map<number, number[]>();
  ranks.forEach((r, i) => byRank.set(r, [...(byRank.get(r) ?? []), i]));
  for (const idx of byRank.values()) {
    const d = crowdingDistance(idx.map((i) => (entries[i] as { loss: number[] }).loss));
    idx.forEach((i, k) => (crowding[i] = d[k] as number));
  }
  const order = entries
    .map((_, i) => i)
    .sort(
      (a, b) =>
        (ranks[a] as number) - (ranks[b] as number) ||
        (crowding[b] as number) - (crowding[a] as number) ||
        (entries[a] as { t: TrialSnapshot }).t.number - (entries[b] as { t: TrialSnapshot }).t.number,
    );
  return order.indexOf(me) < promotedCount(entries.length, reductionFactor);
}

const halving = {
  minResource: z.number().int().min(1).default(DEFAULT_SUCCESSIVE_HALVING_OPTIONS.minResource).describe("step of the first rung"),
  reductionFactor: z.number().int().min(2).default(DEFAULT_SUCCESSIVE_HALVING_OPTIONS.reductionFactor).describe("η: rungs are η× apart and 1/η of the trials at a rung continue"),
  minEarlyStoppingRate: z.number().int().min(0).default(DEFAULT_SUCCESSIVE_HALVING_OPTIONS.minEarlyStoppingRate).describe("s: the first rung is at minResource · η^s"),
};

/** The `asha` stopper's registry entry. */
export const ashaStopperEntry = earlyStopperEntry({
  name: "asha",
  summary: "asynchronous successive halving over progress steps",
  options: z.strictObject({ name: z.literal("asha"), ...halving, ...singleMetricOptions }).superRefine(bothOrNeither),
  create: ({ name: _n, metric: _m, direction: _d, ...o }) => {
    const metric = metricOption({ metric: _m, direction: _d });
    return new AshaStopper({ ...o, ...(metric && { metric }) });
  },
});

/** The `mo-asha` stopper's registry entry. */
export const moAshaStopperEntry = earlyStopperEntry({
  name: "mo-asha",
  summary:
    "multi-objective ASHA: at each rung, keep the top 1/`reductionFactor` by non-dominated rank and crowding distance over several metrics (Optuna, Ray Tune and Katib cannot stop trials early in a multi-objective campaign)",
  options: z.strictObject({ name: z.literal("mo-asha"), ...halving, metrics: z.array(watchedMetricSchema).min(1).optional().describe("[{metric, direction}] ranked together (unset: val_accuracy and the objectives the reports carry, else sparsity)") }),
  create: ({ name: _n, metrics, ...o }) => new MoAshaStopper({ ...o, ...(metrics && { metrics }) }),
});
