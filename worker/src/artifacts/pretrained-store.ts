/**
 * Where pretrained dense weights are shared. A worker that needs weights for a key first asks
 * the store; on a miss it pretrains and `put`s them, so pruning trials never repeat
 * pretraining. Implementations: {@link InMemoryPretrainedStore} (per process) and, from the
 * transport layer, a JetStream object-store one; wrap a remote store in
 * {@link CachedPretrainedStore} to download each key once per process.
 */
import type { SerializedWeights } from "../models/serialized-weights.js";

/** Storage of pretrained weights by {@link pretrainKey}. */
export interface PretrainedStore {
  /** The weights stored under `key`, or undefined when there are none. */
  get(key: string): Promise<SerializedWeights | undefined>;
  /** Stores weights under `key` (last write wins; all writers produce equivalent weights). */
  put(key: string, weights: SerializedWeights): Promise<void>;
}

/** A per-process store in a Map. */
export class InMemoryPretrainedStore implements PretrainedStore {
  private readonly entries = new Map<string, SerializedWeights>();

  get(key: string): Promise<SerializedWeights | undefined> {
    return Promise.resolve(this.entries.get(key));
  }

  put(key: string, weights: SerializedWeights): Promise<void> {
    this.entries.set(key, weights);
    return Promise.resolve();
  }

  /** Number of stored keys. */
  get size(): number {
    return this.entries.size;
  }
}

/**
 * A read-through, write-through in-memory cache in front of another store.
 * Only hits are cached; a miss asks the inner store again next time.
 */
export class CachedPretrainedStore implements PretrainedStore {
  private readonly cache = new Map<string, SerializedWeights>();

  constructor(private readonly inner: PretrainedStore) {}

  async get(key: string): Promise<SerializedWeights | undefined> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const w = await this.inner.get(key);
    if (w) this.cache.set(key, w);
    return w;
  }

  async put(key: string, weights: SerializedWeights): Promise<void> {
    this.cache.set(key, weights);
    await this.inner.put(key, weights);
  }
}
