/**
 * What the model-based samplers know about past trials, rebuilt from the view on every ask
 * (samplers stay disposable: a restarted coordinator that replays the view gets the same
 * state). Finished trials are immutable, so their unit vectors, loss vectors and constraint
 * violations are computed once and cached by trial id.
 */
import { toLossVector, type ObjectiveSpec } from "../domain/objectives.js";
import { isFinished, type TrialSnapshot } from "../domain/trial.js";
import type { MetricConstraint } from "../domain/campaign-spec.js";
import type { SamplerView } from "./sampler.js";
import type { UnitSpace } from "./unit-space.js";

/** A trial as the samplers see it. */
export interface TrialRecord {
  readonly trial: TrialSnapshot;
  /** Unit vector aligned with the space; NaN for inactive parameters. */
  readonly unit: readonly number[];
  /** Loss vector (maximised objectives negated; missing → +Infinity); empty until final. */
  loss: readonly number[];
  /** Total constraint violation (0 = feasible; +Infinity when a constrained metric is missing). */
  violation: number;
  /** True for a completed trial with a finite value for every objective. */
  usable: boolean;
  final: boolean;
  /** True for trials seeded through `importTrials` (not part of this campaign). */
  readonly imported: boolean;
}

/**
 * Total violation of metric constraints: the sum over constraints of how far the metric is
 * on the wrong side (0 when feasible). A missing or non-finite metric violates by +Infinity.
 */
function constraintViolation(metrics: Readonly<Record<string, number>>, constraints: readonly MetricConstraint[]): number {
  let total = 0;
  for (const c of constraints) {
    const v = metrics[c.metric];
    if (v === undefined || !Number.isFinite(v)) return Number.POSITIVE_INFINITY;
    const gap = c.op === ">=" || c.op === ">" ? c.value - v : v - c.value;
    // A strict inequality met with equality is violated by a tiny positive amount.
    if (gap > 0) total += gap;
    else if (gap === 0 && (c.op === ">" || c.op === "<")) total += Number.EPSILON;
  }
  return total;
}

/** Incrementally synchronised records of the trials of one campaign. */
export class TrialHistory {
  private readonly byId = new Map<string, TrialRecord>();
  private readonly importedRecords: TrialRecord[] = [];
  /** Records not final at the last sync, in trial order. */
  pending: TrialRecord[] = [];
  /** Records by position in the last view synced. */
  private readonly byIndex: TrialRecord[] = [];
  /** Positions [0, finalPrefix) of that view were all final: later syncs skip them. */
  private finalPrefix = 0;

  constructor(private readonly space: UnitSpace) {}

  /** Trials seeded from an earlier campaign; they count as final, before every campaign trial. */
  addImported(trials: readonly TrialSnapshot[], objectives: readonly ObjectiveSpec[], constraints: readonly MetricConstraint[]): void {
    for (const t of trials) {
      if (!isFinished(t.state)) continue;
      const r = this.newRecord(t, true);
      this.finalize(r, t, objectives, constraints);
      this.importedRecords.push(r);
    }
  }

  /**
   * Brings the records up to date with `view` and returns the records that became final
   * since the previous call. A trial seen final stays final (finished trials are immutable).
   */
  sync(view: SamplerView): TrialRecord[] {
    const fresh: TrialRecord[] = [];
    const pending: TrialRecord[] = [];
    const trials = view.trials;
    // Skip the prefix already known final, when this view starts like the previous one
    // (the usual case: a campaign only appends trials). Otherwise start over.
    const p = this.finalPrefix;
    const start = p > 0 && p <= trials.length && trials[p - 1]?.id === this.byIndex[p - 1]?.trial.id ? p : 0;
    for (let i = start; i < trials.length; i++) {
      const t = trials[i] as TrialSnapshot;
      let r = this.byId.get(t.id);
      if (!r) {
        r = this.newRecord(t, false);
        this.byId.set(t.id, r);
      }
      this.byIndex[i] = r;
      if (r.final) continue;
      if (isFinished(t.state)) {
        this.finalize(r, t, view.objectives, view.constraints);
        fresh.push(r);
      } else pending.push(r);
    }
    this.byIndex.length = trials.length;
    let q = start;
    while (q < trials.length && (this.byIndex[q] as TrialRecord).final) q++;
    this.finalPrefix = q;
    this.pending = pending;
    return fresh;
  }

  /** Imported records. */
  imported(): readonly TrialRecord[] {
    return this.importedRecords;
  }

  private newRecord(t: TrialSnapshot, imported: boolean): TrialRecord {
    return { trial: t, unit: this.space.encode(t.params), loss: [], violation: Number.POSITIVE_INFINITY, usable: false, final: false, imported };
  }

  private finalize(r: TrialRecord, t: TrialSnapshot, objectives: readonly ObjectiveSpec[], constraints: readonly MetricConstraint[]): void {
    (r as { trial: TrialSnapshot }).trial = t;
    r.final = true;
    r.loss = toLossVector(t.metrics, objectives);
    r.violation = constraintViolation(t.metrics, constraints);
    r.usable = t.state === "completed" && r.loss.every(Number.isFinite);
  }
}
