import type { Params } from "../domain/trial.js";
import type { CampaignSpec } from "../domain/campaign-spec.js";

/** Everything needed to publish one trial assignment. */
export interface DispatchRequest {
  readonly campaignId: string;
  readonly trialId: string;
  readonly params: Params;
  readonly spec: CampaignSpec;
}

/**
 * Publishes trial assignments to the workers. Implementations must be idempotent per
 * `trialId` (JetStream: `msgID = trialId`), because a restarted coordinator re-dispatches
 * trials whose dispatch it cannot prove.
 */
export interface TrialDispatcher {
  dispatch(request: DispatchRequest): Promise<void>;
}
