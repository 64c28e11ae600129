/**
 * Contract suite of {@link PretrainedStore}: every implementation runs the same checks.
 * `open()` returns two handles on the same backing storage (two workers of a fleet, or one).
 */
import { describe, expect, it } from "vitest";
import type { PretrainedStore } from "../../src/artifacts/index.js";
import type { SerializedWeights } from "../../src/models/serialized-weights.js";

/** Two handles on one backing store, and how to release them. */
export interface StoreHandles {
  readonly a: PretrainedStore;
  readonly b: PretrainedStore;
  close(): Promise<void>;
}

/** Tiny weights whose values identify them. */
export function weightsOf(v: number): SerializedWeights {
  return { tensors: [{ name: "fc/kernel", shape: [2, 2], data: Float32Array.from([v, -v, 0.5, 2]) }], meta: { valAccuracy: 0.75, by: `v${v}` } };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves once `cond()` holds (polling). */
async function until(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 10));
  }
}

let keyCounter = 0;
const freshKey = (): string => `pretrain-contract-${process.pid}-${Date.now()}-${++keyCounter}`;

/** Runs the PretrainedStore contract against `open`. */
export function describePretrainedStoreContract(name: string, open: () => Promise<StoreHandles>): void {
  describe(`PretrainedStore contract: ${name}`, () => {
    const withStores = (fn: (h: StoreHandles) => Promise<void>) => async () => {
      const h = await open();
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    };

    it(
      "round-trips weights and meta; a missing key is undefined",
      withStores(async ({ a, b }) => {
        const key = freshKey();
        expect(await a.get(key)).toBeUndefined();
        await a.put(key, weightsOf(3));
        const got = await b.get(key);
        expect(got?.tensors[0]?.shape).toEqual([2, 2]);
        expect(Array.from(got?.tensors[0]?.data ?? [])).toEqual([3, -3, 0.5, 2]);
        expect(got?.meta).toEqual({ valAccuracy: 0.75, by: "v3" });
      }),
    );

    it(
      "produces a missing key once, then serves it from the store",
      withStores(async ({ a, b }) => {
        const key = freshKey();
        let produced = 0;
        const produce = (): Promise<SerializedWeights> => Promise.resolve(weightsOf(++produced));
        expect(await a.getOrCreate(key, produce)).toMatchObject({ source: "produced" });
        const again = await b.getOrCreate(key, produce);
        expect(again.source).toBe("store");
        expect(again.weights.tensors[0]?.data[0]).toBe(1);
        expect(produced).toBe(1);
      }),
    );

    it(
      "lets exactly one of two concurrent callers produce; the other waits and gets its weights",
      withStores(async ({ a, b }) => {
        const key = freshKey();
        const gate = deferred<SerializedWeights>();
        let produced = 0;
        const produce = (): Promise<SerializedWeights> => {
          produced++;
          return gate.promise;
        };
        const first = a.getOrCreate(key, produce);
        await until(() => produced === 1);
        const second = b.getOrCreate(key, produce);
        await new Promise((r) => setTimeout(r, 150));
        expect(produced).toBe(1);
        gate.resolve(weightsOf(7));
        const [r1, r2] = await Promise.all([first, second]);
        expect(r1.source).toBe("produced");
        expect(r2.source).toBe("waited");
        expect(r2.weights.tensors[0]?.data[0]).toBe(7);
        expect(produced).toBe(1);
      }),
    );

    it(
      "hands the key to a waiter when the producer fails",
      withStores(async ({ a, b }) => {
        const key = freshKey();
        const gate = deferred<SerializedWeights>();
        let firstProducing = false;
        const failing = a.getOrCreate(key, () => {
          firstProducing = true;
          return gate.promise;
        });
        // b must come second: a fixed sleep here let a loaded machine start b first.
        await until(() => firstProducing);
        let secondProduced = false;
        const second = b.getOrCreate(key, () => {
          secondProduced = true;
          return Promise.resolve(weightsOf(9));
        });
        await new Promise((r) => setTimeout(r, 50));
        gate.reject(new Error("pretraining diverged"));
        await expect(failing).rejects.toThrow("pretraining diverged");
        expect(await second).toMatchObject({ source: "produced" });
        expect(secondProduced).toBe(true);
        expect((await a.get(key))?.tensors[0]?.data[0]).toBe(9);
      }),
    );

    it(
      "stops waiting with TrialAbortedError when the waiter's signal aborts",
      withStores(async ({ a, b }) => {
        const key = freshKey();
        const gate = deferred<SerializedWeights>();
        let produced = 0;
        const first = a.getOrCreate(key, () => {
          produced++;
          return gate.promise;
        });
        await until(() => produced === 1);
        const controller = new AbortController();
        const waiting = b.getOrCreate(key, () => Promise.resolve(weightsOf(0)), { signal: controller.signal });
        await new Promise((r) => setTimeout(r, 50));
        controller.abort(new Error("SIGTERM"));
        await expect(waiting).rejects.toMatchObject({ name: "TrialAbortedError" });
        gate.resolve(weightsOf(4));
        expect((await first).source).toBe("produced");
      }),
    );
  });
}
