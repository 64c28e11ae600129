/** Opening the JetStream object stores the worker shares with the fleet (artifacts, checkpoints). */
import { jetstream, StorageType } from "@nats-io/jetstream";
import { Objm, type ObjectStore } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { createWithReplicas, useNativeObjectStoreDigests } from "@prunesweep/proto";
import { decodeWeights } from "../artifacts/weights-codec.js";
import { NatsSetupError } from "../errors.js";
import type { SerializedWeights } from "../models/serialized-weights.js";

/** Settings of an object store created by {@link openObjectStore}. */
export interface ObjectStoreSettings {
  readonly bucket: string;
  /** Replicas when it is created (--nats-replicas). */
  readonly replicas: number;
  readonly description: string;
  /** Objects older than this are dropped by the server (0: never). @default 0 */
  readonly ttlMs?: number;
}

/**
 * Creates (or opens) a file-backed object store.
 * @throws NatsSetupError when the cluster cannot hold `replicas` replicas
 */
export function openObjectStore(nc: NatsConnection, s: ObjectStoreSettings): Promise<ObjectStore> {
  useNativeObjectStoreDigests();
  return createWithReplicas(
    `object store ${s.bucket}`,
    s.replicas,
    () =>
      new Objm(jetstream(nc)).create(s.bucket, {
        storage: StorageType.File,
        replicas: s.replicas,
        description: s.description,
        ...(s.ttlMs !== undefined && s.ttlMs > 0 && { ttl: s.ttlMs * 1_000_000 }),
      }),
    (message, cause) => new NatsSetupError(message, { cause }),
  );
}

/** `open` run once and shared; after a failure, the next call runs it again. */
export function retryingOnce<T>(open: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending) return pending;
    const p = open();
    pending = p;
    p.catch(() => {
      if (pending === p) pending = undefined;
    });
    return p;
  };
}

/** The weights stored as `name` (PSW1), or undefined when absent or unreadable (`unreadable` is told why). */
export async function readWeights(os: ObjectStore, name: string, unreadable: (error: string) => void): Promise<SerializedWeights | undefined> {
  const bytes = await os.getBlob(name);
  if (!bytes) return undefined;
  try {
    return decodeWeights(bytes);
  } catch (err) {
    unreadable(err instanceof Error ? err.message : String(err));
    return undefined;
  }
}
