import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { TRIALS_CONSUMER, TRIALS_STREAM } from "@prunesweep/proto";

/** Counters of the shared trial consumer, for metrics (the HTTP layer never imports NATS). */
export interface TrialQueueStats {
  /** Assignments not yet delivered (`num_pending`). */
  readonly pending: number;
  /** Delivered and not yet acknowledged (`num_ack_pending`). */
  readonly ackPending: number;
  /** Pull requests waiting for a message, i.e. idle workers (`num_waiting`). */
  readonly waiting: number;
}

/** Returns a function that reads the trial consumer's info (one JetStream API call per use). */
export function trialQueueStatsProbe(nc: NatsConnection): () => Promise<TrialQueueStats> {
  let jsm: Promise<JetStreamManager> | undefined;
  return async () => {
    jsm ??= jetstreamManager(nc);
    const info = await (await jsm).consumers.info(TRIALS_STREAM, TRIALS_CONSUMER);
    return { pending: info.num_pending, ackPending: info.num_ack_pending, waiting: info.num_waiting };
  };
}
