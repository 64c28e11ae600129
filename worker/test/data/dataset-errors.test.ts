/**
 * A missing or corrupt dataset file fails the trial end to end (through runTrial) as a
 * non-retryable DatasetError whose message names the file, before any training.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import { CIFAR10_FILES } from "../../src/data/cifar10.js";
import { clearDatasetCache } from "../../src/data/load-dataset.js";
import type { DatasetSource, WorkerTask } from "../../src/trial/types.js";
import { runTrial } from "../../src/trial/run-trial.js";
import { fakeHooks, syntheticTask, trialRequest } from "../helpers.js";
import { npyBytes, pngBytes, writeTree } from "./fixtures.js";

let dir: string;

function idxHeader(magic: number, dims: number[], payload: number): Buffer {
  const b = Buffer.alloc(4 + dims.length * 4 + payload);
  b.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 + i * 4));
  return b;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "prunesweep-bad-data-"));
  await writeFile(join(dir, "images"), idxHeader(2051, [20, 4, 4], 20 * 16));
  await writeFile(join(dir, "labels"), idxHeader(2049, [20], 20));
  await writeFile(join(dir, "images-bad-magic"), idxHeader(2049, [20, 4, 4], 20 * 16));
  await writeFile(join(dir, "images-truncated"), idxHeader(2051, [20, 4, 4], 100));
  await writeFile(join(dir, "labels-truncated"), idxHeader(2049, [20], 5));
  await writeFile(join(dir, "labels-short"), Buffer.from([0, 0]));
  await writeFile(join(dir, "images-bad.gz"), gzipSync(idxHeader(2051, [20, 4, 4], 320)).subarray(0, 20));
  for (const sub of ["cifar-bad", "cifar-missing"]) {
    const d = join(dir, sub);
    await mkdir(d);
    for (const f of CIFAR10_FILES) if (sub === "cifar-bad" || f !== "data_batch_3.bin") await writeFile(join(d, f), Buffer.alloc(3073 * 2));
  }
  await writeFile(join(dir, "cifar-bad", "data_batch_4.bin"), Buffer.alloc(3073 * 2 + 7));
  const px = (v: number) => pngBytes(2, 2, () => [v, v, v]);
  await writeTree(dir, {
    "img-empty/a/1.png": px(1),
    "img-empty/b/notes.txt": "no images here",
    "img-corrupt/a/1.png": px(1),
    "img-corrupt/b/1.png": px(2).subarray(0, 24),
    "img-sizes/a/1.png": px(1),
    "img-sizes/b/1.png": pngBytes(3, 2, () => [1, 1, 1]),
    "img-ok/a/1.png": px(1),
    "img-ok/a/2.png": px(2),
    "img-ok/b/1.png": px(3),
    "img-ok/b/2.png": px(4),
    "img-test/zebra/1.png": px(1),
    "x.npy": npyBytes("<f4", [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
    "y.npy": npyBytes("<i8", [4], [0, 1, 0, 1]),
    "y-short.npy": npyBytes("<i8", [3], [0, 1, 0]),
    "y-negative.npy": npyBytes("<i8", [4], [0, -3, 0, 1]),
    "ty.npy": npyBytes("<i8", [1], [5]),
    "tx.npy": npyBytes("<f4", [1, 2], [1, 2]),
  });
});

describe("dataset files that cannot be used", () => {
  const idx = (images: string, labels: string): DatasetSource => ({ kind: "idx", images: join(dir, images), labels: join(dir, labels) });
  it.each<[string, () => DatasetSource, string]>([
    ["a missing IDX image file", () => idx("nope-images", "labels"), "nope-images"],
    ["a missing IDX label file", () => idx("images", "nope-labels"), "nope-labels"],
    ["an IDX image file with a bad magic", () => idx("images-bad-magic", "labels"), "images-bad-magic"],
    ["a truncated IDX image file", () => idx("images-truncated", "labels"), "images-truncated"],
    ["a truncated IDX label file", () => idx("images", "labels-truncated"), "labels-truncated"],
    ["a too-short IDX label file", () => idx("images", "labels-short"), "labels-short"],
    ["a corrupt gzipped IDX file", () => idx("images-bad.gz", "labels"), "images-bad.gz"],
    ["a missing CIFAR-10 batch", () => ({ kind: "cifar10", dir: join(dir, "cifar-missing") }), "data_batch_3.bin"],
    ["a CIFAR-10 batch of the wrong size", () => ({ kind: "cifar10", dir: join(dir, "cifar-bad") }), "data_batch_4.bin"],
  ])("fails non-retryably on %s, naming it", async (_what, source, file) => {
    clearDatasetCache();
    const before = tf.memory().numTensors;
    const hooks = fakeHooks();
    const out = await runTrial(trialRequest({ sparsity: 0.5 }, { task: syntheticTask({ dataset: source() }) }), hooks, { pretrained: new InMemoryPretrainedStore() });
    expect(out).toMatchObject({ kind: "failed", retryable: false, error: { name: "DatasetError" } });
    if (out.kind === "failed") expect(out.error.message).toContain(file);
    expect(hooks.calls).toHaveLength(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("bring-your-own data that cannot be used", () => {
  const split = { train: 0.5, validation: 0.25, test: 0.25 };
  const withTest = { train: 0.5, validation: 0.5, test: 0 };
  const npy = (x: string, y: string): DatasetSource => ({ kind: "npy", x: join(dir, x), y: join(dir, y) });
  const images = (d: string): DatasetSource => ({ kind: "images", dir: join(dir, d) });
  it.each<[string, () => Partial<WorkerTask>, RegExp]>([
    ["an empty class folder", () => ({ dataset: images("img-empty"), split }), /class folder ".*img-empty\/b" is empty/],
    ["an unreadable image", () => ({ dataset: images("img-corrupt"), split }), /image ".*img-corrupt\/b\/1.png" is unreadable/],
    ["an image of another size", () => ({ dataset: images("img-sizes"), split }), /image ".*img-sizes\/b\/1.png" is 3x2 pixels/],
    ["an x/y length mismatch", () => ({ dataset: npy("x.npy", "y-short.npy"), split }), /x\/y length mismatch: ".*x.npy" has 4 examples, ".*y-short.npy" has 3 labels/],
    ["a label out of range", () => ({ dataset: npy("x.npy", "y-negative.npy"), split }), /y-negative.npy": label -3 of example 1 is out of range/],
    [
      "a test set with classes the model cannot output",
      () => ({ dataset: images("img-ok"), test: { kind: "images", dir: join(dir, "img-test") }, split: withTest }),
      /test set ".*img-test" has class "zebra", which the model cannot output: the training set ".*img-ok" has the classes a, b/,
    ],
    [
      "a test set with labels the model cannot output",
      () => ({ dataset: npy("x.npy", "y.npy"), test: { kind: "npy", x: join(dir, "tx.npy"), y: join(dir, "ty.npy") }, split: withTest }),
      /test set ".*tx.npy": label 5 of example 0 is out of range: the model outputs 2 classes/,
    ],
  ])("fails non-retryably on %s before any training, naming it", async (_what, task, message) => {
    clearDatasetCache();
    const hooks = fakeHooks();
    const out = await runTrial(trialRequest({ sparsity: 0.5 }, { task: syntheticTask(task()) }), hooks, { pretrained: new InMemoryPretrainedStore() });
    expect(out).toMatchObject({ kind: "failed", retryable: false, error: { name: "DatasetError" } });
    if (out.kind === "failed") expect(out.error.message).toMatch(message);
    expect(hooks.calls).toHaveLength(0);
  });
});
