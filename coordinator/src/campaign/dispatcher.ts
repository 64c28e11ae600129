import type { Params } from "../domain/trial.js";
import type { CampaignSpec } from "../domain/campaign-spec.js";

/** Everything needed to publish one trial assignment. */
export interface DispatchRequest {
  readonly campaignId: string;
  readonly trialId: string;
  /** Publish dedupe id: the trial id, with its retry count once retried (a re-run is a new message). */
  readonly dedupeId: string;
  readonly params: Params;
  readonly spec: CampaignSpec;
}

/**
 * Publishes trial assignments to the workers. Implementations must be idempotent per
 * `dedupeId` (JetStream: `msgID = dedupeId`), because a restarted coordinator re-dispatches
 * trials whose dispatch it cannot prove.
 */
export interface TrialDispatcher {
  dispatch(request: DispatchRequest): Promise<void>;
}
