import type { CampaignEvent } from "../domain/events.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { trialEventPrefix } from "./trial-events.js";

/**
 * The TrialFailed event of attempt `attempt`. With `retry` the trial goes back to waiting
 * (its assignment is redelivered); without, it is final.
 */
export function trialFailed(campaignId: string, trial: Pick<TrialSnapshot, "id" | "retries">, attempt: number, error: string, retry: boolean, at: number): CampaignEvent {
  const prefix = trialEventPrefix(trial);
  return {
    type: "TrialFailed",
    eventId: retry ? `${prefix}:failed:${attempt}` : `${prefix}:final`,
    campaignId,
    trialId: trial.id,
    attempt,
    error,
    retryable: retry,
    final: !retry,
    at,
  };
}
