import type { Metrics, Params } from "./trial.js";

/**
 * The campaign event log: the state of record. Every event carries a dedupe id (`eventId`)
 * so that appending the same event twice is a no-op; the campaign state is a pure fold over
 * the log (campaign/state.ts).
 */
export type CampaignEvent =
  | {
      readonly type: "CampaignCreated";
      readonly eventId: string;
      readonly campaignId: string;
      readonly name: string;
      readonly specYaml: string;
      readonly at: number;
    }
  | {
      readonly type: "TrialCreated";
      readonly eventId: string;
      readonly campaignId: string;
      readonly trialId: string;
      readonly number: number;
      readonly params: Params;
      readonly at: number;
    }
  | {
      readonly type: "TrialStarted";
      readonly eventId: string;
      readonly campaignId: string;
      readonly trialId: string;
      readonly attempt: number;
      readonly workerId: string;
      readonly backend: string;
      readonly at: number;
    }
  | {
      readonly type: "TrialProgress";
      readonly eventId: string;
      readonly campaignId: string;
      readonly trialId: string;
      readonly attempt: number;
      readonly step: number;
      readonly phase: string;
      readonly metrics: Metrics;
      readonly at: number;
    }
  | {
      readonly type: "TrialCompleted";
      readonly eventId: string;
      readonly campaignId: string;
      readonly trialId: string;
      readonly attempt: number;
      readonly metrics: Metrics;
      readonly details: unknown;
      readonly wallMs: number;
      /** The trial obeyed a stop decision: final state stopped_early with partial metrics. */
      readonly stoppedEarly: boolean;
      readonly lastStep: number;
      readonly at: number;
    }
  | {
      readonly type: "TrialFailed";
      readonly eventId: string;
      readonly campaignId: string;
      readonly trialId: string;
      readonly attempt: number;
      readonly error: string;
      readonly retryable: boolean;
      /** False when the attempt failed but the trial will be retried (state back to waiting). */
      readonly final: boolean;
      readonly at: number;
    }
  | {
      /**
       * Failed trials run again in the same campaign (`prunesweep retry`): each goes back to
       * waiting with a fresh set of attempts, and a completed campaign runs again. `round`
       * numbers the retries of the campaign from 1; event ids of a retried trial carry its
       * retry count (see campaign/trial-events.ts) so that they never collide with earlier ones.
       */
      readonly type: "TrialsRetried";
      readonly eventId: string;
      readonly campaignId: string;
      readonly trialIds: readonly string[];
      readonly round: number;
      readonly at: number;
    }
  | {
      readonly type: "CampaignCancelled";
      readonly eventId: string;
      readonly campaignId: string;
      readonly reason: string;
      readonly at: number;
    }
  | {
      readonly type: "CampaignFinished";
      readonly eventId: string;
      readonly campaignId: string;
      readonly at: number;
    };

export type CampaignEventType = CampaignEvent["type"];
