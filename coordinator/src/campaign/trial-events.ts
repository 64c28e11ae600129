import type { TrialSnapshot } from "../domain/trial.js";

/**
 * The prefix of a trial's event ids: the trial id, then `:retry<n>` once it was retried n
 * times, so that the events of a re-run (its attempts from 1 again, its final event) never
 * share an id with the earlier ones, which the event store would drop as duplicates.
 */
export function trialEventPrefix(t: Pick<TrialSnapshot, "id" | "retries">): string {
  return t.retries ? `${t.id}:retry${t.retries}` : t.id;
}
