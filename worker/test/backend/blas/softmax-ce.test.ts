import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { installBlasKernels, uninstallBlasKernels } from "../../../src/backend/blas/install.js";
import { SOFTMAX_CE, softmaxCrossEntropy } from "../../../src/backend/blas/softmax-ce.js";
import { blas, expectAgreement, useBlasWasm } from "./agree.js";

const stock = (labels: tf.Tensor, logits: tf.Tensor): tf.Tensor => tf.losses.softmaxCrossEntropy(labels, logits);
const fused = (labels: tf.Tensor, logits: tf.Tensor): tf.Tensor => softmaxCrossEntropy(labels as tf.Tensor2D, logits as tf.Tensor2D);

describe.skipIf(!blas)("fused softmax cross-entropy on wasm agrees with tf.losses.softmaxCrossEntropy on the cpu backend", () => {
  for (const [name, shape] of [
    ["a training batch", [64, 10]],
    ["batch 1", [1, 3]],
    ["odd sizes", [7, 5]],
  ] as const) {
    it(`${name}: loss and the gradients of labels (any values, rows not summing to 1) and logits`, async () => {
      const inputs = [
        { shape: [...shape], seed: 51 },
        { shape: [...shape], seed: 52 },
      ];
      await expectAgreement(fused, inputs, [0, 1], stock, 1e-4, false);
    });
  }

  it("runs as one kernel on wasm, as tfjs's op without the BLAS kernels (PRUNESWEEP_BLAS=off)", async () => {
    await useBlasWasm();
    const y = tf.oneHot([1, 0], 3).toFloat() as tf.Tensor2D;
    const z = tf.tensor2d([
      [1, 2, 3],
      [0, -1, 4],
    ]);
    const want = stock(y, z).dataSync()[0] ?? NaN;
    const calls: string[] = [];
    const profile = await tf.profile(() => softmaxCrossEntropy(y, z));
    calls.push(...profile.kernelNames);
    expect(calls).toEqual([SOFTMAX_CE]);
    uninstallBlasKernels();
    const fallback = await tf.profile(() => softmaxCrossEntropy(y, z));
    expect(fallback.kernelNames).not.toContain(SOFTMAX_CE);
    expect(softmaxCrossEntropy(y, z).dataSync()[0]).toBeCloseTo(want, 5);
    if (blas) installBlasKernels(blas);
    tf.dispose([y, z]);
  });

  it("refuses labels and logits of different shapes", async () => {
    await useBlasWasm();
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(/differ in shape/);
  });
});
