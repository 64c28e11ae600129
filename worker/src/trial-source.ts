/** Where a worker gets its work: leases on trial assignments (JetStream in production). */

/** One delivery of a trial assignment, leased to this worker until it is settled. */
export interface TrialLease {
  /** The encoded `TrialAssignment`. */
  readonly data: Uint8Array;
  /** 1-based delivery count of this message: the attempt number. */
  readonly deliveryCount: number;
  readonly streamSequence: number;
  /** When the coordinator published the assignment (server timestamp). */
  readonly publishedAtMs: number;
  /** Extends the lease (JetStream `working()`). */
  heartbeat(): void;
  /** Removes the message: the coordinator has recorded the final result. */
  ack(): Promise<void>;
  /** Redelivers after `delayMs` (JetStream `nak`). */
  retryLater(delayMs: number): void;
  /** Removes the message without success (JetStream `term`): invalid or given up. */
  reject(): void;
}

/**
 * Hands out leases one at a time. Lifecycle: `next()` until `close()`; after `close()`,
 * `next()` resolves null at once, and leases already handed out stay valid until settled.
 */
export interface TrialSource {
  /** The next lease, or null when none arrived in time or the source is closed. */
  next(): Promise<TrialLease | null>;
  /** Stops handing out leases. */
  close(): void;
}
