import type { CampaignSpec } from "../domain/campaign-spec.js";
import type { CampaignEvent } from "../domain/events.js";
import type { TrialSnapshot, TrialState } from "../domain/trial.js";
import type { CampaignEventLog } from "./event-log.js";
import type { CampaignState, CampaignStatus } from "./state.js";

/**
 * A campaign as everything outside `campaign/` sees it: its spec, status and frozen trial
 * snapshots. Nothing here changes the campaign; later changes never mutate a snapshot
 * already handed out (a new one replaces it).
 */
export interface ReadonlyCampaign {
  readonly id: string;
  readonly spec: CampaignSpec;
  /** The spec as submitted (YAML text). */
  readonly specYaml: string;
  readonly status: CampaignStatus;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly finishedAt: number | undefined;
  readonly cancelReason: string | undefined;
  /** Trials created so far. */
  readonly trialCount: number;
  /** Trials by state, every state present. */
  counts(): Record<TrialState, number>;
  /**
   * Every trial in creation order. The same frozen array is returned until the campaign
   * changes, so callers may cache what they derive from it by identity.
   */
  trials(): readonly TrialSnapshot[];
  /** @throws TrialNotFoundError */
  trial(trialId: string): TrialSnapshot;
  hasTrial(trialId: string): boolean;
  /** Trials not final (waiting or running). */
  inFlight(): readonly TrialSnapshot[];
  /** Resolves when the campaign is completed or cancelled (again, after a retry reopened it). */
  readonly finished: Promise<void>;
  /** Calls `listener` after every recorded event. Returns an unsubscribe function. */
  onEvent(listener: (e: CampaignEvent) => void): () => void;
}

/** The {@link ReadonlyCampaign} of a runner: reads its state, never writes it. */
export class CampaignQueryView implements ReadonlyCampaign {
  constructor(
    readonly spec: CampaignSpec,
    private readonly state: CampaignState,
    private readonly events: CampaignEventLog,
    /** The runner's current "finished" promise (a retry makes a new one). */
    private readonly finishedNow: () => Promise<void>,
  ) {}

  get finished(): Promise<void> {
    return this.finishedNow();
  }

  get id(): string {
    return this.state.campaignId;
  }
  get specYaml(): string {
    return this.state.specYaml;
  }
  get status(): CampaignStatus {
    return this.state.status;
  }
  get createdAt(): number {
    return this.state.createdAt;
  }
  get finishedAt(): number | undefined {
    return this.state.finishedAt;
  }
  get cancelReason(): string | undefined {
    return this.state.cancelReason;
  }
  get trialCount(): number {
    return this.state.trialCount;
  }
  counts(): Record<TrialState, number> {
    return this.state.counts();
  }
  trials(): readonly TrialSnapshot[] {
    return this.state.snapshots();
  }
  trial(trialId: string): TrialSnapshot {
    return this.state.trial(trialId);
  }
  hasTrial(trialId: string): boolean {
    return this.state.hasTrial(trialId);
  }
  inFlight(): readonly TrialSnapshot[] {
    return this.state.inFlight();
  }
  onEvent(listener: (e: CampaignEvent) => void): () => void {
    return this.events.onEvent(listener);
  }
}
