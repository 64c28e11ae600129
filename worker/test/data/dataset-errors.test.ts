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
import type { DatasetSource } from "../../src/trial/types.js";
import { runTrial } from "../../src/trial/run-trial.js";
import { fakeHooks, syntheticTask, trialRequest } from "../helpers.js";

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
