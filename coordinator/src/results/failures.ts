/**
 * Why trials failed, grouped by error: what `prunesweep run` prints when no trial completed,
 * and what `prunesweep status` shows for a campaign with failed trials.
 */
import type { TrialSnapshot } from "../domain/trial.js";

/** Failed trials that share one error message. */
export interface FailureGroup {
  readonly error: string;
  /** Trial numbers (0-based creation index), ascending. */
  readonly trials: readonly number[];
}

/** The failed trials grouped by error, the most frequent error first. */
export function groupFailures(trials: readonly TrialSnapshot[]): FailureGroup[] {
  const byError = new Map<string, number[]>();
  for (const t of trials) {
    if (t.state !== "failed") continue;
    const error = t.error ?? "(no error reported)";
    const list = byError.get(error) ?? [];
    list.push(t.number);
    byError.set(error, list);
  }
  return [...byError.entries()]
    .map(([error, numbers]) => ({ error, trials: numbers.sort((a, b) => a - b) }))
    .sort((a, b) => b.trials.length - a.trials.length || (a.trials[0] ?? 0) - (b.trials[0] ?? 0));
}

/** `  3 × <error> (trials 0, 2, 5)`, one line per group. */
export function failuresText(groups: readonly FailureGroup[]): string {
  return groups
    .map((g) => `  ${g.trials.length} × ${g.error} (trial${g.trials.length === 1 ? "" : "s"} ${g.trials.join(", ")})`)
    .join("\n");
}
