/**
 * Learning-rate schedules of the fine-tuning recipe (the names are the catalogue's
 * `SCHEDULE_NAMES`): the learning rate of optimizer step `t` (0-based) of a run of `totalSteps`
 * steps. A linear warm-up over the first `warmupSteps` steps rises to the base rate, then:
 * - `constant`: the base rate;
 * - `step`: the base rate times `gamma` after every `stepSize` steps (counted from step 0);
 * - `cosine`: `base · (1 + cos(π · u)) / 2` with `u` the fraction of the post-warm-up steps done,
 *   from the base rate towards 0 at the end.
 */
import type { ScheduleName } from "@prunesweep/proto";

/** A schedule's settings, in optimizer steps. */
export interface ScheduleSettings {
  readonly schedule: ScheduleName;
  readonly base: number;
  readonly totalSteps: number;
  readonly warmupSteps: number;
  /** `step`: steps between decays. */
  readonly stepSize: number;
  /** `step`: factor at each decay. */
  readonly gamma: number;
}

/** The learning rate at step `t` (0-based). */
export function learningRateAt(s: ScheduleSettings, t: number): number {
  const warm = Math.max(0, Math.round(s.warmupSteps));
  if (t < warm) return (s.base * (t + 1)) / (warm + 1);
  switch (s.schedule) {
    case "constant":
      return s.base;
    case "step":
      return s.base * s.gamma ** Math.floor(t / Math.max(1, s.stepSize));
    case "cosine": {
      const span = Math.max(1, s.totalSteps - warm);
      const u = Math.min(1, (t - warm) / span);
      return (s.base * (1 + Math.cos(Math.PI * u))) / 2;
    }
  }
}
