import type { Logger } from "../logger.js";
import type { CampaignStore, PositionedEvent } from "../store/campaign-store.js";
import type { SnapshotStore } from "../store/snapshot-store.js";
import type { CampaignEventLog } from "./event-log.js";
import { decodeSnapshot, encodeSnapshot } from "./snapshot-codec.js";
import type { CampaignState, StateSnapshot } from "./state.js";

/** Trials built between two yields to the event loop before a snapshot of a loaded state. */
const MATERIALIZE_SLICE = 20_000;

/** When and where a campaign's state is snapshotted. */
export interface SnapshotPolicy {
  readonly store: SnapshotStore;
  /** Write a snapshot once this many events were applied since the last one (0 = never). */
  readonly everyEvents: number;
  /** Snapshots kept per campaign; older ones are deleted after each write. */
  readonly keep: number;
}

/**
 * Writes snapshots of one campaign's state every `everyEvents` events. A snapshot is taken
 * synchronously between two events (a frozen copy, see CampaignState.toSnapshot), labelled
 * with the log position acknowledged by then (every event at or before it is in the copy),
 * and written only once every event in the copy is durable, so a snapshot never holds an
 * event the log could lose. Encoding, compression and the upload run in the background, one
 * snapshot at a time; a failed write is logged and retried at the next threshold.
 */
export class CampaignSnapshotter {
  private since = 0;
  private writing: Promise<void> | undefined;
  private scheduled = false;

  constructor(
    private readonly campaignId: string,
    private readonly state: CampaignState,
    private readonly events: CampaignEventLog,
    private readonly policy: SnapshotPolicy,
    private readonly log: Logger,
  ) {
    if (policy.everyEvents > 0) events.onEvent(() => this.count(1));
  }

  /** Counts `n` events applied since the last snapshot (after a restore: the events replayed). */
  count(n: number): void {
    this.since += n;
    if (this.since < this.policy.everyEvents || this.writing || this.scheduled || this.policy.everyEvents <= 0) return;
    // After the current step: the event that crossed the threshold is then in the pending appends.
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.take();
    });
  }

  /** Resolves when no snapshot is being written or about to be (each written or failed). */
  async settled(): Promise<void> {
    while (this.writing || this.scheduled) await (this.writing ?? Promise.resolve());
  }

  private take(): void {
    if (this.writing) return;
    this.writing = this.takeWhenBuilt().finally(() => {
      this.writing = undefined;
      this.count(0); // events that came during the write may already call for the next one
    });
  }

  private async takeWhenBuilt(): Promise<void> {
    // Trials still held in the snapshot this state was loaded from are built first, a slice at
    // a time, so that the coordinator keeps answering meanwhile (they are final: nothing
    // changes them, and a trial read meanwhile is built on the spot).
    while (!this.state.materializeSome(MATERIALIZE_SLICE)) await new Promise((r) => setImmediate(r));
    const position = this.events.durablePosition;
    const snapshot = this.state.toSnapshot();
    const durable = this.events.flush();
    const covered = this.since;
    this.since = 0;
    try {
      await this.write(snapshot, position, durable);
    } catch (err: unknown) {
      this.since += covered;
      this.log.warn("campaign snapshot failed; the log still has every event", { campaign: this.campaignId, position, error: String(err) });
    }
  }

  private async write(snapshot: StateSnapshot, position: number, durable: Promise<void>): Promise<void> {
    await durable;
    const t0 = performance.now();
    const bytes = await encodeSnapshot(snapshot, position);
    await this.policy.store.put(this.campaignId, position, bytes);
    this.log.info("campaign snapshot written", {
      campaign: this.campaignId,
      position,
      trials: snapshot.trials.length,
      bytes: bytes.byteLength,
      ms: Math.round(performance.now() - t0),
    });
    const old = (await this.policy.store.list(this.campaignId)).slice(this.policy.keep);
    for (const p of old) await this.policy.store.delete(this.campaignId, p);
  }
}

/** What a restore starts from: the newest usable snapshot (if any) and the events after it. */
export interface RestorePoint {
  readonly snapshot: StateSnapshot | undefined;
  /** The log position the snapshot covers (0 without one). */
  readonly position: number;
  /** The events after the snapshot's position (all of them without a snapshot), in log order. */
  readonly events: readonly PositionedEvent[];
}

/**
 * Loads a campaign for a restore: the newest snapshot that decodes (a damaged, truncated or
 * unreadable one is logged and skipped for the next older one), then the events after its
 * position; with no usable snapshot, the whole log.
 */
export async function loadRestorePoint(campaignId: string, store: CampaignStore, snapshots: SnapshotStore | undefined, log: Logger): Promise<RestorePoint> {
  for (const position of snapshots ? await snapshots.list(campaignId).catch(() => []) : []) {
    try {
      const bytes = await snapshots?.get(campaignId, position);
      if (!bytes) continue;
      const decoded = await decodeSnapshot(bytes);
      if (decoded.state.campaignId !== campaignId || decoded.position !== position) {
        throw new RangeError(`snapshot is labelled campaign ${decoded.state.campaignId} position ${decoded.position}`);
      }
      return { snapshot: decoded.state, position, events: await store.loadAfter(campaignId, position) };
    } catch (err) {
      log.warn("campaign snapshot unusable; trying an older one", { campaign: campaignId, position, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { snapshot: undefined, position: 0, events: await store.loadAfter(campaignId, 0) };
}
