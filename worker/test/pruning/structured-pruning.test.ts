/**
 * Structured pruning: physical shrinking of dense/conv unit groups, LayerPrune's block removal
 * and criteria, gates driven to zero, and the wasm filter-gradient kernel conv training needs.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backend/select-backend.js";
import { Rng } from "../../src/data/rng.js";
import { splitExamples } from "../../src/data/load-dataset.js";
import { generateSynthetic } from "../../src/data/synthetic.js";
import { splitOf, type Dataset } from "../../src/data/types.js";
import { gateValue, readGate } from "../../src/models/gate-value.js";
import { attachGates, exportGates } from "../../src/models/gating.js";
import type { Net } from "../../src/models/net.js";
import { buildModel } from "../../src/models/registry.js";
import { layerPruneMethod } from "../../src/pruning/layerprune.js";
import { createOptimizer } from "../../src/training/optimizers.js";
import { trainEpoch } from "../../src/training/train.js";
import { TrialPruningContext } from "../../src/trial/trial-context.js";
import { ensureWasmConvTraining } from "../../src/backend/wasm-conv-grad.js";
import { fakeHooks } from "../helpers.js";

/** 8x8 single-channel images (synthetic clusters) and flat 8-feature data. */
let images: Dataset;
let flat: Dataset;

beforeAll(async () => {
  await selectBackend("wasm");
  ensureWasmConvTraining();
  const raw = generateSynthetic({ samples: 240, features: 64, classes: 3, seed: 3 });
  images = splitExamples({ ...raw, inputShape: [8, 8, 1] }, { train: 0.6, validation: 0.2, test: 0.2 }, 3, 0);
  flat = splitExamples(generateSynthetic({ samples: 300, features: 8, classes: 3, seed: 4 }), { train: 0.6, validation: 0.2, test: 0.2 }, 4, 0);
});

const sample = (net: Net, seed = 1): tf.Tensor => tf.tidy(() => tf.randomUniform([5, ...net.inputShape], 0, 1, "float32", seed));
const outputs = (net: Net, x: tf.Tensor): Float32Array[] => tf.tidy(() => net.forwardExits(x, { training: false }).map((t) => t.dataSync() as Float32Array));

/** Zeroes the outgoing activations of `units` of a dense/conv producer (kernel columns, bias, BN gamma/beta). */
function silence(net: Net, layer: string, units: readonly number[]): void {
  for (const p of net.params().filter((q) => q.layer === layer && ["kernel", "bias", "scale", "shift"].includes(q.role))) {
    const n = p.shape[p.shape.length - 1] ?? 1;
    const m = Array.from({ length: p.size }, (_, i) => (units.includes(i % n) ? 0 : 1));
    p.variable.assign(tf.tidy(() => tf.mul(p.variable, tf.tensor(m, [...p.shape]))));
  }
}

function expectClose(a: readonly Float32Array[], b: readonly Float32Array[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => v.forEach((x, j) => expect(x).toBeCloseTo(b[i]?.[j] ?? Number.NaN, 4)));
}

function context(net: Net, data: Dataset, epochs = 1): TrialPruningContext {
  return new TrialPruningContext({
    net,
    data,
    settings: { epochs, learningRate: 0.01, batchSize: 32 },
    rng: new Rng(1),
    shuffleRng: new Rng(2),
    hooks: fakeHooks(),
    budget: { maxSteps: 0, maxWallMs: 0 },
    startedAt: performance.now(),
  });
}

describe("unit-group pruning", () => {
  it("physically shrinks conv and dense layers, their consumers and exit heads, keeping the function", () => {
    const net = buildModel("lenet5", { kernelSize: 3, channels: [4, 6], hidden: [8, 6] }, [8, 8, 1], 3, 1, { positions: [1, 3], every: 0 });
    expect(net.unitGroups().map((g) => g.id)).toEqual(["conv1", "conv2", "fc1", "fc2"]);
    silence(net, "conv1", [1, 3]);
    silence(net, "conv2", [0]);
    silence(net, "fc1", [2, 5, 7]);
    const x = sample(net);
    const before = outputs(net, x);
    const macs = net.denseMacs();
    net.pruneUnits("conv1", [0, 2]);
    net.pruneUnits("conv2", [1, 2, 3, 4, 5]);
    net.pruneUnits("fc1", [0, 1, 3, 4, 6]);
    expect(net.param("conv1/kernel").shape).toEqual([3, 3, 1, 2]);
    expect(net.param("conv2/kernel").shape).toEqual([3, 3, 2, 5]);
    expect(net.param("exit1/kernel").shape).toEqual([2, 3]);
    expect(net.param("fc1/kernel").shape).toEqual([5, 5]); // conv2 output 1x1x5 flattened
    expect(net.param("fc2/kernel").shape).toEqual([5, 6]);
    expect(net.param("exit2/kernel").shape).toEqual([5, 3]);
    expect(net.denseMacs()).toBeLessThan(macs);
    expectClose(outputs(net, x), before);
    x.dispose();
    net.dispose();
  });

  it("shrinks the inner layer of residual blocks (dense and conv+BN)", () => {
    for (const [name, opts, shape, id] of [
      ["res-mlp", { width: 6, blocks: 2 }, [5], "b2/fc1"],
      ["resnet8", { baseWidth: 4 }, [8, 8, 1], "s2b1/conv1"],
    ] as const) {
      const net = buildModel(name, opts, [...shape], 3, 2);
      silence(net, id, [0, 2]);
      const x = sample(net);
      const before = outputs(net, x);
      const units = net.unitGroups().find((g) => g.id === id)?.units ?? 0;
      net.pruneUnits(id, Array.from({ length: units }, (_, i) => i).filter((i) => i !== 0 && i !== 2));
      expect(net.unitGroups().find((g) => g.id === id)?.units).toBe(units - 2);
      expectClose(outputs(net, x), before);
      x.dispose();
      net.dispose();
    }
  });

  it("does not offer groups whose width is tied to a residual stream", () => {
    const net = buildModel("resnet8", { baseWidth: 4 }, [8, 8, 1], 3, 2);
    expect(net.unitGroups().map((g) => g.id)).toEqual(["s1b1/conv1", "s2b1/conv1", "s3b1/conv1"]);
    net.dispose();
  });
});

describe("gates", () => {
  it("removes a structure whose gate is driven to zero, lowers MACs and keeps the function", () => {
    const net = buildModel("res-mlp", { width: 8, blocks: 2 }, [6], 3, 3, { positions: [1], every: 0 });
    const handles = attachGates(net, { neuron: true, filter: true, layer: true, block: true, config: { lrMult: 1 } });
    // The stem feeds the residual stream: its width is tied, so it gets no neuron gates.
    expect(handles.map((h) => `${h.granularity}:${h.target}`)).toEqual(["block:b1", "block:b2", "neuron:b1/fc1", "neuron:b2/fc1"]);
    const set = (target: string, values: number[]): void => {
      const g = handles.find((h) => h.target === target)?.gate();
      g?.param.variable.assign(tf.tensor(values, [...g.param.shape]));
    };
    set("b1", [0]);
    set("b2", [0.7]);
    set("b2/fc1", [1, 0, 0.5, 0, 1, 1, 0, 2]);
    const x = sample(net);
    const before = outputs(net, x);
    const macs = net.denseMacs();
    const report = exportGates(net, handles, 0.01);
    expect(report.removedBlocks).toEqual(["b1"]);
    expect(report.removedUnits["b2/fc1"]).toBe(3);
    expect(net.layers.find((l) => l.name === "b1")?.kind).toBe("identity");
    expect(net.param("b2/fc1/kernel").shape).toEqual([8, 5]);
    expect(net.params().some((p) => p.role === "gate")).toBe(false);
    expect(net.denseMacs()).toBe(macs - 2 * 64 - 3 * 8 * 2);
    expectClose(outputs(net, x), before);
    x.dispose();
    net.dispose();
  });

  it("gates conv filters and plain layers, and the L1 penalty drives unused gates down", async () => {
    const lenet = buildModel("lenet5", { kernelSize: 3, channels: [4, 6], hidden: [8, 6] }, [8, 8, 1], 3, 1);
    const h = attachGates(lenet, { neuron: false, filter: true, layer: true, block: true, config: { lrMult: 1 } });
    expect(h.map((g) => `${g.granularity}:${g.target}`)).toEqual(["filter:conv1", "filter:conv2"]);
    lenet.dispose();
    const deep = buildModel("deep-mlp", { width: 6, depth: 3 }, [8], 3, 1);
    const hd = attachGates(deep, { neuron: true, filter: false, layer: true, block: false, config: { lrMult: 1 } });
    // Layer gates tie fc2/fc3 to their inputs: fc1's neurons feed a tied layer, so only layer gates.
    expect(hd.map((g) => `${g.granularity}:${g.target}`)).toEqual(["layer:fc2", "layer:fc3"]);
    const opt = createOptimizer("adam", 0.05);
    const gate = (): number => readGate(hd[0]?.gate() ?? { param: deep.param("fc2/layer-gate"), config: { lrMult: 1 } })[0] ?? 0;
    const start = gate();
    const l1 = (net: Net, x2: tf.Tensor, y: tf.Tensor2D): tf.Scalar =>
      tf.add(tf.losses.softmaxCrossEntropy(y, net.forward(x2, { training: true })), tf.sum(tf.abs(deep.param("fc2/layer-gate").variable))) as tf.Scalar;
    await trainEpoch(deep, splitOf(flat, "train"), { optimizer: opt, batchSize: 32, rng: new Rng(1), loss: l1 });
    expect(gate()).toBeLessThan(start - 0.1);
    opt.dispose();
    deep.dispose();
  });

  it("hard-thresholds gates in the forward pass with a straight-through gradient", () => {
    const net = buildModel("mlp", { hidden: [3] }, [2], 2, 1);
    const [h] = attachGates(net, { neuron: true, filter: false, layer: false, block: false, config: { lrMult: 2, steTau: 0.1 } });
    const g = h?.gate();
    if (!g) throw new Error("no gate");
    g.param.variable.assign(tf.tensor1d([0.5, 0.01, 0.2])); // effective 1.0, 0.02 (< tau), 0.4
    const { value, grads } = tf.variableGrads(() => tf.sum(gateValue(g)) as tf.Scalar, [g.param.variable]);
    expect(value.dataSync()[0]).toBeCloseTo(1.4);
    expect(Array.from(grads[g.param.variable.name]?.dataSync() ?? [])).toEqual([2, 2, 2]);
    tf.dispose([value, ...Object.values(grads)]);
    net.dispose();
  });
});

describe("layerprune", () => {
  it("removes exactly k layers, keeps the output shape and fine-tunes", async () => {
    const net = buildModel("deep-mlp", { width: 8, depth: 5 }, flat.inputShape, flat.numClasses, 5);
    const ctx = context(net, flat);
    const macs = net.denseMacs();
    const p = layerPruneMethod.parseParams({ own: { k: 2, criterion: "taylor_fmap", criterionBatches: 3 }, common: {} });
    const r = await layerPruneMethod.run(ctx, p);
    expect(r.metrics?.["removed_layers"]).toBe(2);
    expect(net.layers.filter((l) => l.kind === "identity")).toHaveLength(2);
    expect(net.denseMacs()).toBe(macs - 2 * 64);
    const y = tf.tidy(() => net.forward(tf.zeros([4, ...flat.inputShape]), { training: false }));
    expect(y.shape).toEqual([4, 3]);
    y.dispose();
    expect(ctx.step).toBe(1);
    net.dispose();
  });

  it.each(["weight_l2", "weight_l1", "taylor_weight", "taylor_gate", "bn_scale", "random", "imprint", "ensemble"])("scores residual blocks with %s", async (criterion) => {
    const net = buildModel("resnet14", { baseWidth: 4 }, images.inputShape, images.numClasses, 6);
    const before = tf.memory().numTensors;
    const p = layerPruneMethod.parseParams({ own: { unit: "block", k: 1, criterion, criterionBatches: 2, imprintFeatures: 32 }, common: {} });
    const r = await layerPruneMethod.run(context(net, images, 0), p);
    const lp = r.details?.["layerprune"] as { candidates: Record<string, number>; removed: string[] };
    expect(Object.keys(lp.candidates).sort()).toEqual(["s1b1", "s1b2", "s2b2", "s3b2"]);
    expect(lp.removed).toHaveLength(1);
    expect(Object.values(lp.candidates).every(Number.isFinite)).toBe(true);
    // The removed block's two convs: kernel, gamma, beta, moving mean and variance each.
    expect(tf.memory().numTensors).toBe(before - 10);
    net.dispose();
  });

  it("prunes filters with the same criterion (unit=filter)", async () => {
    const net = buildModel("lenet5", { kernelSize: 3, channels: [4, 6], hidden: [8, 6] }, images.inputShape, images.numClasses, 7);
    const p = layerPruneMethod.parseParams({ own: { unit: "filter", filterFraction: 0.5, criterion: "taylor_weight", criterionBatches: 2 }, common: {} });
    await layerPruneMethod.run(context(net, images, 0), p);
    expect(net.param("conv1/kernel").shape).toEqual([3, 3, 1, 2]);
    expect(net.param("conv2/kernel").shape).toEqual([3, 3, 2, 3]);
    expect(net.param("fc1/kernel").shape).toEqual([3, 4]);
    net.dispose();
  });

  it("rejects bn_scale without BatchNorm and imprint at filter level", async () => {
    const net = buildModel("deep-mlp", { width: 8, depth: 3 }, flat.inputShape, flat.numClasses, 5);
    await expect(layerPruneMethod.run(context(net, flat, 0), layerPruneMethod.parseParams({ own: { criterion: "bn_scale" }, common: {} }))).rejects.toThrow(/BatchNorm/);
    expect(() => layerPruneMethod.parseParams({ own: { unit: "filter", criterion: "imprint" }, common: {} })).toThrow(/imprint/);
    net.dispose();
  });
});

describe("conv training on wasm", () => {
  it("computes the conv filter gradient like the cpu backend", async () => {
    const grad = (stride: number, pad: "same" | "valid"): Float32Array =>
      tf.tidy(() => {
        const x = tf.tensor4d(Array.from({ length: 2 * 7 * 7 * 3 }, (_, i) => Math.sin(i)), [2, 7, 7, 3]);
        const w = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i)), [3, 3, 3, 4]);
        return tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, stride, pad))))(w).dataSync() as Float32Array;
      });
    for (const [s, pad] of [
      [1, "same"],
      [2, "same"],
      [2, "valid"],
    ] as const) {
      const wasm = grad(s, pad);
      await tf.setBackend("cpu");
      const cpu = grad(s, pad);
      await tf.setBackend("wasm");
      cpu.forEach((v, i) => expect(wasm[i]).toBeCloseTo(v, 1));
    }
  });

  it("keeps the tensor count flat across training steps (conv, BatchNorm, exits)", async () => {
    const net = buildModel("resnet8", { baseWidth: 4 }, images.inputShape, images.numClasses, 8, { positions: [1, 2], every: 0 });
    const opt = createOptimizer("adam", 0.01);
    const train = splitOf(images, "train");
    await trainEpoch(net, train, { optimizer: opt, batchSize: 32, rng: new Rng(1), maxBatches: 1 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) await trainEpoch(net, train, { optimizer: opt, batchSize: 32, rng: new Rng(i) });
    expect(tf.memory().numTensors).toBe(before);
    // BatchNorm moving statistics moved away from their init.
    expect(Array.from(net.param("stem/moving-mean").variable.dataSync()).some((v) => v !== 0)).toBe(true);
    opt.dispose();
    net.dispose();
  });
});
