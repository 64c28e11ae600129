/**
 * Your model, models back, end to end: a TF.js model trained here and saved as model.json,
 * swept by `prunesweep run` (real nats-server, coordinator, 2 worker processes; the model goes
 * to the blob store by content hash and the workers fetch it from there), the front's models
 * written to <out>/models/<trial>/, any trial's model downloaded with `prunesweep model`, and
 * every downloaded model loaded with plain tf.loadLayersModel and evaluated on the trial's
 * test split: the reported accuracy (within 0.1 pt) and parameter count.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset, splitOf } from "@prunesweep/worker";
import { saveTfjsModel } from "../../worker/test/models/tfjs-fixtures.js";
import { spawnCli } from "../harness/processes.js";

const dir = mkdtempSync(join(tmpdir(), "prunesweep-your-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DATASET = { kind: "synthetic", samples: 600, features: 16, classes: 4 } as const;
const SPLIT = { train: 0.7, validation: 0.1, test: 0.2 };
const SEED = 3;

/** A small MLP trained on the campaign's own train split, saved as a TF.js Layers model. */
async function trainedModel(): Promise<string> {
  const data = await loadDataset({ source: DATASET, split: SPLIT, seed: SEED, maxTrainExamples: 0 });
  const train = splitOf(data, "train");
  const m = tf.sequential({ name: "mine" });
  m.add(tf.layers.dense({ inputShape: [16], units: 24, activation: "relu", name: "fc1" }));
  m.add(tf.layers.dense({ units: 24, activation: "relu", name: "fc2" }));
  m.add(tf.layers.dense({ units: 4, activation: "softmax", name: "out" }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: "sparseCategoricalCrossentropy" });
  const x = tf.tensor2d(train.x, [train.count, 16]);
  const y = tf.tensor1d(Array.from(train.y), "float32");
  await m.fit(x, y, { epochs: 15, batchSize: 32, verbose: 0 });
  tf.dispose([x, y]);
  const path = await saveTfjsModel(m, join(dir, "model"));
  m.dispose();
  return path;
}

/** Loads a downloaded model with plain tf.loadLayersModel and measures it on the trial's test split. */
async function evaluate(modelDir: string): Promise<{ accuracy: number; params: number; sparsity: unknown }> {
  const json = JSON.parse(readFileSync(join(modelDir, "model.json"), "utf8")) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata: { prunesweep: { metrics: { sparsity: unknown } } };
  };
  const bin = readFileSync(join(modelDir, json.weightsManifest[0]?.paths[0] ?? ""));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]?.weights ?? [], weightData }));
  const test = splitOf(await loadDataset({ source: DATASET, split: SPLIT, seed: SEED, maxTrainExamples: 0 }), "test");
  const x = tf.tensor2d(test.x, [test.count, 16]);
  const pred = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(-1).dataSync());
  let correct = 0;
  pred.forEach((p, i) => (correct += p === test.y[i] ? 1 : 0));
  const params = model.trainableWeights.reduce((a, w) => a + w.shape.reduce((n: number, d) => n * (d ?? 1), 1), 0);
  x.dispose();
  model.dispose();
  return { accuracy: correct / test.count, params, sparsity: json.userDefinedMetadata.prunesweep.metrics.sparsity };
}

describe("your model, models back", () => {
  it("sweeps an imported model and gives every trial's pruned model back, loadable with its reported accuracy and size", async () => {
    const modelJson = await trainedModel();
    const spec = join(dir, "spec.yaml");
    writeFileSync(
      spec,
      `
name: your-model
seed: ${SEED}
task:
  dataset: { synthetic: { samples: ${DATASET.samples}, features: 16, classes: 4 } }
  model: { tfjs: model/model.json }
  backend: cpu
objectives:
  - { metric: accuracy, direction: maximize }
  - { metric: params, direction: minimize }
space:
  method: { values: [magnitude, layerprune] }
  magnitude.sparsity: { min: 0.3, max: 0.9 }
  layerprune.unit: filter
  layerprune.filterFraction: { min: 0.2, max: 0.6 }
  finetune.epochs: 1
sampler: { name: sobol }
budget: { maxTrials: 4, parallelism: 2 }
`,
    );
    expect(modelJson).toBe(join(dir, "model", "model.json"));
    // A bad model fails before anything starts (exit 2, no out dir), naming the file.
    const badSpec = join(dir, "bad.yaml");
    writeFileSync(badSpec, readFileSync(spec, "utf8").replace("model/model.json", "model/missing.json"));
    const bad = spawnCli(["run", badSpec, "--out", join(dir, "bad-out")]);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/task\.model\.tfjs: .*missing\.json/);
    expect(existsSync(join(dir, "bad-out"))).toBe(false);
    const out = join(dir, "out");
    const run = spawnCli(["run", spec, "--workers", "2", "--out", out]);
    expect(await run.exited, run.output()).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      trials: { id: string; number: number; state: string; params: Record<string, unknown>; metrics: Record<string, number>; details: { model?: { files: { name: string; sha256: string }[] } } }[];
      pareto: string[];
      spec: string;
    };
    expect(results.trials.map((t) => t.state)).toEqual(["completed", "completed", "completed", "completed"]);
    // The stored spec names the uploaded files by content hash (what the workers fetched).
    expect(results.spec).toMatch(/blobs:[\s\S]*name: model\.json[\s\S]*sha256: [0-9a-f]{64}/);
    expect(run.output()).toContain("front models (TF.js Layers;");
    for (const t of results.trials) {
      expect(t.details.model?.files.map((f) => f.name)).toEqual(["model.json", "group1-shard1of1.bin"]);
      const front = results.pareto.includes(t.id);
      let modelDir = join(out, "models", String(t.number));
      if (!front) {
        // Not on the front: downloaded from the run's own blob store.
        modelDir = join(dir, `download-${t.number}`);
        const got = spawnCli(["model", out, String(t.number), "-o", modelDir]);
        expect(await got.exited, got.output()).toBe(0);
      }
      const measured = await evaluate(modelDir);
      expect(Math.abs(measured.accuracy - (t.metrics["accuracy"] ?? -1)), `trial ${t.number}`).toBeLessThanOrEqual(0.001);
      expect(measured.params, `trial ${t.number}`).toBe(t.metrics["params"]);
      expect(measured.sparsity).toBe(t.metrics["sparsity"]);
    }
    // The report links the front's models.
    const report = readFileSync(join(out, "report.html"), "utf8");
    for (const id of results.pareto) {
      const n = results.trials.find((t) => t.id === id)?.number;
      expect(report).toContain(`<a href="models/${n}/model.json">`);
    }
    // A front model fetched again from the blob store (its local copy moved away) is the same file.
    const first = results.trials.find((t) => results.pareto.includes(t.id)) as (typeof results.trials)[number];
    const local = join(out, "models", String(first.number));
    renameSync(local, join(dir, "moved"));
    const again = spawnCli(["model", out, first.id, "-o", join(dir, "again")]);
    expect(await again.exited, again.output()).toBe(0);
    for (const f of ["model.json", "group1-shard1of1.bin"]) expect(readFileSync(join(dir, "again", f)).equals(readFileSync(join(dir, "moved", f)))).toBe(true);
    const none = spawnCli(["model", out, "99", "-o", join(dir, "none")]);
    expect(await none.exited).toBe(2);
    expect(none.output()).toMatch(/no trial "99"/);
    // Filter pruning makes the model physically smaller; magnitude keeps its size with zeros in place.
    const lp = results.trials.filter((t) => t.params["method"] === "layerprune");
    const mag = results.trials.filter((t) => t.params["method"] === "magnitude");
    expect(lp.length).toBeGreaterThan(0);
    expect(mag.length).toBeGreaterThan(0);
    const dense = 16 * 24 + 24 + 24 * 24 + 24 + 24 * 4 + 4;
    for (const t of lp) expect(t.metrics["params"]).toBeLessThan(dense);
    for (const t of mag) expect(t.metrics["params"]).toBe(dense);
  }, 600_000);
});
