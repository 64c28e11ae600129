import { describe, expect, it } from "vitest";
import { CachedPretrainedStore, InMemoryPretrainedStore, type PretrainedStore } from "../../src/artifacts/index.js";
import { describePretrainedStoreContract, weightsOf } from "./pretrained-store-contract.js";

describePretrainedStoreContract("InMemoryPretrainedStore", () => {
  const s = new InMemoryPretrainedStore();
  return Promise.resolve({ a: s, b: s, close: () => Promise.resolve() });
});

describePretrainedStoreContract("CachedPretrainedStore over one InMemoryPretrainedStore", () => {
  const inner = new InMemoryPretrainedStore();
  return Promise.resolve({ a: new CachedPretrainedStore(inner), b: new CachedPretrainedStore(inner), close: () => Promise.resolve() });
});

describe("CachedPretrainedStore", () => {
  it("downloads a key once per process", async () => {
    let gets = 0;
    const inner = new InMemoryPretrainedStore();
    const counting: PretrainedStore = {
      get: (k) => {
        gets++;
        return inner.get(k);
      },
      put: (k, w) => inner.put(k, w),
      getOrCreate: (k, p, o) => {
        gets++;
        return inner.getOrCreate(k, p, o);
      },
    };
    await inner.put("k", weightsOf(1));
    const cached = new CachedPretrainedStore(counting);
    expect((await cached.getOrCreate("k", () => Promise.reject(new Error("no")))).source).toBe("store");
    expect((await cached.getOrCreate("k", () => Promise.reject(new Error("no")))).source).toBe("store");
    expect(await cached.get("k")).toBeDefined();
    expect(gets).toBe(1);
  });
});
