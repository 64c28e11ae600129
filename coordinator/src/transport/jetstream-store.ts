import { DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { CAMPAIGNS_BUCKET, createWithReplicas, EVENTS_STREAM, EVENTS_SUBJECT_PREFIX, eventSubject } from "@prunesweep/proto";
import type { CampaignEvent } from "../domain/events.js";
import type { CampaignStore, PositionedEvent } from "../store/campaign-store.js";
import { jetStreamConfigError } from "./nats-connection.js";

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
  private readonly jsm: JetStreamManager;
  private readonly enc = new TextEncoder();
  private readonly dec = new TextDecoder();

  private constructor(
    nc: NatsConnection,
    jsm: JetStreamManager,
    private readonly kv: KV,
  ) {
    this.js = jetstream(nc);
    this.jsm = jsm;
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
    return new JetStreamCampaignStore(nc, jsm, kv);
  }

  async append(event: CampaignEvent): Promise<number> {
    const ack = await this.js.publish(eventSubject(event.campaignId), this.enc.encode(JSON.stringify(event)), {
      msgID: event.eventId,
      timeout: 10_000,
    });
    if (event.type === "CampaignCreated") {
      await this.kv.put(event.campaignId, JSON.stringify({ name: event.name, createdAt: event.at }));
    }
    return ack.seq;
  }

  /**
   * The campaign's events after stream sequence `position`, up to its last event at the time
   * of the call (asked of the stream leader: in a cluster the consumer may sit on a replica
   * that is behind, so its own pending count is not used).
   */
  async loadAfter(campaignId: string, position: number): Promise<readonly PositionedEvent[]> {
    const subject = eventSubject(campaignId);
    const last = await this.jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: subject });
    const out: PositionedEvent[] = [];
    if (!last || last.seq <= position) return out;
    const c = await this.js.consumers.get(EVENTS_STREAM, {
      filter_subjects: subject,
      ...(position > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: position + 1 } : { deliver_policy: DeliverPolicy.All }),
    });
    const msgs = await c.consume({ max_messages: 20_000 });
    for await (const m of msgs) {
      out.push({ position: m.seq, event: JSON.parse(this.dec.decode(m.data)) as CampaignEvent });
      if (m.seq >= last.seq) break;
    }
    await msgs.close().catch(() => undefined);
    return out;
  }

  async load(campaignId: string): Promise<readonly CampaignEvent[]> {
    const subject = eventSubject(campaignId);
    // How many events the campaign has, from the stream leader: every append acknowledged so
    // far. (The consumer's own num_pending is not enough in a cluster: an ephemeral consumer
    // may sit on a replica that has not yet received the latest appends.) Appends made after
    // this moment are not part of this load; counting avoids parsing every message's info.
    const si = await this.jsm.streams.info(EVENTS_STREAM, { subjects_filter: subject });
    const total = si.state.subjects?.[subject] ?? 0;
    const out: CampaignEvent[] = [];
    if (total === 0) return out;
    const c = await this.js.consumers.get(EVENTS_STREAM, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
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
