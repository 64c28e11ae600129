import type { CampaignSpec } from "../domain/campaign-spec.js";
import type { Logger } from "../logger.js";
import type { CampaignEventLog } from "./event-log.js";
import type { CampaignState } from "./state.js";

/** What the parts of a campaign runner share: its identity, spec, state and event log. */
export interface CampaignContext {
  readonly campaignId: string;
  readonly spec: CampaignSpec;
  /** Read by the parts; changed only through `events.record`. */
  readonly state: CampaignState;
  readonly events: CampaignEventLog;
  readonly log: Logger;
  readonly now: () => number;
}
