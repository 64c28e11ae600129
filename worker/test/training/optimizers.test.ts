import * as tf from "@tensorflow/tfjs";
import { OPTIMIZER_NAMES, SCHEDULE_NAMES } from "@prunesweep/proto";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backend/select-backend.js";
import { Rng } from "../../src/data/rng.js";
import { generateSynthetic } from "../../src/data/synthetic.js";
import { splitExamples } from "../../src/data/load-dataset.js";
import { splitOf } from "../../src/data/types.js";
import { InvalidTaskError } from "../../src/errors.js";
import type { Net } from "../../src/models/net.js";
import { buildModel } from "../../src/models/registry.js";
import { computeMagnitudeMasks } from "../../src/pruning/magnitude.js";
import { applyMasks, disposeMasks, type Masks } from "../../src/training/masks.js";
import { createOptimizer, RecipeOptimizer, type RecipeSettings } from "../../src/training/optimizers.js";
import { trainEpoch } from "../../src/training/train.js";

const data = splitExamples(generateSynthetic({ samples: 240, features: 8, classes: 3, seed: 9 }), { train: 0.75, validation: 0, test: 0.25 }, 9, 0);
const train = splitOf(data, "train");
const BATCH = 30;
const EPOCHS = 4;
const STEPS = EPOCHS * Math.ceil(train.count / BATCH);

/** Learning rates that train this task in a few epochs, per optimizer. */
const LR: Record<string, number> = { sgd: 0.2, momentum: 0.05, adam: 0.01, adamw: 0.01, rmsprop: 0.005 };

const recipe = (optimizer: string, over: Partial<RecipeSettings> = {}): RecipeSettings => ({
  optimizer,
  weightDecay: 0,
  schedule: { schedule: "constant", base: LR[optimizer] ?? 0.01, totalSteps: STEPS, warmupSteps: 0, stepSize: 8, gamma: 0.5 },
  ...over,
});

/** The mean loss of each epoch. */
async function losses(net: Net, optimizer: RecipeOptimizer, masks?: Masks, labelSmoothing = 0): Promise<number[]> {
  const out: number[] = [];
  for (let e = 0; e < EPOCHS; e++) out.push((await trainEpoch(net, train, { optimizer, batchSize: BATCH, rng: new Rng(e), ...(masks && { masks }), labelSmoothing })).loss);
  return out;
}

const freshNet = (): Net => buildModel("mlp", { hidden: [16] }, data.inputShape, data.numClasses, 4);

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("the optimizer factory", () => {
  it.each([...OPTIMIZER_NAMES])("%s trains a tiny model: the loss decreases", async (name) => {
    const net = freshNet();
    const opt = new RecipeOptimizer(recipe(name, { weightDecay: 1e-3 }));
    const l = await losses(net, opt);
    expect(l[EPOCHS - 1], l.join(", ")).toBeLessThan((l[0] ?? 0) * 0.8);
    expect(opt.step).toBe(STEPS);
    opt.dispose();
    net.dispose();
  });

  it.each([...SCHEDULE_NAMES])("the %s schedule with warm-up trains too, and sets the rate step by step", async (schedule) => {
    const net = freshNet();
    const opt = new RecipeOptimizer(recipe("momentum", { schedule: { schedule, base: 0.05, totalSteps: STEPS, warmupSteps: 4, stepSize: 8, gamma: 0.5 } }));
    const l = await losses(net, opt);
    expect(l[EPOCHS - 1], l.join(", ")).toBeLessThan((l[0] ?? 0) * 0.8);
    // The last step's rate: constant keeps the base, step has halved it (STEPS − 1) / 8 times, cosine is near 0.
    const expected = { constant: 0.05, step: 0.05 * 0.5 ** Math.floor((STEPS - 1) / 8), cosine: (0.05 * (1 + Math.cos((Math.PI * (STEPS - 5)) / (STEPS - 4)))) / 2 }[schedule];
    expect(opt.learningRate).toBeCloseTo(expected, 10);
    opt.dispose();
    net.dispose();
  });

  it.each([...OPTIMIZER_NAMES])("%s with weight decay keeps pruned weights exactly zero after every step", async (name) => {
    const net = freshNet();
    const masks = await computeMagnitudeMasks(net, 0.6, "global");
    applyMasks(net, masks);
    const opt = new RecipeOptimizer(recipe(name, { weightDecay: 0.01 }));
    await losses(net, opt, masks);
    for (const [param, mask] of masks) {
      const w = await net.param(param).variable.data();
      const m = await mask.data();
      let revived = 0;
      let trained = 0;
      for (let i = 0; i < w.length; i++) {
        if (m[i] === 0 && w[i] !== 0) revived++;
        if (m[i] === 1 && w[i] !== 0) trained++;
      }
      expect(revived, `${name} ${param}`).toBe(0);
      expect(trained, `${name} ${param}`).toBeGreaterThan(0);
    }
    disposeMasks(masks);
    opt.dispose();
    net.dispose();
  });

  it("weight decay shrinks the kernels by lr·wd per step (decoupled for adamw, L2 for sgd) and leaves the biases alone", () => {
    for (const name of ["adamw", "sgd"]) {
      const kernel = tf.variable(tf.tensor2d([[1, -2], [3, 4]]), true, `k-${name}`);
      const bias = tf.variable(tf.tensor1d([5, 6]), true, `b-${name}`);
      const opt = new RecipeOptimizer(recipe(name, { weightDecay: 0.5, schedule: { ...recipe(name).schedule, base: 0.1 } }));
      // Zero gradients: only the decay moves the weights (Adam's update of a zero gradient is 0).
      tf.tidy(() => opt.apply({ [kernel.name]: tf.zerosLike(kernel), [bias.name]: tf.zerosLike(bias) }, [kernel, bias]));
      expect(Array.from(kernel.dataSync()).map((v) => +v.toFixed(6)), name).toEqual([0.95, -1.9, 2.85, 3.8]);
      expect(Array.from(bias.dataSync()), name).toEqual([5, 6]);
      opt.dispose();
      kernel.dispose();
      bias.dispose();
    }
  });

  it("label smoothing raises the loss floor: targets are never one-hot", async () => {
    const final: number[] = [];
    for (const eps of [0, 0.3]) {
      const net = freshNet();
      const opt = new RecipeOptimizer(recipe("adam"));
      final.push((await losses(net, opt, undefined, eps))[EPOCHS - 1] ?? 0);
      opt.dispose();
      net.dispose();
    }
    // Cross-entropy against smoothed targets is at least their entropy.
    const entropy = -(0.8 * Math.log(0.8) + 2 * 0.1 * Math.log(0.1));
    expect(final[1]).toBeGreaterThan(entropy);
    expect(final[1]).toBeGreaterThan(final[0] ?? 0);
  });

  it("rejects an unknown optimizer and a bad learning rate, naming the setting", () => {
    expect(() => createOptimizer("lion", 0.1, "finetune.optimizer")).toThrow(InvalidTaskError);
    expect(() => createOptimizer("lion", 0.1, "finetune.optimizer")).toThrow('finetune.optimizer: unknown optimizer "lion"; valid: sgd, momentum, adam, adamw, rmsprop');
    expect(() => new RecipeOptimizer(recipe("adam", { schedule: { ...recipe("adam").schedule, base: 0 } }))).toThrow("learning rate must be a finite number > 0, got 0");
  });

  it("keeps the tensor count flat across steps for every optimizer", async () => {
    for (const name of OPTIMIZER_NAMES) {
      const net = freshNet();
      const opt = new RecipeOptimizer(recipe(name, { weightDecay: 0.01 }));
      await trainEpoch(net, train, { optimizer: opt, batchSize: BATCH, rng: new Rng(1) });
      const before = tf.memory().numTensors;
      await trainEpoch(net, train, { optimizer: opt, batchSize: BATCH, rng: new Rng(2), labelSmoothing: 0.1 });
      expect(tf.memory().numTensors, name).toBe(before);
      opt.dispose();
      net.dispose();
    }
  });
});
