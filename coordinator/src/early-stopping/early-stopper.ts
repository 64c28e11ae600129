import { z } from "zod";
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

/**
 * An early stopper as the registry (`index.ts`) knows it: each stopper file exports its entry
 * and the registry lists them. Its options schema validates `earlyStopping: {name, ...}` and
 * goes into the spec's JSON Schema and the docs' option tables.
 */
export interface EarlyStopperEntry {
  /** The name a spec uses (`earlyStopping: {name}`). */
  readonly name: string;
  /** The rule, in one line (README and docs tables). */
  readonly summary: string;
  /** Validates and defaults `{name, ...options}` (strict: unknown options are errors). */
  readonly options: z.ZodType<{ readonly name: string }>;
  /** Builds the stopper from validated options. */
  create(options: { readonly name: string }): EarlyStopper;
}

/** Declares a stopper's registry entry with `create` typed by its own options schema. */
export function earlyStopperEntry<S extends z.ZodType<{ readonly name: string }>>(entry: {
  readonly name: string;
  readonly summary: string;
  readonly options: S;
  create(options: z.output<S>): EarlyStopper;
}): EarlyStopperEntry {
  return entry as EarlyStopperEntry;
}

/** The `none` stopper's registry entry. */
export const noEarlyStopperEntry = earlyStopperEntry({
  name: "none",
  summary: "never stops",
  options: z.strictObject({ name: z.literal("none") }),
  create: () => new NoEarlyStopper(),
});
