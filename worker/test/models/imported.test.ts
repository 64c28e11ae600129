import { mkdtempSync, readFileSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backend/select-backend.js";
import { InvalidTaskError } from "../../src/errors.js";
import { loadImportedModel } from "../../src/models/imported.js";
import { buildModel } from "../../src/models/registry.js";
import { saveTfjsModel, tinyMlp, tinyResidualCnn } from "./tfjs-fixtures.js";

let dir: string;
beforeAll(async () => {
  await selectBackend("cpu");
  dir = mkdtempSync(join(tmpdir(), "prunesweep-imported-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads `path` with plain tf.loadLayersModel (from the files' bytes). */
async function loadWithTfjs(path: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path, "utf8")) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const bin = readFileSync(join(path, "..", "group1-shard1of1.bin"));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]?.weights ?? [], weightData }));
}

async function maxDiff(modelJson: string, shape: number[], classes: number): Promise<number> {
  const reference = await loadWithTfjs(modelJson);
  const imported = loadImportedModel(modelJson);
  const net = buildModel("tfjs", {}, imported.plan.inputShape, classes, 1, undefined, imported);
  const x = tf.randomNormal([5, ...shape], 0, 1, "float32", 11);
  const a = reference.predict(x) as tf.Tensor;
  const b = tf.tidy(() => tf.softmax(net.forward(x, { training: false })));
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Infinity);
  expect(net.paramCount()).toBeGreaterThan(0);
  tf.dispose([x, a, b]);
  net.dispose();
  reference.dispose();
  return diff;
}

describe("imported TF.js Layers models", () => {
  it("a sequential MLP computes what tf.loadLayersModel computes (within 1e-5)", async () => {
    const m = tinyMlp();
    const path = await saveTfjsModel(m, join(dir, "mlp"));
    m.dispose();
    expect(await maxDiff(path, [8], 3)).toBeLessThan(1e-5);
  });

  it("a functional CNN with a residual block, depthwise conv, pooling and reshape matches too", async () => {
    const m = tinyResidualCnn();
    const path = await saveTfjsModel(m, join(dir, "cnn"));
    m.dispose();
    expect(await maxDiff(path, [8, 8, 1], 3)).toBeLessThan(1e-5);
    const imported = loadImportedModel(path);
    const net = buildModel("tfjs", {}, [8, 8, 1], 3, 1, undefined, imported);
    // stem conv+BN+ReLU fused; the residual block takes its ReLU; blocks: stem, b1_add, dw, pw, fc.
    expect(net.blocks.map((b) => b.name)).toEqual(["stem", "b1_add", "dw", "pw", "fc"]);
    // Pooling opens the next block, so the depthwise conv keeps its shape and is removable.
    expect(net.removableBlocks().map((b) => b.name)).toEqual(["b1_add", "dw"]);
    expect(net.unitGroups().map((g) => g.id)).toEqual(["b1_conv1", "fc"]);
    net.dispose();
  });

  it("refuses a model whose classes or input shape do not match the dataset", async () => {
    const m = tinyMlp();
    const path = await saveTfjsModel(m, join(dir, "mlp-classes"));
    m.dispose();
    const imported = loadImportedModel(path);
    expect(() => buildModel("tfjs", {}, [8], 5, 1, undefined, imported)).toThrow(/outputs 3 classes, the dataset has 5/);
    expect(() => buildModel("tfjs", {}, [2, 4], 3, 1, undefined, imported)).toThrow(/mlp-classes[/\\]model\.json: the model takes examples of shape \[8\], the dataset has \[2, 4\]/);
  });

  it("a short weights shard fails naming the file", async () => {
    const m = tinyMlp();
    const path = await saveTfjsModel(m, join(dir, "short"));
    m.dispose();
    truncateSync(join(dir, "short", "group1-shard1of1.bin"), 100);
    expect(() => loadImportedModel(path)).toThrow(InvalidTaskError);
    expect(() => loadImportedModel(path)).toThrow(/group1-shard1of1\.bin: weights shards hold 100 bytes, the manifest needs \d+ .*short/);
  });
});

describe("Keras 3 config shapes", () => {
  it("a Keras 3 Sequential model.json (InputLayer with batch_shape, DTypePolicy objects) matches its Keras 2 form", async () => {
    const { writeFileSync } = await import("node:fs");
    const { toKeras3 } = await import("./tfjs-fixtures.js");
    const m = tinyMlp(6);
    const path = await saveTfjsModel(m, join(dir, "k3seq"));
    m.dispose();
    const k3 = join(dir, "k3seq", "keras3.json");
    writeFileSync(k3, JSON.stringify(toKeras3(JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>)));
    const imported = loadImportedModel(k3);
    expect(imported.plan.format).toBe("keras3");
    expect(imported.plan.modelClass).toBe("Sequential");
    const reference = await loadWithTfjs(path);
    const net = buildModel("tfjs", {}, [8], 3, 1, undefined, imported);
    const x = tf.randomNormal([4, 8], 0, 1, "float32", 8);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(reference.predict(x) as tf.Tensor, tf.softmax(net.forward(x, { training: false }))))).dataSync()[0] ?? Infinity);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose(x);
    net.dispose();
    reference.dispose();
  });

  it("a Keras 3 functional model.json reads to the same net as its Keras 2 form", async () => {
    const { writeFileSync } = await import("node:fs");
    const { toKeras3 } = await import("./tfjs-fixtures.js");
    const m = tinyResidualCnn(5);
    const path = await saveTfjsModel(m, join(dir, "k3"));
    m.dispose();
    const k3 = join(dir, "k3", "keras3.json");
    writeFileSync(k3, JSON.stringify(toKeras3(JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>)));
    const imported = loadImportedModel(k3);
    expect(imported.plan.format).toBe("keras3");
    expect(imported.plan.modelClass).toBe("Functional");
    const reference = await loadWithTfjs(path);
    const net = buildModel("tfjs", {}, [8, 8, 1], 3, 1, undefined, imported);
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, "float32", 3);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(reference.predict(x) as tf.Tensor, tf.softmax(net.forward(x, { training: false }))))).dataSync()[0] ?? Infinity);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose(x);
    net.dispose();
    reference.dispose();
  });
});

describe("structured edits on an imported net", () => {
  it("gates attach to its residual block and unit groups, and exporting them removes and shrinks like on built-in nets", async () => {
    const { attachGates, exportGates } = await import("../../src/models/gating.js");
    const m = tinyResidualCnn(9);
    const path = await saveTfjsModel(m, join(dir, "gates"));
    m.dispose();
    const net = buildModel("tfjs", {}, [8, 8, 1], 3, 1, undefined, loadImportedModel(path));
    const handles = attachGates(net, { neuron: true, filter: true, layer: true, block: true, config: { lrMult: 1 } });
    expect(handles.map((h) => `${h.granularity}:${h.target}`)).toEqual(["block:b1_add", "filter:b1_conv1", "neuron:fc"]);
    const x = tf.randomNormal([2, 8, 8, 1], 0, 1, "float32", 4);
    const before = tf.tidy(() => net.forward(x, { training: false }).arraySync());
    // Gates of 1 fold away exactly; a gate below tau removes its block.
    const report = exportGates(net, handles, 0.5);
    expect(report.removedBlocks).toEqual([]);
    const after = tf.tidy(() => net.forward(x, { training: false }).arraySync());
    expect(after).toEqual(before);
    net.pruneUnits("b1_conv1", [0, 2]);
    net.pruneUnits("fc", [1, 3, 5]);
    net.removeBlock("b1_add");
    expect(net.param("fc/kernel").shape).toEqual([24, 3]);
    expect(net.param("out/kernel").shape).toEqual([3, 3]);
    expect(tf.tidy(() => net.forward(x, { training: false }).shape)).toEqual([2, 3]);
    tf.dispose(x);
    net.dispose();
  });
});
