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
});
