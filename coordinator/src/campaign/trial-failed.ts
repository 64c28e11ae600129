import type { CampaignEvent } from "../domain/events.js";

/**
 * The TrialFailed event of attempt `attempt`. With `retry` the trial goes back to waiting
 * (its assignment is redelivered); without, it is final.
 */
export function trialFailed(campaignId: string, trialId: string, attempt: number, error: string, retry: boolean, at: number): CampaignEvent {
  return {
    type: "TrialFailed",
    eventId: retry ? `${trialId}:failed:${attempt}` : `${trialId}:final`,
    campaignId,
    trialId,
    attempt,
    error,
    retryable: retry,
    final: !retry,
    at,
  };
}
