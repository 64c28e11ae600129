/** Early exits: expected MACs and operating points (oracle), early-exit pruning, masks through Adam. */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backend/select-backend.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { Rng } from "../../src/data/rng.js";
import { splitOf, type Dataset } from "../../src/data/types.js";
import { chooseOperatingPoint, exitCurve, exitPoint, type ExitPredictions } from "../../src/metrics/exit-metrics.js";
import type { ExitCost } from "../../src/metrics/model-metrics.js";
import type { Net } from "../../src/models/net.js";
import { buildModel } from "../../src/models/registry.js";
import { earlyExitMethod } from "../../src/pruning/early-exit.js";
import type { Masks } from "../../src/training/masks.js";
import { disposeMasks } from "../../src/training/masks.js";
import { createOptimizer } from "../../src/training/optimizers.js";
import { trainEpoch } from "../../src/training/train.js";
import { TrialPruningContext } from "../../src/trial/trial-context.js";
import { fakeHooks, syntheticTask } from "../helpers.js";

let data: Dataset;

beforeAll(async () => {
  await selectBackend("wasm");
  const t = syntheticTask();
  data = await loadDataset({ source: t.dataset, split: t.split, seed: t.seed, maxTrainExamples: 0 });
});

/** 4 examples, 2 early exits + final; C = 10, 25, 60 dense (5, 20, 50 effective). */
const predictions: ExitPredictions = {
  count: 4,
  labels: Int32Array.from([0, 1, 2, 0]),
  predicted: [Int32Array.from([0, 2, 2, 1]), Int32Array.from([0, 1, 1, 1]), Int32Array.from([0, 1, 2, 0])],
  maxProb: [Float32Array.from([0.95, 0.5, 0.7, 0.99]), Float32Array.from([0.96, 0.92, 0.6, 0.4]), Float32Array.from([0.9, 0.9, 0.9, 0.9])],
  entropy: [Float32Array.from([0.1, 0.8, 0.5, 0.05]), Float32Array.from([0.1, 0.2, 0.6, 0.9]), Float32Array.from([0, 0, 0, 0])],
};
const costs: ExitCost[] = [
  { exit: "exit1", position: 1, denseMacs: 10, effectiveMacs: 5 },
  { exit: "exit2", position: 2, denseMacs: 25, effectiveMacs: 20 },
  { exit: "final", position: 3, denseMacs: 60, effectiveMacs: 50 },
];

describe("expected MACs", () => {
  it("matches a hand-computed example (max-softmax and entropy)", () => {
    // tau 0.9: #0 exit1 (ok), #1 exit2 (ok), #2 final (ok), #3 exit1 (wrong: 1 vs 0).
    const p = exitPoint(predictions, costs, "max-softmax", 0.9);
    expect(p.expectedDenseMacs).toBeCloseTo((10 + 25 + 60 + 10) / 4);
    expect(p.expectedMacs).toBeCloseTo((5 + 20 + 50 + 5) / 4);
    expect(p.accuracy).toBeCloseTo(3 / 4);
    expect(p.exitFractions).toEqual([0.5, 0.25, 0.25]);
    // entropy <= 0.3: #0 exit1, #1 exit2, #2 final, #3 exit1: the same routing.
    expect(exitPoint(predictions, costs, "entropy", 0.3)).toEqual({ ...p, tau: 0.3 });
    // tau 1: nothing exits early.
    const none = exitPoint(predictions, costs, "max-softmax", 1);
    expect(none.expectedDenseMacs).toBe(60);
    expect(none.accuracy).toBe(1);
  });

  it("picks the cheapest tau within the accuracy drop, or a fixed tau", () => {
    const curve = exitCurve(predictions, costs, "max-softmax", [0.5, 0.9, 0.97, 1]);
    expect(curve.map((c) => c.accuracy)).toEqual([0.5, 0.75, 0.75, 1]);
    expect(chooseOperatingPoint(curve, { criterion: "max-softmax", maxAccuracyDrop: 0.25 }, 1).tau).toBe(0.9);
    expect(chooseOperatingPoint(curve, { criterion: "max-softmax", maxAccuracyDrop: 0.01 }, 1).tau).toBe(1);
    expect(chooseOperatingPoint(curve, { criterion: "max-softmax", maxAccuracyDrop: 0, tau: 0.5 }, 1).tau).toBe(0.5);
    expect(chooseOperatingPoint([], { criterion: "max-softmax", maxAccuracyDrop: 0 }, 1).tau).toBeUndefined();
  });
});

/** A jointly trained 8-16-12-3 net with exits after blocks 1 and 2. */
async function exitNet(): Promise<Net> {
  const net = buildModel("mlp", { hidden: [16, 12, 8], exitLossWeights: "increasing" }, data.inputShape, data.numClasses, 2, { positions: [1, 2], every: 0 });
  const opt = createOptimizer("adam", 0.01);
  await trainEpoch(net, splitOf(data, "train"), { optimizer: opt, batchSize: 32, rng: new Rng(1) });
  opt.dispose();
  return net;
}

function context(net: Net): TrialPruningContext {
  return new TrialPruningContext({
    net,
    data,
    settings: { epochs: 1, learningRate: 0.01, batchSize: 32 },
    rng: new Rng(1),
    shuffleRng: new Rng(2),
    hooks: fakeHooks(),
    budget: { maxSteps: 0, maxWallMs: 0 },
    startedAt: performance.now(),
  });
}

/** Zeros in `names` and masked-out entries that are non-zero. */
function maskStats(net: Net, masks: Masks, names: readonly string[]): { sparsity: number; revived: number } {
  let zeros = 0;
  let total = 0;
  let revived = 0;
  for (const name of names) {
    const w = net.param(name).variable.dataSync();
    const m = masks.get(name)?.dataSync();
    w.forEach((v, i) => {
      if (v === 0) zeros++;
      if (m && m[i] === 0 && v !== 0) revived++;
    });
    total += w.length;
  }
  return { sparsity: zeros / total, revived };
}

describe("early-exit pruning", () => {
  it("prunes backbone and exits together; masks stay applied through Adam steps", async () => {
    const net = await exitNet();
    const before = tf.memory().numTensors;
    const p = earlyExitMethod.parseParams({ own: { iterations: 3, fraction: 0.3, epochsPerIteration: 1 }, common: {} });
    const r = await earlyExitMethod.run(context(net), p);
    const masks = r.masks as Masks;
    const names = net.prunableParams().map((q) => q.name);
    expect([...masks.keys()].sort()).toEqual([...names].sort());
    const s = maskStats(net, masks, names);
    expect(s.revived).toBe(0);
    expect(s.sparsity).toBeCloseTo(1 - 0.7 ** 3, 2);
    expect(r.exitRule).toEqual({ criterion: "max-softmax", maxAccuracyDrop: 0.01 });
    disposeMasks(masks);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });

  it("ordered: prunes the backbone, then trains and prunes fresh exits on the frozen backbone", async () => {
    const net = await exitNet();
    const p = earlyExitMethod.parseParams({ own: { approach: "ordered", iterations: 2, fraction: 0.5, exitEpochs: 1, tau: 0.8, criterion: "entropy" }, common: {} });
    const ctx = context(net);
    const r = await earlyExitMethod.run(ctx, p);
    const masks = r.masks as Masks;
    const heads = net.exits.flatMap((e) => e.params).filter((q) => q.prunable).map((q) => q.name);
    const backbone = net.prunableParams().map((q) => q.name).filter((n) => !heads.includes(n));
    const frozen = backbone.map((n) => Array.from(net.param(n).variable.dataSync()));
    expect(maskStats(net, masks, backbone)).toEqual({ sparsity: expect.closeTo(0.75, 2) as number, revived: 0 });
    expect(maskStats(net, masks, heads)).toEqual({ sparsity: expect.closeTo(0.75, 2) as number, revived: 0 });
    expect(r.exitRule).toEqual({ criterion: "entropy", tau: 0.8, maxAccuracyDrop: 0.01 });
    // 2 backbone rounds + 1 exit-training epoch + 2 exit rounds, one progress step each.
    expect(ctx.step).toBe(5);
    // Exit-phase training left the (frozen) backbone untouched.
    await ctx.fineTune({ epochs: 1, masks, trainableParams: heads, loss: (n, x, y) => tf.losses.softmaxCrossEntropy(y, n.forwardExits(x, { training: false })[0] as tf.Tensor2D) as tf.Scalar });
    backbone.forEach((n, i) => expect(Array.from(net.param(n).variable.dataSync())).toEqual(frozen[i]));
    disposeMasks(masks);
    net.dispose();
  });

  it("needs a model with exits", async () => {
    const net = buildModel("mlp", { hidden: [4] }, data.inputShape, data.numClasses, 1);
    await expect(earlyExitMethod.run(context(net), earlyExitMethod.parseParams({ own: {}, common: {} }))).rejects.toThrow(/task.exits/);
    net.dispose();
  });
});
