import type { CampaignEvent } from "../domain/events.js";
import type { Logger } from "../logger.js";
import type { CampaignStore } from "../store/campaign-store.js";
import { retryUntilDone } from "./retry.js";
import type { CampaignState } from "./state.js";

/** Backoff of a failed append: 100 ms doubling up to 5 s. */
const APPEND_BACKOFF = { firstMs: 100, maxMs: 5_000 } as const;

/**
 * The event appender of one campaign: applies an event to the in-memory state at once, tells
 * the listeners, and appends it to the store, retrying until the store has it.
 *
 * Appends are pipelined: effects visible outside (acks, dispatches, decisions) wait for the
 * durability of the events they depend on, so the log only ever reorders causally
 * independent events. Events are idempotent by `eventId`, so a retried append is safe.
 */
export class CampaignEventLog {
  /** Appends not yet durable. */
  private readonly pending = new Set<Promise<void>>();
  private readonly listeners = new Set<(e: CampaignEvent) => void>();
  private position = 0;

  constructor(
    private readonly state: CampaignState,
    private readonly store: CampaignStore,
    private readonly log: Logger,
  ) {}

  /**
   * Records `e`: applied now, durable when the returned promise resolves. A duplicate or
   * no-op event (the state ignores it) is neither announced nor appended.
   */
  record(e: CampaignEvent): Promise<void> {
    if (!this.state.apply(e)) return Promise.resolve();
    for (const l of this.listeners) l(e);
    const write = retryUntilDone(
      async () => {
        const at = await this.store.append(e);
        if (at > this.position) this.position = at;
      },
      APPEND_BACKOFF,
      this.log,
      "event append failed; retrying",
      { event: e.eventId },
    );
    this.pending.add(write);
    void write.then(() => this.pending.delete(write));
    return write;
  }

  /** Calls `listener` after every applied event (synchronously). Returns an unsubscribe function. */
  onEvent(listener: (e: CampaignEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The highest log position acknowledged so far (or restored from): every event of the
   * campaign at or before it is in the state, since an event is applied before it is appended
   * and the log holds it before any later position is acknowledged.
   */
  get durablePosition(): number {
    return this.position;
  }

  /** After a restore: the position of the last event loaded. */
  restoredAt(position: number): void {
    if (position > this.position) this.position = position;
  }

  /** Resolves when every event recorded so far is durable. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
