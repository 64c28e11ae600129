import { StorageType } from "@nats-io/jetstream";
import { Objm, type ObjectStore } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { createWithReplicas, SNAPSHOTS_BUCKET, useNativeObjectStoreDigests } from "@prunesweep/proto";
import type { SnapshotStore } from "../store/snapshot-store.js";
import { jetStreamConfigError } from "./nats-connection.js";

/** Object names: `<campaign>/<position, zero-padded so that names sort by position>`. */
const objectName = (campaignId: string, position: number): string => `${campaignId}/${String(position).padStart(16, "0")}`;

/**
 * Campaign snapshots in the JetStream object store `prunesweep_snapshots` (file storage,
 * `--nats-replicas` copies). An object becomes visible only when its metadata is written,
 * after every chunk, and a read checks the SHA-256 digest of the whole object: a write cut
 * short leaves nothing readable under its name, and a damaged one fails to read.
 */
export class JetStreamSnapshotStore implements SnapshotStore {
  readonly kind = "jetstream";

  private constructor(private readonly os: ObjectStore) {}

  static async create(nc: NatsConnection, replicas: number): Promise<JetStreamSnapshotStore> {
    useNativeObjectStoreDigests();
    const os = await createWithReplicas(
      `object store ${SNAPSHOTS_BUCKET}`,
      replicas,
      () => new Objm(nc).create(SNAPSHOTS_BUCKET, { replicas, storage: StorageType.File }),
      jetStreamConfigError,
    );
    return new JetStreamSnapshotStore(os);
  }

  async put(campaignId: string, position: number, bytes: Uint8Array): Promise<void> {
    await this.os.putBlob({ name: objectName(campaignId, position) }, bytes);
  }

  async list(campaignId: string): Promise<readonly number[]> {
    const prefix = `${campaignId}/`;
    return (await this.os.list())
      .filter((o) => !o.deleted && o.name.startsWith(prefix) && /^\d+$/.test(o.name.slice(prefix.length)))
      .map((o) => Number(o.name.slice(prefix.length)))
      .sort((a, b) => b - a);
  }

  async get(campaignId: string, position: number): Promise<Uint8Array | undefined> {
    return (await this.os.getBlob(objectName(campaignId, position))) ?? undefined;
  }

  async delete(campaignId: string, position: number): Promise<void> {
    await this.os.delete(objectName(campaignId, position));
  }
}
