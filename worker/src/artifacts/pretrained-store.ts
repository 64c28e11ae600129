/**
 * Where pretrained dense weights are shared. The dense pretraining of a task is the same for
 * every trial with the same {@link pretrainKey}, so it should run once per key across the
 * whole fleet: a trial calls {@link PretrainedStore.getOrCreate}, which returns the stored
 * weights, or lets exactly one caller produce them ("claim") while the others wait and then
 * read them.
 *
 * Implementations: {@link InMemoryPretrainedStore} (one process) and, in the transport layer,
 * `NatsPretrainedStore` (a JetStream object store plus a KV claim; every worker of a fleet).
 * Wrap a remote store in {@link CachedPretrainedStore} to download each key once per process.
 */
import { TrialAbortedError, throwIfAborted } from "../errors.js";
import type { SerializedWeights } from "../models/serialized-weights.js";

/** How {@link PretrainedStore.getOrCreate} obtained the weights. */
export type PretrainedSource =
  /** They were already stored. */
  | "store"
  /** This caller held the claim and produced (trained) them. */
  | "produced"
  /** Another caller was producing them; this one waited and then read them. */
  | "waited";

/** The answer of {@link PretrainedStore.getOrCreate}. */
export interface PretrainedResult {
  readonly weights: SerializedWeights;
  readonly source: PretrainedSource;
}

/** Options of {@link PretrainedStore.getOrCreate}. */
export interface GetOrCreateOptions {
  /** Aborts waiting (TrialAbortedError); `produce` should watch the same signal. */
  readonly signal?: AbortSignal;
  /** Structured log line (claims, waits, take-overs). */
  readonly log?: (message: string, fields?: Readonly<Record<string, unknown>>) => void;
}

/** Produces the weights of a key (pretrains the dense model). */
export type ProduceWeights = () => Promise<SerializedWeights>;

/** Storage of pretrained weights by {@link pretrainKey}. */
export interface PretrainedStore {
  /** The weights stored under `key`, or undefined when there are none (or they are unreadable). */
  get(key: string): Promise<SerializedWeights | undefined>;
  /** Stores weights under `key` (last write wins; all writers produce equivalent weights). */
  put(key: string, weights: SerializedWeights): Promise<void>;
  /**
   * Claim or wait: the weights under `key`; when there are none, exactly one caller among all
   * sharing the store runs `produce` and stores the result while the others wait for it. When
   * the producer fails, aborts or dies, a waiter takes over and produces them itself.
   * @throws whatever `produce` throws (after releasing the claim); TrialAbortedError when
   *   `opts.signal` aborts while waiting
   */
  getOrCreate(key: string, produce: ProduceWeights, opts?: GetOrCreateOptions): Promise<PretrainedResult>;
}

/** Rejects with TrialAbortedError when `signal` aborts before `p` settles. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      try {
        throwIfAborted(signal);
      } catch (err) {
        reject(err instanceof Error ? err : new TrialAbortedError("aborted"));
      }
    };
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * A per-process store in a Map. Concurrent `getOrCreate` calls for one key share one
 * `produce` run; when that run fails, the next caller produces again.
 */
export class InMemoryPretrainedStore implements PretrainedStore {
  private readonly entries = new Map<string, SerializedWeights>();
  private readonly inflight = new Map<string, Promise<SerializedWeights>>();

  get(key: string): Promise<SerializedWeights | undefined> {
    return Promise.resolve(this.entries.get(key));
  }

  put(key: string, weights: SerializedWeights): Promise<void> {
    this.entries.set(key, weights);
    return Promise.resolve();
  }

  async getOrCreate(key: string, produce: ProduceWeights, opts: GetOrCreateOptions = {}): Promise<PretrainedResult> {
    let waited = false;
    for (;;) {
      throwIfAborted(opts.signal);
      const hit = this.entries.get(key);
      if (hit) return { weights: hit, source: waited ? "waited" : "store" };
      const running = this.inflight.get(key);
      if (!running) break;
      waited = true;
      opts.log?.("pretrained weights are being produced by another trial; waiting", { key });
      // A failed producer lets the loop claim the key itself.
      await abortable(running, opts.signal).catch((err: unknown) => {
        if (opts.signal?.aborted) throw err;
      });
    }
    const p = produce().then((w) => {
      this.entries.set(key, w);
      return w;
    });
    this.inflight.set(key, p);
    try {
      return { weights: await p, source: "produced" };
    } finally {
      if (this.inflight.get(key) === p) this.inflight.delete(key);
    }
  }

  /** Number of stored keys. */
  get size(): number {
    return this.entries.size;
  }
}

/**
 * A read-through, write-through in-memory cache in front of another store (one download per
 * key per process). Only hits are cached; a miss asks the inner store again next time.
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

  async getOrCreate(key: string, produce: ProduceWeights, opts?: GetOrCreateOptions): Promise<PretrainedResult> {
    const hit = this.cache.get(key);
    if (hit) return { weights: hit, source: "store" };
    const r = await this.inner.getOrCreate(key, produce, opts);
    this.cache.set(key, r.weights);
    return r;
  }
}
