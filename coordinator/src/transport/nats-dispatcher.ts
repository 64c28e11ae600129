import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  createWithReplicas,
  TrialAssignment,
  TRIALS_CONSUMER,
  TRIALS_STREAM,
  TRIALS_SUBJECT_PREFIX,
  trialSubject,
} from "@prunesweep/proto";
import type { DispatchRequest, TrialDispatcher } from "../campaign/dispatcher.js";
import { DEFAULT_TRIAL_QUEUE_OPTIONS, type TrialQueueOptions } from "../config.js";
import { assignmentFromRequest } from "./convert.js";
import { jetStreamConfigError } from "./nats-connection.js";

const NS_PER_MS = 1_000_000;

/**
 * Creates (or updates) the work-queue stream and the single shared durable pull consumer
 * that every worker pulls from. Idempotent.
 */
async function ensureTrialQueue(jsm: JetStreamManager, o: TrialQueueOptions = DEFAULT_TRIAL_QUEUE_OPTIONS): Promise<void> {
  const stream = {
    name: TRIALS_STREAM,
    subjects: [`${TRIALS_SUBJECT_PREFIX}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: o.replicas,
    duplicate_window: o.duplicateWindowMs * NS_PER_MS,
  };
  try {
    await jsm.streams.info(TRIALS_STREAM);
    await jsm.streams.update(TRIALS_STREAM, { duplicate_window: stream.duplicate_window });
  } catch {
    await createWithReplicas(`stream ${TRIALS_STREAM}`, o.replicas, () => jsm.streams.add(stream), jetStreamConfigError);
  }
  const consumer = {
    durable_name: TRIALS_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: o.ackWaitMs * NS_PER_MS,
    max_deliver: o.maxDeliver,
    max_ack_pending: o.maxAckPending,
  };
  try {
    await jsm.consumers.info(TRIALS_STREAM, TRIALS_CONSUMER);
    await jsm.consumers.update(TRIALS_STREAM, TRIALS_CONSUMER, {
      ack_wait: consumer.ack_wait,
      max_deliver: consumer.max_deliver,
      max_ack_pending: consumer.max_ack_pending,
    });
  } catch {
    await jsm.consumers.add(TRIALS_STREAM, consumer);
  }
}

/** Publishes assignments to the JetStream work queue with `msgID = dedupeId` (dedupe). */
export class NatsTrialDispatcher implements TrialDispatcher {
  private readonly js: JetStreamClient;

  private constructor(
    nc: NatsConnection,
    private readonly coordinatorEndpoint: () => string,
  ) {
    this.js = jetstream(nc);
  }

  /** Ensures the queue exists, then returns a dispatcher. */
  static async create(
    nc: NatsConnection,
    coordinatorEndpoint: () => string,
    options: TrialQueueOptions = DEFAULT_TRIAL_QUEUE_OPTIONS,
  ): Promise<NatsTrialDispatcher> {
    await ensureTrialQueue(await jetstreamManager(nc), options);
    return new NatsTrialDispatcher(nc, coordinatorEndpoint);
  }

  async dispatch(r: DispatchRequest): Promise<void> {
    const body = TrialAssignment.encode(assignmentFromRequest(r, this.coordinatorEndpoint())).finish();
    await this.js.publish(trialSubject(r.campaignId), body, { msgID: r.dedupeId, timeout: 5_000 });
  }
}
