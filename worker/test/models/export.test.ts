import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { BlobFile } from "@prunesweep/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backend/select-backend.js";
import { ModelExportError, exportNet } from "../../src/models/export.js";
import { loadImportedModel } from "../../src/models/imported.js";
import type { Net } from "../../src/models/net.js";
import { buildModel } from "../../src/models/registry.js";
import { saveTfjsModel, tinyMlp, tinyResidualCnn } from "./tfjs-fixtures.js";

let dir: string;
beforeAll(async () => {
  await selectBackend("cpu");
  dir = mkdtempSync(join(tmpdir(), "prunesweep-export-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads exported files with plain tf.loadLayersModel. */
async function load(files: readonly BlobFile[]): Promise<tf.LayersModel> {
  const json = JSON.parse(new TextDecoder().decode(files[0]?.bytes)) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const bin = files[1]?.bytes as Uint8Array;
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]?.weights ?? [], weightData }));
}

/** Max |softmax(net) − exported| over the final output, per output. */
async function compare(net: Net, shape: number[]): Promise<{ diff: number; outputs: number; params: number }> {
  const exported = await exportNet(net, { trial: "t1" });
  const model = await load(exported.files);
  const x = tf.randomNormal([4, ...shape], 0, 1, "float32", 5);
  const got = model.predict(x);
  const outs = Array.isArray(got) ? got : [got];
  const want = tf.tidy(() => net.forwardExits(x, { training: false }).map((l) => tf.softmax(l)));
  const diff = Math.max(...outs.map((o, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(o, want[i] as tf.Tensor))).dataSync()[0] ?? Infinity)));
  const params = model.trainableWeights.reduce((a, w) => a + w.shape.reduce((n: number, d) => n * (d ?? 1), 1), 0);
  expect(params).toBe(exported.params);
  tf.dispose([x, ...outs, ...want]);
  model.dispose();
  return { diff, outputs: outs.length, params };
}

describe("exportNet", () => {
  it("an imported residual CNN, pruned structurally, reloads with plain tf.loadLayersModel: same outputs, smaller, same params", async () => {
    const m = tinyResidualCnn(3);
    const net = buildModel("tfjs", {}, [8, 8, 1], 3, 1, undefined, loadImportedModel(await saveTfjsModel(m, join(dir, "cnn"))));
    m.dispose();
    const dense = await exportNet(net, {});
    const r0 = await compare(net, [8, 8, 1]);
    expect(r0.diff).toBeLessThan(1e-5);
    expect(r0.params).toBe(net.paramCount());
    net.pruneUnits("b1_conv1", [1, 3]);
    net.pruneUnits("fc", [0, 2, 4, 6]);
    const r1 = await compare(net, [8, 8, 1]);
    expect(r1.diff).toBeLessThan(1e-5);
    expect(r1.params).toBe(net.paramCount());
    net.removeBlock("b1_add");
    const r2 = await compare(net, [8, 8, 1]);
    expect(r2.diff).toBeLessThan(1e-5);
    const pruned = await exportNet(net, {});
    expect(pruned.bytes).toBeLessThan(dense.bytes);
    net.dispose();
  });

  it("keeps the zeros of unstructured pruning in place and records the metadata", async () => {
    const m = tinyMlp(4);
    const net = buildModel("tfjs", {}, [8], 3, 1, undefined, loadImportedModel(await saveTfjsModel(m, join(dir, "mlp"))));
    m.dispose();
    const k = net.param("fc2/kernel");
    tf.tidy(() => k.variable.assign(tf.mul(k.variable, tf.cast(tf.greater(tf.abs(k.variable), 0.25), "float32"))));
    const zeros = tf.tidy(() => tf.sum(tf.cast(tf.equal(k.variable, 0), "int32")).dataSync()[0] ?? 0);
    expect(zeros).toBeGreaterThan(50);
    const exported = await exportNet(net, { sparsity: 0.5 });
    const json = JSON.parse(new TextDecoder().decode(exported.files[0]?.bytes)) as { userDefinedMetadata: { prunesweep: Record<string, unknown> } };
    expect(json.userDefinedMetadata.prunesweep).toEqual({ outputs: ["final"], sparsity: 0.5 });
    const model = await load(exported.files);
    const fc2 = model.getLayer("fc2").getWeights()[0] as tf.Tensor;
    expect(tf.tidy(() => tf.sum(tf.cast(tf.equal(fc2, 0), "int32")).dataSync()[0])).toBe(zeros);
    model.dispose();
    expect((await compare(net, [8])).diff).toBeLessThan(1e-5);
    net.dispose();
  });

  it("exports built-in nets with early exits as extra outputs (exits first, final last)", async () => {
    const net = buildModel("lenet5", { channels: [4, 8], hidden: [16, 12], batchNorm: true }, [28, 28, 1], 10, 1, { positions: [1, 3], every: 0 });
    const r = await compare(net, [28, 28, 1]);
    expect(r.outputs).toBe(3);
    expect(r.diff).toBeLessThan(1e-5);
    net.dispose();
    const res = buildModel("resnet8", { baseWidth: 4, shortcut: "B" }, [8, 8, 3], 10, 1);
    expect((await compare(res, [8, 8, 3])).diff).toBeLessThan(1e-5);
    res.dispose();
  });

  it("names what the format cannot express", async () => {
    const res = buildModel("resnet8", { baseWidth: 4 }, [8, 8, 3], 10, 1);
    await expect(exportNet(res, {})).rejects.toThrow(ModelExportError);
    await expect(exportNet(res, {})).rejects.toThrow(/block "s2b1" has a parameter-free zero-padding shortcut \(shortcut: A\)/);
    res.dispose();
  });
});
