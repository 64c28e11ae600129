/**
 * Tiny TF.js Layers models written to disk as `model.save()` would (model.json + one shard),
 * with seeded random weights (BatchNorm statistics included), for the import tests.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";

/** Gives every weight seeded random values (variances positive) so that a mismatch shows. */
export function randomiseWeights(model: tf.LayersModel, seed: number): void {
  const ws = model.getWeights().map((w, i) => {
    const name = model.weights[i]?.originalName ?? "";
    const r = tf.randomUniform(w.shape, -0.5, 0.5, "float32", seed + i);
    return name.endsWith("moving_variance") ? tf.add(tf.abs(r), 0.5) : r;
  });
  model.setWeights(ws);
  ws.forEach((w) => w.dispose());
}

/** Writes `model` as `<dir>/model.json` + `<dir>/group1-shard1of1.bin`; returns the model.json path. */
export async function saveTfjsModel(model: tf.LayersModel, dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData as ArrayBuffer;
      writeFileSync(join(dir, "group1-shard1of1.bin"), Buffer.from(data));
      const json = { format: "layers-model", modelTopology: a.modelTopology, weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: a.weightSpecs }] };
      writeFileSync(join(dir, "model.json"), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return join(dir, "model.json");
}

/** Sequential MLP on 8 features: dense-relu, dropout, dense + ReLU layer, dense + BatchNorm, softmax classifier. */
export function tinyMlp(seed = 1): tf.LayersModel {
  const m = tf.sequential({ name: "mlp" });
  m.add(tf.layers.dense({ inputShape: [8], units: 16, activation: "relu", name: "fc1" }));
  m.add(tf.layers.dropout({ rate: 0.2, name: "drop1" }));
  m.add(tf.layers.dense({ units: 16, name: "fc2" }));
  m.add(tf.layers.reLU({ name: "relu2" }));
  m.add(tf.layers.dense({ units: 12, activation: "tanh", name: "fc3" }));
  m.add(tf.layers.batchNormalization({ name: "bn3" }));
  m.add(tf.layers.dense({ units: 3, activation: "softmax", name: "out" }));
  randomiseWeights(m, seed);
  return m;
}

/**
 * Functional CNN on 8x8x1: conv-BN-relu stem, one residual block (conv-BN-relu-conv-BN + identity,
 * ReLU after the Add), depthwise conv, max pool, 1x1 conv with sigmoid, average pool, reshape,
 * flatten, dense + LeakyReLU, softmax classifier.
 */
export function tinyResidualCnn(seed = 2): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 1], name: "image" });
  const L = tf.layers;
  let x = L.conv2d({ filters: 4, kernelSize: 3, padding: "same", name: "stem" }).apply(input) as tf.SymbolicTensor;
  x = L.batchNormalization({ name: "stem_bn" }).apply(x) as tf.SymbolicTensor;
  x = L.activation({ activation: "relu", name: "stem_relu" }).apply(x) as tf.SymbolicTensor;
  let y = L.conv2d({ filters: 4, kernelSize: 3, padding: "same", useBias: false, name: "b1_conv1" }).apply(x) as tf.SymbolicTensor;
  y = L.batchNormalization({ name: "b1_bn1" }).apply(y) as tf.SymbolicTensor;
  y = L.reLU({ name: "b1_relu1" }).apply(y) as tf.SymbolicTensor;
  y = L.conv2d({ filters: 4, kernelSize: 3, padding: "same", name: "b1_conv2" }).apply(y) as tf.SymbolicTensor;
  y = L.batchNormalization({ name: "b1_bn2", epsilon: 1e-5 }).apply(y) as tf.SymbolicTensor;
  x = L.add({ name: "b1_add" }).apply([x, y]) as tf.SymbolicTensor;
  x = L.activation({ activation: "relu", name: "b1_out" }).apply(x) as tf.SymbolicTensor;
  x = L.depthwiseConv2d({ kernelSize: 3, padding: "same", name: "dw" }).apply(x) as tf.SymbolicTensor;
  x = L.maxPooling2d({ poolSize: 2, name: "pool1" }).apply(x) as tf.SymbolicTensor;
  x = L.conv2d({ filters: 6, kernelSize: 1, activation: "sigmoid", name: "pw" }).apply(x) as tf.SymbolicTensor;
  x = L.averagePooling2d({ poolSize: 2, name: "pool2" }).apply(x) as tf.SymbolicTensor;
  x = L.reshape({ targetShape: [2, 12], name: "reshape" }).apply(x) as tf.SymbolicTensor;
  x = L.flatten({ name: "flat" }).apply(x) as tf.SymbolicTensor;
  x = L.dense({ units: 10, name: "fc" }).apply(x) as tf.SymbolicTensor;
  x = L.leakyReLU({ alpha: 0.1, name: "fc_act" }).apply(x) as tf.SymbolicTensor;
  const out = L.dense({ units: 3, activation: "softmax", name: "out" }).apply(x) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out, name: "rescnn" });
  randomiseWeights(m, seed);
  return m;
}

/** A small CNN with a GlobalAveragePooling2D head (the shape LayerPrune and filter pruning see in the inspect test). */
export function tinyGapCnn(seed = 3): tf.LayersModel {
  const m = tf.sequential({ name: "gapcnn" });
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: "same", activation: "relu", name: "c1" }));
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: "same", activation: "relu", name: "c2" }));
  m.add(tf.layers.globalAveragePooling2d({ name: "gap" }));
  m.add(tf.layers.dense({ units: 3, activation: "softmax", name: "out" }));
  randomiseWeights(m, seed);
  return m;
}

type Json = Record<string, unknown>;

/**
 * Rewrites a TF.js (Keras 2 shaped) model.json into the Keras 3 config shapes that
 * `tensorflowjs_converter` writes for a Keras 3 model: `module`/`registered_name`, DTypePolicy
 * objects, `batch_shape`, `build_config`, inbound nodes as `{args: [keras tensors]}`, class
 * `Functional`, keras_version 3.x. The weights manifest is unchanged.
 */
export function toKeras3(modelJson: Json): Json {
  const topo = modelJson["modelTopology"] as Json;
  const cfg = topo["config"] as Json;
  const tensor = (h: unknown[]): Json => ({ class_name: "__keras_tensor__", config: { shape: [null], dtype: "float32", keras_history: [h[0], h[1], h[2]] } });
  const layers = (cfg["layers"] as Json[]).map((l) => {
    const c = { ...(l["config"] as Json) };
    if (c["batch_input_shape"]) {
      c["batch_shape"] = c["batch_input_shape"];
      delete c["batch_input_shape"];
    }
    c["dtype"] = { module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null };
    const out: Json = { module: "keras.layers", class_name: l["class_name"], config: c, registered_name: null, name: c["name"] };
    const inbound = l["inbound_nodes"] as unknown[][][] | undefined;
    if (inbound !== undefined) {
      out["inbound_nodes"] = inbound.map((node) => {
        const ts = node.map((h) => tensor(h));
        return { args: ts.length === 1 ? ts : [ts], kwargs: {} };
      });
    }
    return out;
  });
  const cls = topo["class_name"] === "Model" ? "Functional" : topo["class_name"];
  return { ...modelJson, generatedBy: "keras v3.3.3", modelTopology: { class_name: cls, config: { ...cfg, layers, trainable: true }, keras_version: "3.3.3", backend: "tensorflow" } };
}

/** A functional CNN on flat 64-feature examples (Reshape to 8x8x1 first), with one residual block: what the synthetic datasets feed. */
export function flatInputResidualCnn(seed = 7): tf.LayersModel {
  const input = tf.input({ shape: [64], name: "flat" });
  const L = tf.layers;
  let x = L.reshape({ targetShape: [8, 8, 1], name: "to_image" }).apply(input) as tf.SymbolicTensor;
  x = L.conv2d({ filters: 4, kernelSize: 3, padding: "same", name: "stem" }).apply(x) as tf.SymbolicTensor;
  x = L.batchNormalization({ name: "stem_bn" }).apply(x) as tf.SymbolicTensor;
  x = L.activation({ activation: "relu", name: "stem_relu" }).apply(x) as tf.SymbolicTensor;
  let y = L.conv2d({ filters: 6, kernelSize: 3, padding: "same", activation: "relu", name: "b1_conv1" }).apply(x) as tf.SymbolicTensor;
  y = L.conv2d({ filters: 4, kernelSize: 3, padding: "same", name: "b1_conv2" }).apply(y) as tf.SymbolicTensor;
  x = L.add({ name: "b1_add" }).apply([x, y]) as tf.SymbolicTensor;
  x = L.reLU({ name: "b1_relu" }).apply(x) as tf.SymbolicTensor;
  x = L.globalAveragePooling2d({ name: "gap" }).apply(x) as tf.SymbolicTensor;
  const out = L.dense({ units: 3, activation: "softmax", name: "out" }).apply(x) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out, name: "flatcnn" });
  randomiseWeights(m, seed);
  return m;
}
