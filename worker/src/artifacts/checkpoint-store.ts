/**
 * Where trial checkpoints are kept: objects named `<campaignId>/<trialId>/<part>` holding
 * {@link SerializedWeights} (see `checkpoint-codec.ts`). Implementations:
 * {@link InMemoryCheckpointStore} (one process, tests) and, in the transport layer,
 * `NatsCheckpointStore` (a JetStream object store shared by the fleet, so that another worker
 * resumes a trial whose worker died).
 */
import type { SerializedWeights } from "../models/serialized-weights.js";

/** Storage of trial checkpoints by object name. */
export interface CheckpointStore {
  /** The object `name`, or undefined when there is none (or it is unreadable). */
  get(name: string): Promise<SerializedWeights | undefined>;
  /** Writes (replaces) the object `name`. */
  put(name: string, weights: SerializedWeights): Promise<void>;
  /** Deletes every object whose name starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
}

/** A per-process {@link CheckpointStore} in a Map. */
export class InMemoryCheckpointStore implements CheckpointStore {
  readonly objects = new Map<string, SerializedWeights>();

  get(name: string): Promise<SerializedWeights | undefined> {
    return Promise.resolve(this.objects.get(name));
  }

  put(name: string, weights: SerializedWeights): Promise<void> {
    this.objects.set(name, weights);
    return Promise.resolve();
  }

  deletePrefix(prefix: string): Promise<void> {
    for (const k of [...this.objects.keys()]) if (k.startsWith(prefix)) this.objects.delete(k);
    return Promise.resolve();
  }
}
