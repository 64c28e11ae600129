import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CIFAR10_FILES, loadCifar10 } from "../../src/data/cifar10.js";
import { loadIdx } from "../../src/data/idx.js";
import { clearDatasetCache, loadDataset, splitExamples } from "../../src/data/load-dataset.js";
import { Rng } from "../../src/data/rng.js";
import { generateSynthetic } from "../../src/data/synthetic.js";
import { DatasetError, isRetryable } from "../../src/errors.js";

const split = { train: 0.6, validation: 0.2, test: 0.2 };

function idxImages(count: number, rows: number, cols: number): Buffer {
  const b = Buffer.alloc(16 + count * rows * cols);
  b.writeUInt32BE(2051, 0);
  b.writeUInt32BE(count, 4);
  b.writeUInt32BE(rows, 8);
  b.writeUInt32BE(cols, 12);
  for (let i = 0; i < count * rows * cols; i++) b[16 + i] = i % 256;
  return b;
}

function idxLabels(count: number): Buffer {
  const b = Buffer.alloc(8 + count);
  b.writeUInt32BE(2049, 0);
  b.writeUInt32BE(count, 4);
  for (let i = 0; i < count; i++) b[8 + i] = i % 10;
  return b;
}

describe("Rng", () => {
  it("repeats a stream for the same seed and differs for another", () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const c = new Rng(2);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
    expect(sa.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe("splitExamples", () => {
  const raw = generateSynthetic({ samples: 200, features: 4, classes: 2, seed: 3 });

  it("gives the same split for the same seed and a different one for another seed", () => {
    const a = splitExamples(raw, split, 11, 0);
    const b = splitExamples(raw, split, 11, 0);
    const c = splitExamples(raw, split, 12, 0);
    expect(a.nTrain).toBe(120);
    expect(a.nVal).toBe(40);
    expect(a.nTest).toBe(40);
    expect(Array.from(b.xTrain)).toEqual(Array.from(a.xTrain));
    expect(Array.from(b.yTest)).toEqual(Array.from(a.yTest));
    expect(Array.from(c.xTrain)).not.toEqual(Array.from(a.xTrain));
  });

  it("caps the training set without changing validation and test", () => {
    const full = splitExamples(raw, split, 11, 0);
    const capped = splitExamples(raw, split, 11, 50);
    expect(capped.nTrain).toBe(50);
    expect(Array.from(capped.xTrain)).toEqual(Array.from(full.xTrain.subarray(0, 50 * 4)));
    expect(Array.from(capped.xVal)).toEqual(Array.from(full.xVal));
  });
});

describe("loadDataset", () => {
  it("loads the builtin mnist digits deterministically, pixels in [0, 1]", async () => {
    clearDatasetCache();
    const ds = await loadDataset({ source: { kind: "builtin", name: "mnist" }, split: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 1, maxTrainExamples: 0 });
    expect([ds.nTrain, ds.nVal, ds.nTest]).toEqual([7000, 1000, 2000]);
    expect(ds.inputShape).toEqual([28, 28, 1]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of ds.xTest) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    const counts = new Array<number>(10).fill(0);
    for (const y of ds.yTrain) counts[y] = (counts[y] ?? 0) + 1;
    expect(counts.every((c) => c > 500)).toBe(true);
    // Cached: the same object comes back.
    const again = await loadDataset({ source: { kind: "builtin", name: "mnist" }, split: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 1, maxTrainExamples: 0 });
    expect(again).toBe(ds);
  });

  it("rejects split fractions that sum to more than 1", async () => {
    await expect(
      loadDataset({ source: { kind: "synthetic", samples: 10, features: 2, classes: 2 }, split: { train: 0.8, validation: 0.2, test: 0.2 }, seed: 1, maxTrainExamples: 0 }),
    ).rejects.toThrow(/sum to/);
  });
});

describe("IDX and CIFAR-10 loaders", () => {
  it("throws a non-retryable DatasetError naming a missing IDX file", async () => {
    const missing = join(tmpdir(), "prunesweep-no-such-dir", "train-images-idx3-ubyte");
    const err: unknown = await loadIdx(missing, missing + "-labels").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toContain(missing);
    expect(isRetryable(err)).toBe(false);
  });

  it("parses IDX files (plain and gzipped) and rejects a bad magic", async () => {
    const dir = await mkdtemp(join(tmpdir(), "prunesweep-idx-"));
    await writeFile(join(dir, "img"), idxImages(12, 3, 2));
    await writeFile(join(dir, "lbl.gz"), gzipSync(idxLabels(12)));
    const raw = await loadIdx(join(dir, "img"), join(dir, "lbl.gz"));
    expect(raw.count).toBe(12);
    expect(raw.inputShape).toEqual([3, 2, 1]);
    expect(raw.numClasses).toBe(10);
    expect(Array.from(raw.y.subarray(0, 3))).toEqual([0, 1, 2]);
    await writeFile(join(dir, "bad"), idxLabels(12));
    await expect(loadIdx(join(dir, "bad"), join(dir, "lbl.gz"))).rejects.toThrow(/magic 2049, expected 2051/);
  });

  it("throws a DatasetError naming the first missing CIFAR-10 batch, in file order", async () => {
    const dir = await mkdtemp(join(tmpdir(), "prunesweep-cifar-"));
    const all: unknown = await loadCifar10(dir).catch((e: unknown) => e);
    expect(all).toBeInstanceOf(DatasetError);
    expect((all as Error).message).toBe(`cannot read dataset file "${join(dir, "data_batch_1.bin")}" (ENOENT)`);
    // Batches 2 and 5 missing: always batch 2, whichever read fails first.
    for (const f of CIFAR10_FILES) if (f !== "data_batch_2.bin" && f !== "data_batch_5.bin") await writeFile(join(dir, f), Buffer.alloc(3073));
    for (let i = 0; i < 5; i++) await expect(loadCifar10(dir)).rejects.toThrow(`"${join(dir, "data_batch_2.bin")}"`);
  });

  it("names the image file when both IDX files are missing", async () => {
    const missing = join(tmpdir(), "prunesweep-no-such-dir");
    await expect(loadIdx(join(missing, "images"), join(missing, "labels"))).rejects.toThrow(`"${join(missing, "images")}"`);
  });
});
