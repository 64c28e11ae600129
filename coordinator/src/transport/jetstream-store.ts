import { DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { CAMPAIGNS_BUCKET, createWithReplicas, EVENTS_STREAM, EVENTS_SUBJECT_PREFIX, eventSubject } from "@prunesweep/proto";
import type { CampaignEvent } from "../domain/events.js";
import type { CampaignStore } from "../store/campaign-store.js";
import { jetStreamConfigError } from "./nats-dispatcher.js";

const NS_PER_MS = 1_000_000;

export interface JetStreamStoreOptions {
  /** Replicas of the stream and the KV bucket (--nats-replicas): 1 locally, 3 in a cluster. @default 1 */
  readonly replicas: number;
  /** Publish dedupe window for event ids. @default 600000 */
  readonly duplicateWindowMs: number;
}

/**
 * The campaign event log in JetStream (file storage): stream PRUNESWEEP_EVENTS, one subject
 * per campaign, each event published with `msgID = eventId` (server-side dedupe inside the
 * window; the state fold dedupes beyond it). KV bucket `prunesweep_campaigns` indexes the
 * campaigns. `append` resolves after the server's PubAck: the event is durable.
 */
export class JetStreamCampaignStore implements CampaignStore {
  readonly kind = "jetstream";
  private readonly js: JetStreamClient;
  private readonly enc = new TextEncoder();
  private readonly dec = new TextDecoder();

  private constructor(
    nc: NatsConnection,
    private readonly kv: KV,
  ) {
    this.js = jetstream(nc);
  }

  static async create(nc: NatsConnection, o: JetStreamStoreOptions = { replicas: 1, duplicateWindowMs: 600_000 }): Promise<JetStreamCampaignStore> {
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.info(EVENTS_STREAM);
    } catch {
      const stream = {
        name: EVENTS_STREAM,
        subjects: [`${EVENTS_SUBJECT_PREFIX}.>`],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        num_replicas: o.replicas,
        duplicate_window: o.duplicateWindowMs * NS_PER_MS,
      };
      await createWithReplicas(`stream ${EVENTS_STREAM}`, o.replicas, () => jsm.streams.add(stream), jetStreamConfigError);
    }
    const kv = await createWithReplicas(
      `KV bucket ${CAMPAIGNS_BUCKET}`,
      o.replicas,
      () => new Kvm(nc).create(CAMPAIGNS_BUCKET, { replicas: o.replicas, storage: StorageType.File, history: 1 }),
      jetStreamConfigError,
    );
    return new JetStreamCampaignStore(nc, kv);
  }

  async append(event: CampaignEvent): Promise<void> {
    await this.js.publish(eventSubject(event.campaignId), this.enc.encode(JSON.stringify(event)), {
      msgID: event.eventId,
      timeout: 10_000,
    });
    if (event.type === "CampaignCreated") {
      await this.kv.put(event.campaignId, JSON.stringify({ name: event.name, createdAt: event.at }));
    }
  }

  async load(campaignId: string): Promise<readonly CampaignEvent[]> {
    const subject = eventSubject(campaignId);
    const c = await this.js.consumers.get(EVENTS_STREAM, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const info = await c.info(true);
    const out: CampaignEvent[] = [];
    if (info.num_pending === 0) {
      await c.delete().catch(() => undefined);
      return out;
    }
    // Read exactly the messages pending when the consumer was created (appends made after
    // that moment are not part of this load). Counting avoids parsing every message's info.
    const total = info.num_pending;
    const msgs = await c.consume({ max_messages: 20_000 });
    for await (const m of msgs) {
      out.push(JSON.parse(this.dec.decode(m.data)) as CampaignEvent);
      if (out.length >= total) break;
    }
    await msgs.close().catch(() => undefined);
    return out;
  }

  async listCampaigns(): Promise<readonly string[]> {
    const keys: string[] = [];
    for await (const k of await this.kv.keys()) keys.push(k);
    return keys.sort();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
