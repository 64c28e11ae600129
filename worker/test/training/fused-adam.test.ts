import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { describe, expect, it } from "vitest";
import { MaskedAdam, isMaskedAdam } from "../../src/training/fused-adam.js";

const SHAPES = [[7, 5], [5], [3, 3, 2, 4]];
const seeded = (shape: number[], seed: number): tf.Tensor => tf.randomUniform(shape, -1, 1, "float32", seed);

/** Three masked Adam steps; the weights and the optimizer's slots afterwards. */
async function steps(backend: string, make: () => tf.Optimizer, fused: boolean): Promise<{ weights: Float32Array[]; slots: { name: string; values: Float32Array }[] }> {
  await tf.setBackend(backend);
  const vars = SHAPES.map((s, i) => tf.variable(seeded(s, i + 1), true, `fa${backend}${fused}${i}`));
  const masks = new Map(vars.map((v, i) => [v.name, tf.tidy(() => tf.cast(tf.greater(seeded(v.shape, 50 + i), 0), "float32"))]));
  const opt = make();
  for (let step = 0; step < 3; step++) {
    const grads: tf.NamedTensorMap = Object.fromEntries(vars.map((v, i) => [v.name, seeded(v.shape, 100 * step + i)]));
    if (fused && isMaskedAdam(opt)) {
      opt.applyMasked(grads, masks);
    } else {
      tf.tidy(() => {
        opt.applyGradients(Object.fromEntries(vars.map((v) => [v.name, tf.mul(grads[v.name] as tf.Tensor, masks.get(v.name) as tf.Tensor)])));
        for (const v of vars) v.assign(tf.mul(v, masks.get(v.name) as tf.Tensor));
      });
    }
    tf.dispose(Object.values(grads));
  }
  const weights = vars.map((v) => Float32Array.from(v.dataSync()));
  const slots = (await opt.getWeights()).map((w) => ({ name: w.name.replace(/^fa\w+?(\d)\//, "$1/"), values: Float32Array.from(w.tensor.dataSync()) }));
  opt.dispose();
  tf.dispose([...vars, ...masks.values()]);
  return { weights, slots };
}

const close = (a: Float32Array, b: Float32Array): void => {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 1e-12;
  b.forEach((v, i) => {
    d = Math.max(d, Math.abs((a[i] ?? NaN) - v));
    m = Math.max(m, Math.abs(v));
  });
  expect(d / m).toBeLessThan(1e-5);
};

describe("MaskedAdam", () => {
  it("on wasm (in place over the heap) matches tf.train.adam with masked gradients and re-masked weights on cpu", async () => {
    const ref = await steps("cpu", () => tf.train.adam(0.01), false);
    const got = await steps("wasm", () => new MaskedAdam(0.01), true);
    ref.weights.forEach((w, i) => close(got.weights[i] ?? new Float32Array(), w));
    // Same slots, same names: checkpoints of either are interchangeable.
    expect(got.slots.map((s) => s.name)).toEqual(ref.slots.map((s) => s.name));
    ref.slots.forEach((s, i) => close(got.slots[i]?.values ?? new Float32Array(), s.values));
    // Pruned weights stay exactly zero.
    expect(got.weights.every((w) => w.some((v) => v === 0))).toBe(true);
  });

  it("on wasm with the JS loop (PRUNESWEEP_ADAM=js, as where the SIMD module cannot run) matches it too, and the SIMD update to float rounding", async () => {
    const ref = await steps("cpu", () => tf.train.adam(0.01), false);
    const simd = await steps("wasm", () => new MaskedAdam(0.01), true);
    process.env["PRUNESWEEP_ADAM"] = "js";
    try {
      const js = await steps("wasm", () => new MaskedAdam(0.01), true);
      ref.weights.forEach((w, i) => close(js.weights[i] ?? new Float32Array(), w));
      simd.weights.forEach((w, i) => close(js.weights[i] ?? new Float32Array(), w));
      // Not the same code: float32 vs float64 arithmetic differ somewhere.
      expect(simd.weights.some((w, i) => w.some((x, j) => x !== js.weights[i]?.[j]))).toBe(true);
    } finally {
      delete process.env["PRUNESWEEP_ADAM"];
    }
  });

  it("on wasm, a conv or matmul after the step uses the new weights (not the module's packed copy of the old)", async () => {
    await tf.setBackend("wasm");
    const x = seeded([1, 5, 5, 2], 7);
    const a = seeded([3, 4], 8);
    const kernel = tf.variable(seeded([3, 3, 2, 3], 9), true, "fa-conv-kernel");
    const dense = tf.variable(seeded([4, 3], 10), true, "fa-dense-kernel");
    const conv = (): tf.Tensor => tf.conv2d(x as tf.Tensor4D, kernel as unknown as tf.Tensor4D, 1, "same");
    const mm = (): tf.Tensor => tf.matMul(a, dense);
    const opt = new MaskedAdam(0.1);
    // Two steps with forward passes before each (they make the module pack the weights); the
    // second is wholly in place (the first may copy weights that share their data).
    for (const seed of [11, 13]) {
      tf.dispose([conv(), mm()]);
      opt.applyMasked({ [kernel.name]: seeded(kernel.shape, seed), [dense.name]: seeded(dense.shape, seed + 1) });
    }
    // What a fresh copy of the updated weights gives.
    const want = tf.tidy(() => [tf.conv2d(x as tf.Tensor4D, tf.add(kernel, 0) as tf.Tensor4D, 1, "same"), tf.matMul(a, tf.add(dense, 0))]);
    const got = [conv(), mm()];
    got.forEach((g, i) => close(g.dataSync() as Float32Array, (want[i] as tf.Tensor).dataSync() as Float32Array));
    opt.dispose();
    tf.dispose([x, a, kernel, dense, ...want, ...got]);
  });

  it("elsewhere falls back to tensor ops, with the same result", async () => {
    const ref = await steps("cpu", () => tf.train.adam(0.01), false);
    const got = await steps("cpu", () => new MaskedAdam(0.01), true);
    ref.weights.forEach((w, i) => close(got.weights[i] ?? new Float32Array(), w));
  });

  it("is told apart from other optimizers (tfjs's instanceof matches any)", () => {
    const sgd = tf.train.sgd(0.1);
    expect(sgd instanceof MaskedAdam).toBe(true);
    expect(isMaskedAdam(sgd)).toBe(false);
    expect(isMaskedAdam(new MaskedAdam(0.1))).toBe(true);
  });

  it("restores its slots with setWeights and continues identically", async () => {
    await tf.setBackend("wasm");
    const v = tf.variable(seeded([4, 3], 9), true, "fa-restore");
    const g = () => ({ "fa-restore": seeded([4, 3], 10) });
    const a = new MaskedAdam(0.05);
    a.applyGradients([{ name: "fa-restore", tensor: seeded([4, 3], 10) }]);
    const saved = (await a.getWeights()).map((w) => ({ name: w.name, tensor: w.tensor.clone() }));
    const w1 = v.dataSync().slice();
    a.applyMasked(g());
    const after = v.dataSync().slice();
    v.assign(tf.tensor(w1, [4, 3]));
    const b = new MaskedAdam(0.05);
    await b.setWeights(saved);
    b.applyMasked(g());
    close(v.dataSync() as Float32Array, after as Float32Array);
    a.dispose();
    b.dispose();
    v.dispose();
  });
});
