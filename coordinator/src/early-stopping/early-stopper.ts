import type { ObjectiveSpec } from "../domain/objectives.js";
import type { TrialSnapshot } from "../domain/trial.js";
import type { MetricConstraint } from "../domain/campaign-spec.js";

/** What a stopper may read. */
export interface StopperView {
  readonly trials: readonly TrialSnapshot[];
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints: readonly MetricConstraint[];
}

export type StopDecision = "continue" | "stop";

/**
 * Decides, from a trial's progress reports, whether it should go on. Called once per progress
 * report, after the report is recorded (so `trial.progress` includes `step`). Stateless
 * between calls or rebuildable from the trials: a restarted coordinator must decide the same.
 */
export interface EarlyStopper {
  readonly name: string;
  decide(view: StopperView, trial: TrialSnapshot, step: number): StopDecision;
}

/** Never stops a trial. */
export class NoEarlyStopper implements EarlyStopper {
  readonly name = "none";
  decide(): StopDecision {
    return "continue";
  }
}
