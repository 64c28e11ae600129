/**
 * Trial checkpoints in a JetStream object store (bucket {@link CHECKPOINTS_BUCKET}, file
 * storage, `--nats-replicas` replicas), shared by every worker of a fleet: the worker that
 * gets a redelivered trial reads what the one that died wrote. Objects older than
 * {@link CHECKPOINT_TTL_MS} are dropped by the server, so that the checkpoints of trials that
 * never ended (campaign cancelled, retries exhausted) do not stay forever.
 */
import type { ObjectStore } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { CHECKPOINTS_BUCKET, DEFAULT_NATS_REPLICAS, type Logger } from "@prunesweep/proto";
import type { CheckpointStore } from "../artifacts/checkpoint-store.js";
import { encodeWeights } from "../artifacts/weights-codec.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import { openObjectStore, putWeightsBytes, readWeights, retryingOnce } from "./object-store.js";

/** Age at which the server drops a checkpoint object: 7 days. */
export const CHECKPOINT_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Options of {@link NatsCheckpointStore}. */
export interface NatsCheckpointStoreOptions {
  /** @default CHECKPOINTS_BUCKET */
  readonly bucket?: string;
  /** Replicas of the bucket when it is created (--nats-replicas). @default 1 */
  readonly replicas?: number;
  readonly log?: Logger;
}

/** A {@link CheckpointStore} over a JetStream object store; objects are PSW1 bytes (`weights-codec.ts`). */
export class NatsCheckpointStore implements CheckpointStore {
  private readonly open: () => Promise<ObjectStore>;
  private readonly log: Logger | undefined;

  constructor(
    private readonly nc: NatsConnection,
    opts: NatsCheckpointStoreOptions = {},
  ) {
    this.log = opts.log;
    const settings = { bucket: opts.bucket ?? CHECKPOINTS_BUCKET, replicas: opts.replicas ?? DEFAULT_NATS_REPLICAS, description: "prunesweep trial checkpoints", ttlMs: CHECKPOINT_TTL_MS };
    this.open = retryingOnce(() => openObjectStore(nc, settings));
  }

  /**
   * Creates (or opens) the bucket now.
   * @throws NatsSetupError when the cluster cannot hold the replicas
   */
  async ready(): Promise<void> {
    await this.open();
  }

  async get(name: string): Promise<SerializedWeights | undefined> {
    return readWeights(await this.open(), name, (error) => this.log?.warn("checkpoint object unreadable; ignoring it", { name, error }));
  }

  async put(name: string, weights: SerializedWeights): Promise<void> {
    await putWeightsBytes(this.nc, await this.open(), name, "trial checkpoint (PSW1)", encodeWeights(weights));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const os = await this.open();
    for (const info of await os.list()) {
      if (!info.deleted && info.name.startsWith(prefix)) await os.delete(info.name);
    }
  }
}
