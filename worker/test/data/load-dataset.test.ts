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
import { npyBytes, pngBytes, writeTree } from "./fixtures.js";

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

describe("test sets and normalisation", () => {
  const req = (over: Partial<Parameters<typeof loadDataset>[0]>): Parameters<typeof loadDataset>[0] => ({
    source: { kind: "synthetic", samples: 10, features: 2, classes: 2 },
    split: { train: 0.8, validation: 0.2, test: 0 },
    seed: 1,
    maxTrainExamples: 0,
    ...over,
  });

  it("uses CIFAR-10's test batch as the test split, the five training batches for train and validation", async () => {
    const dir = await mkdtemp(join(tmpdir(), "prunesweep-cifar-ok-"));
    for (const [i, f] of CIFAR10_FILES.entries()) {
      const b = Buffer.alloc(3073 * 4);
      for (let r = 0; r < 4; r++) b[r * 3073] = f === "test_batch.bin" ? 9 : i; // label byte
      await writeFile(join(dir, f), b);
    }
    clearDatasetCache();
    const ds = await loadDataset(req({ source: { kind: "cifar10", dir }, split: { train: 0.75, validation: 0.25, test: 0 } }));
    expect([ds.nTrain, ds.nVal, ds.nTest]).toEqual([15, 5, 4]);
    expect(Array.from(ds.yTest)).toEqual([9, 9, 9, 9]);
    expect([...ds.yTrain, ...ds.yVal].every((y) => y < 5)).toBe(true);
    await expect(loadDataset(req({ source: { kind: "cifar10", dir }, split: { train: 0.7, validation: 0.1, test: 0.2 } }))).rejects.toThrow(
      /split.test must be 0 when the test set is given \(".*test_batch.bin\)"\), got 0.2/,
    );
  });

  it("takes an explicit test set whole, mapping its class folders to the training set's classes by name", async () => {
    const root = await mkdtemp(join(tmpdir(), "prunesweep-testset-"));
    const img = (v: number) => pngBytes(3, 3, () => [v, v, v]);
    await writeTree(root, {
      "train/ant/1.png": img(0),
      "train/ant/2.png": img(10),
      "train/bee/1.png": img(20),
      "train/bee/2.png": img(30),
      "train/cow/1.png": img(40),
      "train/cow/2.png": img(50),
      // Only two of the classes, in a larger size: resized to the training images' shape.
      "test/bee/1.png": pngBytes(6, 6, () => [30, 30, 30]),
      "test/cow/1.png": pngBytes(6, 6, () => [50, 50, 50]),
    });
    clearDatasetCache();
    const ds = await loadDataset(req({ source: { kind: "images", dir: join(root, "train") }, test: { kind: "images", dir: join(root, "test") }, split: { train: 0.5, validation: 0.5, test: 0 } }));
    expect([ds.nTrain, ds.nVal, ds.nTest]).toEqual([3, 3, 2]);
    expect(ds.numClasses).toBe(3);
    expect(Array.from(ds.yTest)).toEqual([1, 2]); // bee, cow in the training set's numbering
    expect(ds.xTest.length).toBe(2 * 9);
    expect(ds.xTest[0]).toBeCloseTo(30 / 255);
  });

  it("applies scale, then mean and std per channel, to every split", async () => {
    const dir = await mkdtemp(join(tmpdir(), "prunesweep-norm-"));
    await writeTree(dir, {
      "x.npy": npyBytes("|u1", [4, 1, 1, 2], [0, 100, 10, 110, 20, 120, 30, 130]),
      "y.npy": npyBytes("<i8", [4], [0, 1, 0, 1]),
      "tx.npy": npyBytes("|u1", [1, 1, 1, 2], [50, 150]),
      "ty.npy": npyBytes("<i8", [1], [1]),
    });
    const source = { kind: "npy" as const, x: join(dir, "x.npy"), y: join(dir, "y.npy") };
    const test = { kind: "npy" as const, x: join(dir, "tx.npy"), y: join(dir, "ty.npy") };
    clearDatasetCache();
    const ds = await loadDataset(req({ source, test, split: { train: 0.5, validation: 0.5, test: 0 }, normalize: { scale: 1, mean: [10, 100], std: [2, 5] } }));
    expect(Array.from(ds.xTest)).toEqual([(50 - 10) / 2, (150 - 100) / 5]);
    // Without `scale`, the source's own (1/255 for bytes) applies first.
    const own = await loadDataset(req({ source, test, split: { train: 0.5, validation: 0.5, test: 0 }, normalize: { mean: [0.5], std: [0.25] } }));
    expect(own.xTest[0]).toBeCloseTo((50 / 255 - 0.5) / 0.25, 5);
    await expect(loadDataset(req({ source, test, split: { train: 0.5, validation: 0.5, test: 0 }, normalize: { mean: [1, 2, 3], std: [] } }))).rejects.toThrow(
      /task.normalize.mean has 3 values; dataset ".*x.npy" has 2 channels \(examples \[1, 1, 2\]\): give 1 or 2/,
    );
  });

  it.each<[string, Record<string, Buffer | string>, Partial<Parameters<typeof loadDataset>[0]>, RegExp]>([
    [
      "a test set with a class the model cannot output (by name)",
      { "tr/a/1.png": pngBytes(2, 2, () => [1, 1, 1]), "tr/b/1.png": pngBytes(2, 2, () => [2, 2, 2]), "te/zebra/1.png": pngBytes(2, 2, () => [1, 1, 1]) },
      { source: { kind: "images", dir: "tr" }, test: { kind: "images", dir: "te" } },
      /test set ".*te" has class "zebra", which the model cannot output: the training set ".*tr" has the classes a, b/,
    ],
    [
      "a test set with a label the model cannot output (by index)",
      { "x.npy": npyBytes("<f4", [4, 1], [1, 2, 3, 4]), "y.npy": npyBytes("<i8", [4], [0, 1, 0, 1]), "ty.npy": npyBytes("<i8", [1], [2]), "tx.npy": npyBytes("<f4", [1, 1], [1]) },
      { source: { kind: "npy", x: "x.npy", y: "y.npy" }, test: { kind: "npy", x: "tx.npy", y: "ty.npy" } },
      /test set ".*tx.npy": label 2 of example 0 is out of range: the model outputs 2 classes \(0..1\)/,
    ],
    [
      "a test set of another shape",
      { "x.npy": npyBytes("<f4", [2, 2], [1, 2, 3, 4]), "y.npy": npyBytes("<i8", [2], [0, 1]), "ty.npy": npyBytes("<i8", [1], [0]), "tx.npy": npyBytes("<f4", [1, 3], [1, 2, 3]) },
      { source: { kind: "npy", x: "x.npy", y: "y.npy" }, test: { kind: "npy", x: "tx.npy", y: "ty.npy" } },
      /test set ".*tx.npy" has examples of shape \[3\], but the training set ".*x.npy" has \[2\]/,
    ],
    [
      "labels beyond the model's classes",
      { "x.npy": npyBytes("<f4", [2, 1], [1, 2]), "y.npy": npyBytes("<i8", [2], [0, 4]) },
      { source: { kind: "npy", x: "x.npy", y: "y.npy" }, split: { train: 0.5, validation: 0, test: 0.5 }, numClasses: 3 },
      /dataset ".*x.npy": label 4 of example 1 is out of range: the model outputs 3 classes/,
    ],
    [
      "examples of another shape than the model's input",
      { "x.npy": npyBytes("<f4", [2, 1], [1, 2]), "y.npy": npyBytes("<i8", [2], [0, 1]) },
      { source: { kind: "npy", x: "x.npy", y: "y.npy" }, split: { train: 0.5, validation: 0, test: 0.5 }, inputShape: [4] },
      /dataset ".*x.npy" has examples of shape \[1\], but the model takes \[4\]/,
    ],
  ])("rejects %s, naming the files", async (_what, files, over, message) => {
    const root = await mkdtemp(join(tmpdir(), "prunesweep-bad-test-"));
    await writeTree(root, files);
    const abs = <T extends object>(s: T | undefined): T | undefined =>
      s && (Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === "kind" || typeof v !== "string" ? v : join(root, v)])) as T);
    clearDatasetCache();
    const err: unknown = await loadDataset(req({ split: { train: 0.5, validation: 0.5, test: 0 }, ...over, source: abs(over.source) ?? req({}).source, ...(over.test && { test: abs(over.test) }) })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(message);
    expect(isRetryable(err)).toBe(false);
  });
});
