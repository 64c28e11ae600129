import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { batchNormTraining } from "../../../src/backend/blas/batchnorm.js";
import { installBlasKernels, uninstallBlasKernels } from "../../../src/backend/blas/install.js";
import { blas, expectAgreement, useBlasWasm } from "./agree.js";

const EPS = 1e-3;

/** What models/conv-layers.ts composes without the fused kernels. */
function reference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const { mean, variance } = tf.moments(x, [...Array(x.rank - 1).keys()]);
  return { y: tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPS))), gamma), beta), mean, variance };
}

function fused(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const r = batchNormTraining(x, gamma, beta, EPS);
  if (!r) throw new Error("the fused batch norm kernels are not registered");
  return r;
}

const shapes: { name: string; x: number[] }[] = [
  { name: "NHWC, odd sizes", x: [2, 5, 3, 7] },
  { name: "batch 1", x: [1, 4, 4, 3] },
  { name: "after a dense layer (rank 2)", x: [6, 5] },
  { name: "ResNet stage 1 sized", x: [8, 14, 14, 16] },
];

describe.skipIf(!blas)("fused training BatchNorm on wasm agrees with the tensor ops on the cpu backend", () => {
  for (const s of shapes) {
    const c = s.x[s.x.length - 1] ?? 1;
    const inputs = [
      { shape: s.x, seed: 21 },
      { shape: [c], seed: 22 },
      { shape: [c], seed: 23 },
    ];
    it(`${s.name}: output and the gradients of x, scale and offset`, async () => {
      await expectAgreement((x, g, b) => fused(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor).y, inputs, [0, 1, 2], (x, g, b) => reference(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor).y);
    });
    it(`${s.name}: batch mean and variance`, async () => {
      for (const stat of ["mean", "variance"] as const) {
        await expectAgreement((x, g, b) => fused(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor)[stat], inputs, [], (x, g, b) => reference(x as tf.Tensor, g as tf.Tensor, b as tf.Tensor)[stat]);
      }
    });
  }

  it("is not used without the BLAS kernels (PRUNESWEEP_BLAS=off) nor off wasm", async () => {
    await useBlasWasm();
    const x = tf.ones([2, 3]);
    const g = tf.ones([3]);
    expect(batchNormTraining(x, g, g, EPS)).toBeDefined();
    uninstallBlasKernels();
    expect(batchNormTraining(x, g, g, EPS)).toBeUndefined();
    if (blas) installBlasKernels(blas);
    await tf.setBackend("cpu");
    expect(batchNormTraining(tf.ones([2, 3]), tf.ones([3]), tf.ones([3]), EPS)).toBeUndefined();
    tf.dispose([x, g]);
  });

  it("refuses a scale of the wrong size", async () => {
    await useBlasWasm();
    expect(() => batchNormTraining(tf.ones([2, 3]), tf.ones([4]), tf.ones([3]), EPS)).toThrow(/scale and offset need 3 values/);
  });
});
