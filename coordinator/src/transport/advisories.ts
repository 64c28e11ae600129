import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { maxDeliveriesAdvisory, TrialAssignment, TRIALS_STREAM } from "@prunesweep/proto";
import type { Logger } from "../logger.js";

/** What the listener reports: an assignment exhausted the consumer's deliveries. */
export interface ExhaustedAssignment {
  readonly campaignId: string;
  readonly trialId: string;
  readonly deliveries: number;
}

/**
 * Listens to MAX_DELIVERIES advisories of the trial consumer: reads the exhausted message,
 * hands its trial to `onExhausted` (which records the trial failed), then deletes the
 * message from the work queue (2.9 keeps it there otherwise).
 */
export async function listenMaxDeliveries(
  nc: NatsConnection,
  log: Logger,
  onExhausted: (a: ExhaustedAssignment) => Promise<void>,
): Promise<Subscription> {
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const sub = nc.subscribe(maxDeliveriesAdvisory());
  void (async () => {
    for await (const m of sub) {
      try {
        const adv = m.json<{ stream_seq: number; deliveries: number }>();
        const msg = await jsm.streams.getMessage(TRIALS_STREAM, { seq: adv.stream_seq });
        if (!msg) continue;
        const a = TrialAssignment.decode(msg.data);
        await onExhausted({ campaignId: a.campaignId, trialId: a.trialId, deliveries: adv.deliveries });
        await jsm.streams.deleteMessage(TRIALS_STREAM, adv.stream_seq);
        log.warn("assignment exhausted its deliveries; recorded failed", { trial: a.trialId, deliveries: adv.deliveries });
      } catch (err) {
        log.error("cannot handle MAX_DELIVERIES advisory", { error: err instanceof Error ? err.message : String(err) });
      }
    }
  })();
  return sub;
}
