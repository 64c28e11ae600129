#!/usr/bin/env node
// Loads a pruned model that prunesweep gave back (`prunesweep model <out> <trial> -o DIR`, or
// <out>/models/<trial>/) with plain tf.loadLayersModel, measures its accuracy on the example's
// test folder and counts its parameters, and compares both with what the run reported for that
// trial (the metrics prunesweep writes into the model.json). Exit 1 when they differ.
// Usage (from the repository root):
//   node examples/bring-your-own/check-model.mjs DIR [--test DIR]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readImageFolder } from "./images.mjs";

const require = createRequire(import.meta.url);
const tf = require("@tensorflow/tfjs");

const here = dirname(fileURLToPath(import.meta.url));
const { values, positionals } = parseArgs({ allowPositionals: true, options: { test: { type: "string", default: join(here, "data", "test") } } });
if (positionals.length !== 1) throw new Error("usage: check-model.mjs DIR [--test DIR] (DIR holds model.json)");
const dir = positionals[0];

/** A tf.io handler reading model.json and its weight shards from disk (what "file://" is with tfjs-node). */
function fromFiles(modelJson) {
  return {
    async load() {
      const json = JSON.parse(readFileSync(modelJson, "utf8"));
      const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(join(dirname(modelJson), p)));
      const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
      return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData };
    },
  };
}

const modelJson = join(dir, "model.json");
const reported = JSON.parse(readFileSync(modelJson, "utf8")).userDefinedMetadata?.prunesweep?.metrics;
if (!reported) throw new Error(`${modelJson}: no userDefinedMetadata.prunesweep.metrics; is it a model prunesweep gave back?`);
const model = await tf.loadLayersModel(fromFiles(modelJson));
const test = readImageFolder(values.test);
const [h, w] = model.inputs[0].shape.slice(1, 3);
const x = tf.tensor4d(Float32Array.from(test.xs.flatMap((g) => Array.from(g))), [test.xs.length, h, w, 1]);
// Early exits are extra outputs, exits first: the final classifier is the last output.
const outputs = [model.predict(x)].flat();
const predicted = outputs[outputs.length - 1].argMax(-1).dataSync();
const accuracy = test.ys.filter((y, i) => predicted[i] === y).length / test.ys.length;
const params = model.trainableWeights.reduce((n, v) => n + v.shape.reduce((a, d) => a * d, 1), 0);
const nonzero = model.trainableWeights.reduce((n, v) => n + v.read().dataSync().filter((e) => e !== 0).length, 0);
const rows = [
  ["accuracy", accuracy, reported.accuracy, Math.abs(accuracy - reported.accuracy) <= 0.001],
  ["params", params, reported.params, params === reported.params],
  ["nonzero_params", nonzero, reported.nonzero_params, reported.nonzero_params === undefined || nonzero === reported.nonzero_params],
];
process.stdout.write(`${modelJson}: ${model.layers.length} layers, loaded with tf.loadLayersModel; ${test.ys.length} test images from ${values.test}\n`);
for (const [k, got, want, ok] of rows) process.stdout.write(`  ${k.padEnd(15)} measured ${String(+got.toFixed(4)).padEnd(8)} reported ${String(want === undefined ? "-" : +want.toFixed(4)).padEnd(8)} ${ok ? "ok" : "DIFFERS"}\n`);
process.exitCode = rows.every((r) => r[3]) ? 0 : 1;
