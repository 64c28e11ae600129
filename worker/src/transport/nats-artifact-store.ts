/**
 * Pretrained dense weights shared by every worker of a fleet: a JetStream object store
 * (bucket {@link ARTIFACTS_BUCKET}, file storage) holds the weights under their pretrain key;
 * a KV bucket ({@link ARTIFACT_CLAIMS_BUCKET}) holds the claims that make "train it once" hold.
 *
 * Claim protocol of {@link NatsPretrainedStore.getOrCreate} (server 2.9 features only):
 * 1. the object exists → download it;
 * 2. else `kv.create(key)` (atomic; fails when the key exists): the winner checks the object
 *    once more (a producer may have just finished), trains, refreshes the claim every
 *    `refreshMs` by compare-and-set `kv.update` while training, uploads, then deletes the claim
 *    (compare-and-set, so it never deletes a claim someone else took over);
 * 3. the others look again at every change of the claim (a KV watch: the producer deletes it
 *    right after uploading) and at least every `pollMs`: the object appears → download it; the claim disappears
 *    (the producer failed or aborted and released it) → go to 2; the claim's revision has not
 *    changed for `claimTtlMs` of the waiter's own clock (its producer died: no refreshes, no
 *    clock skew involved) → take it over with a compare-and-set `kv.update` and train;
 * 4. after `waitTimeoutMs` of waiting a worker trains locally without a claim (last write wins;
 *    all producers write equivalent weights).
 *
 * Wrap it in `CachedPretrainedStore` to download each key once per process.
 */
import { jetstream, JetStreamApiCodes, JetStreamApiError, StorageType } from "@nats-io/jetstream";
import { Kvm, KvWatchInclude, type KV } from "@nats-io/kv";
import type { ObjectStore } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { ARTIFACT_CLAIMS_BUCKET, ARTIFACTS_BUCKET, createWithReplicas, DEFAULT_NATS_REPLICAS, type Logger } from "@prunesweep/proto";
import { encodeWeights } from "../artifacts/index.js";
import type { GetOrCreateOptions, PretrainedResult, PretrainedStore, ProduceWeights } from "../artifacts/index.js";
import { NatsSetupError, throwIfAborted } from "../errors.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import { openObjectStore, putWeightsBytes, readWeights, retryingOnce } from "./object-store.js";

/** Defaults of {@link NatsArtifactStoreOptions}. */
export const DEFAULT_ARTIFACT_STORE_OPTIONS = {
  claimTtlMs: 60_000, // 1 minute without a refresh: the producer is presumed dead
  refreshMs: 10_000, // 10 seconds
  pollMs: 500,
  waitTimeoutMs: 2 * 60 * 60 * 1000, // 2 hours
  replicas: DEFAULT_NATS_REPLICAS,
} as const;

/** Options of {@link NatsPretrainedStore}. */
export interface NatsArtifactStoreOptions {
  /** Written into claims (logs, debugging): the worker id. */
  readonly owner: string;
  /** @default ARTIFACTS_BUCKET */
  readonly bucket?: string;
  /** @default ARTIFACT_CLAIMS_BUCKET */
  readonly claimsBucket?: string;
  /** A claim whose revision stays unchanged this long is stale. @default 60000 */
  readonly claimTtlMs?: number;
  /** Claim refresh period while producing; keep well under `claimTtlMs`. @default 10000 */
  readonly refreshMs?: number;
  /** Poll period while waiting. @default 500 */
  readonly pollMs?: number;
  /** Give up waiting and produce locally after this long. @default 2 hours */
  readonly waitTimeoutMs?: number;
  /** Replicas of both buckets when they are created (--nats-replicas; 3 in a cluster). @default 1 */
  readonly replicas?: number;
  readonly log?: Logger;
}

interface Buckets {
  readonly os: ObjectStore;
  readonly kv: KV;
}

/** Wakes a waiter at the next change of one KV key. */
interface KeyWatch {
  /** Resolves at the next change since the last call (at once if one came meanwhile), after `ms`, or on abort. */
  wait(ms: number, signal: AbortSignal | undefined): Promise<void>;
  stop(): void;
}

/** A {@link KeyWatch} on `key`; undefined when the watch cannot be set up (then the poll alone wakes). */
async function watchKey(kv: KV, key: string): Promise<KeyWatch | undefined> {
  const updates = await kv.watch({ key, include: KvWatchInclude.UpdatesOnly }).catch(() => undefined);
  if (!updates) return undefined;
  let changed = false;
  let wake: (() => void) | undefined;
  void (async () => {
    for await (const _ of updates) {
      changed = true;
      wake?.();
    }
  })().catch(() => undefined);
  return {
    wait: async (ms, signal) => {
      if (!changed) await sleep(ms, signal, (done) => (wake = done));
      wake = undefined;
      changed = false;
    },
    stop: () => updates.stop(),
  };
}

/** Resolves after `ms`, on abort, or when the function handed to `waker` is called. */
function sleep(ms: number, signal: AbortSignal | undefined, waker?: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
    waker?.(done);
  });
}

/** A {@link PretrainedStore} over a JetStream object store with KV claims. */
export class NatsPretrainedStore implements PretrainedStore {
  private readonly o: Required<Omit<NatsArtifactStoreOptions, "log">>;
  private readonly log: Logger | undefined;
  /** Creates (or opens) both buckets; retried on the next call after a failure. */
  private readonly open: () => Promise<Buckets>;

  constructor(
    private readonly nc: NatsConnection,
    opts: NatsArtifactStoreOptions,
  ) {
    this.o = {
      bucket: ARTIFACTS_BUCKET,
      claimsBucket: ARTIFACT_CLAIMS_BUCKET,
      ...DEFAULT_ARTIFACT_STORE_OPTIONS,
      ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && k !== "log")),
    } as Required<Omit<NatsArtifactStoreOptions, "log">>;
    this.log = opts.log;
    this.open = retryingOnce(async () => {
      const { bucket, claimsBucket, replicas } = this.o;
      const os = await openObjectStore(this.nc, { bucket, replicas, description: "prunesweep pretrained weights" });
      const kv = await createWithReplicas(
        `KV bucket ${claimsBucket}`,
        replicas,
        () => new Kvm(jetstream(this.nc)).create(claimsBucket, { storage: StorageType.File, replicas, history: 1 }),
        (message, cause) => new NatsSetupError(message, { cause }),
      );
      return { os, kv };
    });
  }

  /**
   * Creates (or opens) both buckets now.
   * @throws NatsSetupError when the cluster cannot hold `replicas` replicas.
   */
  async ready(): Promise<void> {
    await this.open();
  }

  async get(key: string): Promise<SerializedWeights | undefined> {
    const { os } = await this.open();
    return readWeights(os, key, (error) => this.log?.warn("stored pretrained weights are unreadable; ignoring them", { key, error }));
  }

  async put(key: string, weights: SerializedWeights): Promise<void> {
    const { os } = await this.open();
    await putWeightsBytes(this.nc, os, key, "pretrained dense weights (PSW1)", encodeWeights(weights));
  }

  async getOrCreate(key: string, produce: ProduceWeights, opts: GetOrCreateOptions = {}): Promise<PretrainedResult> {
    const { kv, os } = await this.open();
    const log = opts.log ?? ((m: string, f?: Readonly<Record<string, unknown>>) => this.log?.debug(m, f));
    const deadline = Date.now() + this.o.waitTimeoutMs;
    let waited = false;
    let seen: { revision: number; since: number } | undefined;
    /** Set up at the first wait; undefined: unavailable (the poll alone wakes). */
    let watch: KeyWatch | undefined | null = null;
    try {
      for (;;) {
        throwIfAborted(opts.signal);
        if (await os.info(key)) {
          const w = await this.get(key);
          if (w) return { weights: w, source: waited ? "waited" : "store" };
        }
        const claimed = await this.tryCreateClaim(kv, key);
        if (claimed !== undefined) {
          // A producer may have uploaded and released between our check and our claim.
          const w = await this.get(key);
          if (w) {
            await kv.delete(key, { previousSeq: claimed }).catch(() => undefined);
            return { weights: w, source: waited ? "waited" : "store" };
          }
          log("claimed pretraining", { key, owner: this.o.owner });
          return { weights: await this.produceClaimed(kv, key, claimed, produce), source: "produced" };
        }
        const entry = await kv.get(key);
        if (entry && entry.operation === "PUT") {
          if (!seen || seen.revision !== entry.revision) {
            if (!seen) log("pretraining claimed by another worker; waiting", { key, claim: entry.string() });
            seen = { revision: entry.revision, since: Date.now() };
          } else if (Date.now() - seen.since >= this.o.claimTtlMs) {
            const rev = await kv.update(key, this.claimValue(), entry.revision).catch(() => undefined);
            if (rev !== undefined) {
              log("took over a stale pretraining claim", { key, staleClaim: entry.string(), staleForMs: Date.now() - seen.since });
              return { weights: await this.produceClaimed(kv, key, rev, produce), source: "produced" };
            }
            seen = undefined; // someone else took it over first
          }
        } else {
          seen = undefined; // released: try to claim at once
          continue;
        }
        waited = true;
        if (Date.now() >= deadline) {
          log("gave up waiting for pretrained weights; pretraining without a claim", { key, waitedMs: this.o.waitTimeoutMs });
          const w = await produce();
          await this.putQuietly(key, w);
          return { weights: w, source: "produced" };
        }
        if (watch === null) watch = await watchKey(kv, key);
        await (watch ? watch.wait(this.o.pollMs, opts.signal) : sleep(this.o.pollMs, opts.signal));
      }
    } finally {
      watch?.stop();
    }
  }

  private claimValue(): string {
    return JSON.stringify({ owner: this.o.owner, pid: process.pid, at: new Date().toISOString() });
  }

  /** The claim's revision, or undefined when the key is already claimed. */
  private async tryCreateClaim(kv: KV, key: string): Promise<number | undefined> {
    try {
      return await kv.create(key, this.claimValue());
    } catch (err) {
      // "wrong last sequence": somebody holds the claim. Anything else is a real failure.
      const code = err instanceof JetStreamApiError ? err.code : undefined;
      if (code === JetStreamApiCodes.StreamWrongLastSequence || code === JetStreamApiCodes.StreamWrongLastSequenceUnknown) return undefined;
      throw err;
    }
  }

  private async putQuietly(key: string, w: SerializedWeights): Promise<void> {
    try {
      await this.put(key, w);
    } catch (err) {
      this.log?.warn("uploading pretrained weights failed; continuing", { key, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Produces while keeping the claim fresh; uploads, then releases the claim (also on failure). */
  private async produceClaimed(kv: KV, key: string, revision: number, produce: ProduceWeights): Promise<SerializedWeights> {
    let rev = revision;
    let refreshing: Promise<void> | undefined;
    const timer = setInterval(() => {
      refreshing ??= kv
        .update(key, this.claimValue(), rev)
        .then((r) => {
          rev = r;
        })
        .catch((err: unknown) => {
          this.log?.warn("could not refresh the pretraining claim (taken over?)", { key, error: err instanceof Error ? err.message : String(err) });
        })
        .finally(() => {
          refreshing = undefined;
        });
    }, this.o.refreshMs);
    try {
      const w = await produce();
      await this.putQuietly(key, w);
      return w;
    } finally {
      clearInterval(timer);
      await refreshing;
      await kv.delete(key, { previousSeq: rev }).catch(() => undefined);
    }
  }
}
