import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backend/select-backend.js";
import { Rng } from "../../src/data/rng.js";
import { generateSynthetic } from "../../src/data/synthetic.js";
import { splitExamples } from "../../src/data/load-dataset.js";
import { splitOf } from "../../src/data/types.js";
import { evaluateAccuracy } from "../../src/metrics/accuracy.js";
import { measureModel, measureSparsity } from "../../src/metrics/model-metrics.js";
import { buildModel } from "../../src/models/registry.js";
import { computeMagnitudeMasks, polynomialSchedule } from "../../src/pruning/magnitude.js";
import { applyMasks, disposeMasks } from "../../src/training/masks.js";
import { createOptimizer } from "../../src/training/optimizers.js";
import { trainEpoch } from "../../src/training/train.js";

const data = splitExamples(generateSynthetic({ samples: 400, features: 10, classes: 4, seed: 5 }), { train: 0.75, validation: 0, test: 0.25 }, 5, 0);

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("trainEpoch", () => {
  it("learns the synthetic task", async () => {
    const net = buildModel("mlp", { hidden: [16] }, data.inputShape, data.numClasses, 1);
    const opt = createOptimizer("adam", 0.01);
    const rng = new Rng(1);
    for (let e = 0; e < 3; e++) await trainEpoch(net, splitOf(data, "train"), { optimizer: opt, batchSize: 32, rng });
    expect(await evaluateAccuracy(net, splitOf(data, "test"))).toBeGreaterThan(0.8);
    opt.dispose();
    net.dispose();
  });

  it("keeps masked weights exactly zero through Adam steps", async () => {
    const net = buildModel("mlp", { hidden: [32, 16] }, data.inputShape, data.numClasses, 2);
    const masks = await computeMagnitudeMasks(net, 0.7, "global");
    applyMasks(net, masks);
    const opt = createOptimizer("adam", 0.05);
    for (let e = 0; e < 3; e++) await trainEpoch(net, splitOf(data, "train"), { optimizer: opt, batchSize: 16, rng: new Rng(e), masks });
    for (const [name, mask] of masks) {
      const w = await net.param(name).variable.data();
      const m = await mask.data();
      let revived = 0;
      let changed = 0;
      for (let i = 0; i < w.length; i++) {
        if (m[i] === 0 && w[i] !== 0) revived++;
        if (m[i] === 1 && w[i] !== 0) changed++;
      }
      expect(revived, name).toBe(0);
      expect(changed, name).toBeGreaterThan(0);
    }
    expect((await measureModel(net)).sparsity).toBeCloseTo(0.7, 2);
    disposeMasks(masks);
    opt.dispose();
    net.dispose();
  });

  it("keeps the tensor count flat across training steps", async () => {
    const net = buildModel("mlp", { hidden: [8] }, data.inputShape, data.numClasses, 3);
    const masks = await computeMagnitudeMasks(net, 0.5, "layer");
    const opt = createOptimizer("adam", 0.01);
    const train = splitOf(data, "train");
    // The first step creates Adam's slot variables.
    await trainEpoch(net, train, { optimizer: opt, batchSize: 32, rng: new Rng(1), masks, maxBatches: 1 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await trainEpoch(net, train, { optimizer: opt, batchSize: 32, rng: new Rng(i), masks });
    await evaluateAccuracy(net, train);
    expect(tf.memory().numTensors).toBe(before);
    disposeMasks(masks);
    opt.dispose();
    net.dispose();
  });
});

describe("trainEpoch with augmentation", () => {
  it("trains on augmented image batches: the same start, seed and data end elsewhere than without", async () => {
    const images = splitExamples({ ...generateSynthetic({ samples: 120, features: 16, classes: 2, seed: 8 }), inputShape: [4, 4, 1] }, { train: 0.75, validation: 0, test: 0.25 }, 8, 0);
    const weightsAfter = async (augment: boolean): Promise<number[]> => {
      const net = buildModel("mlp", { hidden: [8] }, images.inputShape, images.numClasses, 5);
      const opt = createOptimizer("sgd", 0.1);
      await trainEpoch(net, splitOf(images, "train"), { optimizer: opt, batchSize: 30, rng: new Rng(1), ...(augment && { augment: { padding: 1, rng: new Rng(2) } }) });
      const w = Array.from(await (net.trainableVariables()[0] as tf.Variable).data());
      opt.dispose();
      net.dispose();
      return w;
    };
    const plain = await weightsAfter(false);
    expect(await weightsAfter(false)).toEqual(plain);
    expect(await weightsAfter(true)).not.toEqual(plain);
    expect(await weightsAfter(true)).toEqual(await weightsAfter(true));
  });
});

/** How many weights `masks` prune, the smallest kept magnitude and the largest pruned one. */
async function maskSplit(net: ReturnType<typeof buildModel>, masks: Awaited<ReturnType<typeof computeMagnitudeMasks>>): Promise<{ pruned: number; keptMin: number; prunedMax: number }> {
  let pruned = 0;
  let keptMin = Infinity;
  let prunedMax = 0;
  for (const [name, mask] of masks) {
    const w = await net.param(name).variable.data();
    const m = await mask.data();
    for (let i = 0; i < w.length; i++) {
      const a = Math.abs(w[i] ?? 0);
      if (m[i] === 1) keptMin = Math.min(keptMin, a);
      else {
        pruned++;
        prunedMax = Math.max(prunedMax, a);
      }
    }
  }
  return { pruned, keptMin, prunedMax };
}

describe("magnitude masks", () => {
  for (const scope of ["global", "layer"] as const) {
    it(`hit the target sparsity within 1% (${scope})`, async () => {
      const net = buildModel("mlp", { hidden: [64, 32] }, data.inputShape, data.numClasses, 4);
      for (const s of [0.1, 0.5, 0.9, 0.98]) {
        const masks = await computeMagnitudeMasks(net, s, scope);
        const before = tf.memory().numTensors;
        const clone = await net.getWeights();
        applyMasks(net, masks);
        const m = await measureModel(net);
        expect(Math.abs(m.sparsity - s)).toBeLessThan(0.01);
        expect(await measureSparsity(net)).toBe(m.sparsity);
        if (scope === "layer") for (const v of Object.values(m.layerSparsity)) expect(Math.abs(v - s)).toBeLessThan(0.01 + 1 / 40);
        net.setWeights(clone);
        disposeMasks(masks);
        expect(tf.memory().numTensors).toBe(before - masks.size);
      }
      net.dispose();
    });
  }

  it("prunes exactly the target count when magnitudes tie, the smallest first", async () => {
    const net = buildModel("mlp", { hidden: [16, 8] }, [6], 3, 7);
    // Few distinct magnitudes (both signs), so the threshold falls inside a run of ties.
    let n = 0;
    for (const p of net.prunableParams()) {
      const size = p.shape.reduce((a, b) => a * b, 1);
      const values = Float32Array.from({ length: size }, (_, i) => (((i * 7 + n) % 5) + 1) * 0.1 * (i % 2 ? -1 : 1));
      n += size;
      p.variable.assign(tf.tensor(values, [...p.shape]));
    }
    for (const s of [0.13, 0.5, 0.77]) {
      const masks = await computeMagnitudeMasks(net, s, "global");
      const { pruned, keptMin, prunedMax } = await maskSplit(net, masks);
      expect(pruned).toBe(Math.round(s * n));
      expect(prunedMax).toBeLessThanOrEqual(keptMin);
      disposeMasks(masks);
    }
    net.dispose();
  });

  it("prunes the smallest magnitudes globally", async () => {
    const net = buildModel("mlp", { hidden: [4] }, [2], 2, 1);
    const masks = await computeMagnitudeMasks(net, 0.5, "global");
    const { keptMin, prunedMax } = await maskSplit(net, masks);
    expect(prunedMax).toBeLessThanOrEqual(keptMin);
    disposeMasks(masks);
    net.dispose();
  });

  it("follows the cubic schedule", () => {
    expect(polynomialSchedule(0, 0.9, 3, 3)).toBeCloseTo(0.9);
    expect(polynomialSchedule(0, 0.9, 1, 3)).toBeCloseTo(0.9 - 0.9 * (2 / 3) ** 3);
  });
});
