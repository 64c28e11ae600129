#!/usr/bin/env node
// Builds and trains "your model" for the example: a small functional CNN with BatchNormalization
// and one residual block (two convolutions joined to their input by an Add), on the image folder
// that make-data.mjs writes, and saves it as a TF.js Layers model (model.json + one weights
// shard), the format `tensorflowjs_converter --input_format keras` writes from a Keras file.
// Plain @tensorflow/tfjs on the engine prunesweep's workers pick (no native addon needed). Usage (from the repository root, after make-data.mjs):
//   node examples/bring-your-own/make-model.mjs [--data DIR] [--out DIR] [--epochs N]
// Deterministic for given data (seeded initialisers, no shuffling).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { readImageFolder } from "./images.mjs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);
const tf = require("@tensorflow/tfjs");

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    data: { type: "string", default: join(here, "data", "train") },
    out: { type: "string", default: join(here, "model") },
    epochs: { type: "string", default: "8" },
  },
});
const epochs = Number(values.epochs);
if (!Number.isInteger(epochs) || epochs < 1 || epochs > 100) throw new RangeError(`--epochs: an integer in 1..100, got ${values.epochs}`);

/**
 * The network: conv-BN-ReLU stem with stride 2, one residual block (conv-BN-ReLU-conv-BN +
 * identity, ReLU after the Add), pool, conv-BN-ReLU, pool, softmax classifier. The residual
 * block keeps its input's shape (no pooling between the stem and it): LayerPrune can remove it.
 */
function build(classes) {
  const L = tf.layers;
  const init = (seed) => ({ kernelInitializer: tf.initializers.heNormal({ seed }) });
  const input = tf.input({ shape: [28, 28, 1], name: "image" });
  let x = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: "same", useBias: false, name: "stem", ...init(1) }).apply(input);
  x = L.batchNormalization({ name: "stem_bn" }).apply(x);
  x = L.activation({ activation: "relu", name: "stem_relu" }).apply(x);
  let y = L.conv2d({ filters: 8, kernelSize: 3, padding: "same", useBias: false, name: "res_conv1", ...init(2) }).apply(x);
  y = L.batchNormalization({ name: "res_bn1" }).apply(y);
  y = L.activation({ activation: "relu", name: "res_relu1" }).apply(y);
  y = L.conv2d({ filters: 8, kernelSize: 3, padding: "same", useBias: false, name: "res_conv2", ...init(3) }).apply(y);
  y = L.batchNormalization({ name: "res_bn2" }).apply(y);
  x = L.add({ name: "res_add" }).apply([x, y]);
  x = L.activation({ activation: "relu", name: "res_out" }).apply(x);
  x = L.maxPooling2d({ poolSize: 2, name: "pool2" }).apply(x);
  x = L.conv2d({ filters: 16, kernelSize: 3, padding: "same", useBias: false, name: "conv3", ...init(4) }).apply(x);
  x = L.batchNormalization({ name: "conv3_bn" }).apply(x);
  x = L.activation({ activation: "relu", name: "conv3_relu" }).apply(x);
  x = L.maxPooling2d({ poolSize: 2, name: "pool3" }).apply(x);
  x = L.flatten({ name: "flat" }).apply(x);
  const out = L.dense({ units: classes, activation: "softmax", name: "out", kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(x);
  return tf.model({ inputs: input, outputs: out, name: "your_model" });
}

/** Saves a Layers model as `<dir>/model.json` + `<dir>/group1-shard1of1.bin`, as model.save("file://dir") does with tfjs-node. */
async function saveModel(model, dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      writeFileSync(join(dir, "group1-shard1of1.bin"), Buffer.from(a.weightData));
      const json = { format: "layers-model", generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`, modelTopology: a.modelTopology, weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: a.weightSpecs }] };
      writeFileSync(join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
}

{
  // The engine prunesweep's workers use (wasm, with its convolution gradients).
  const { selectBackend } = await import("@prunesweep/worker");
  await selectBackend("wasm");
  const data = readImageFolder(values.data);
  if (data.xs.length === 0) throw new Error(`${values.data}: no images; run make-data.mjs first`);
  const n = data.xs.length;
  const flat = new Float32Array(n * 28 * 28);
  data.xs.forEach((g, i) => flat.set(g, i * 28 * 28));
  const x = tf.tensor4d(flat, [n, 28, 28, 1]);
  const y = tf.oneHot(tf.tensor1d(data.ys, "int32"), data.classes.length);
  const model = build(data.classes.length);
  model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const started = Date.now();
  // A fixed shuffle (the folder order is class by class), so that every batch sees every class.
  let seed = 1;
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  const order = tf.tensor1d(perm, "int32");
  const xs = tf.gather(x, order);
  const ys = tf.gather(y, order);
  const h = await model.fit(xs, ys, { epochs, batchSize: 32, shuffle: false, verbose: 0 });
  const acc = h.history.acc ?? h.history.accuracy;
  await saveModel(model, values.out);
  const params = model.countParams();
  process.stdout.write(
    `trained on ${n} images of ${data.classes.length} classes for ${epochs} epochs on ${tf.getBackend()} in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(training accuracy ${(100 * acc[acc.length - 1]).toFixed(1)}%); ${params} parameters; wrote ${join(values.out, "model.json")}\n`,
  );
}
