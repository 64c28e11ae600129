import * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { blas, expectAgreement } from "./agree.js";

// The pooling gradients need no BLAS but come with its kernels; the conv keeps the sgemm count moving.
const conv = (x: tf.Tensor, f: tf.Tensor): tf.Tensor4D => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "same");

describe.skipIf(!blas)("wasm pooling gradients agree with the cpu backend", () => {
  for (const [name, shape, size, stride, pad] of [
    ["LeNet-5 2×2 stride 2", [4, 10, 10, 3], 2, 2, "valid"],
    ["overlapping 3×3 stride 2 same", [2, 9, 7, 2], 3, 2, "same"],
    ["odd sizes, batch 1", [1, 5, 7, 4], 2, 2, "same"],
    ["1×1 stride 2 (ResNet shortcut)", [2, 8, 8, 3], 1, 2, "valid"],
    ["2×2 stride 2, odd sizes left over, batch 1", [1, 7, 9, 5], 2, 2, "valid"],
    ["3×3 stride 3 tiles, rows left over", [2, 11, 9, 3], 3, 3, "valid"],
  ] as const) {
    it(`maxPool and avgPool: ${name}`, async () => {
      const inputs = [
        { shape: [...shape], seed: 21 },
        { shape: [3, 3, shape[3], shape[3]], seed: 22 },
      ];
      await expectAgreement((x, f) => tf.maxPool(conv(x as tf.Tensor, f as tf.Tensor), size, stride, pad), inputs);
      await expectAgreement((x, f) => tf.avgPool(conv(x as tf.Tensor, f as tf.Tensor), size, stride, pad), inputs);
    });
  }

  it("maxPool gradient goes to the first of tied maxima", async () => {
    // Two inputs of the same seed hold the same values; interleaved along the width, every
    // window of a 2×2 or 3×3 pool holds ties between a and b, whose gradients then differ.
    const interleave = (a: tf.Tensor, b: tf.Tensor): tf.Tensor4D => {
      const [n = 0, h = 0, w = 0, c = 0] = a.shape;
      return tf.reshape(tf.stack([a, b], 3), [n, h, 2 * w, c]);
    };
    for (const [shape, size] of [
      [[2, 6, 5, 3], 2],
      [[1, 7, 3, 2], 3],
    ] as const) {
      const inputs = [
        { shape: [...shape], seed: 31 },
        { shape: [...shape], seed: 31 },
      ];
      await expectAgreement((a, b) => tf.maxPool(tf.relu(interleave(a as tf.Tensor, b as tf.Tensor)), size, size, "valid"), inputs, [0, 1], undefined, 1e-4, false);
    }
  });
});
