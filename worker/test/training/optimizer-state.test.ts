import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backend/select-backend.js";
import { Rng } from "../../src/data/rng.js";
import { splitExamples } from "../../src/data/load-dataset.js";
import { generateSynthetic } from "../../src/data/synthetic.js";
import { splitOf } from "../../src/data/types.js";
import { buildModel } from "../../src/models/registry.js";
import { loadOptimizerState, reloadOptimizer, saveOptimizerState } from "../../src/training/optimizer-state.js";
import { createOptimizer } from "../../src/training/optimizers.js";
import { trainEpoch } from "../../src/training/train.js";

const data = splitExamples(generateSynthetic({ samples: 300, features: 6, classes: 3, seed: 3 }), { train: 0.8, validation: 0, test: 0.2 }, 3, 0);

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("optimizer state", () => {
  for (const name of ["adam", "sgd", "momentum", "rmsprop"]) {
    it(`${name}: a new optimizer loaded with the saved state trains exactly like the reloaded original`, async () => {
      const make = (): tf.Optimizer => createOptimizer(name, 0.01);
      const a = buildModel("mlp", { hidden: [8] }, data.inputShape, data.numClasses, 1);
      const b = buildModel("mlp", { hidden: [8] }, data.inputShape, data.numClasses, 1);
      let optA = make();
      await trainEpoch(a, splitOf(data, "train"), { optimizer: optA, batchSize: 16, rng: new Rng(1) });
      // A: the reload every epoch does in training. B: a resumed trial (weights and saved state, new process).
      const reloaded = await reloadOptimizer(optA, make);
      optA = reloaded.optimizer;
      b.setWeights(await a.getWeights());
      const optB = make();
      await loadOptimizerState(optB, reloaded.state);
      await trainEpoch(a, splitOf(data, "train"), { optimizer: optA, batchSize: 16, rng: new Rng(2) });
      await trainEpoch(b, splitOf(data, "train"), { optimizer: optB, batchSize: 16, rng: new Rng(2) });
      expect((await b.getWeights()).tensors).toEqual((await a.getWeights()).tensors);
      expect(reloaded.state[0]?.data[0], "iterations").toBe(Math.ceil(data.nTrain / 16));
      optA.dispose();
      optB.dispose();
      a.dispose();
      b.dispose();
    });
  }

  it("adam: without the reload, a resumed run drifts from the uninterrupted one in the last bits (why training reloads)", async () => {
    const a = buildModel("mlp", { hidden: [8] }, data.inputShape, data.numClasses, 1);
    const b = buildModel("mlp", { hidden: [8] }, data.inputShape, data.numClasses, 1);
    const optA = createOptimizer("adam", 0.01);
    for (let e = 0; e < 3; e++) await trainEpoch(a, splitOf(data, "train"), { optimizer: optA, batchSize: 4, rng: new Rng(e) });
    b.setWeights(await a.getWeights());
    const optB = createOptimizer("adam", 0.01);
    await loadOptimizerState(optB, await saveOptimizerState(optA));
    for (let e = 3; e < 6; e++) {
      await trainEpoch(a, splitOf(data, "train"), { optimizer: optA, batchSize: 4, rng: new Rng(e) });
      await trainEpoch(b, splitOf(data, "train"), { optimizer: optB, batchSize: 4, rng: new Rng(e) });
    }
    const wa = (await a.getWeights()).tensors.flatMap((t) => [...t.data]);
    const wb = (await b.getWeights()).tensors.flatMap((t) => [...t.data]);
    expect(wb).not.toEqual(wa);
    const worst = Math.max(...wa.map((x, i) => Math.abs(x - (wb[i] ?? 0)) / Math.max(1, Math.abs(x))));
    expect(worst).toBeLessThan(1e-4);
    optA.dispose();
    optB.dispose();
    a.dispose();
    b.dispose();
  });

  it("reloading leaks no tensors", async () => {
    const net = buildModel("mlp", { hidden: [8] }, data.inputShape, data.numClasses, 1);
    let opt = createOptimizer("adam", 0.01);
    await trainEpoch(net, splitOf(data, "train"), { optimizer: opt, batchSize: 16, rng: new Rng(1) });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) opt = (await reloadOptimizer(opt, () => createOptimizer("adam", 0.01))).optimizer;
    await saveOptimizerState(opt);
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    net.dispose();
  });
});
