import * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { blas, expectAgreement } from "./agree.js";

describe.skipIf(!blas)("wasm Sum over leading axes (sgemm) agrees with the cpu backend", () => {
  for (const [name, shape, axis, keepDims] of [
    ["conv bias gradient (NHWC, axes 0-2)", [3, 5, 7, 6], [0, 1, 2], false],
    ["dense bias gradient (axis 0), batch 1", [1, 9], 0, false],
    ["keepDims, negative axes given out of order", [4, 3, 5], [-2, 0], true],
    ["every axis", [2, 3, 4], [0, 1, 2], false],
    ["not leading: the stock kernel", [2, 3, 4], [1, 2], false],
  ] as const) {
    it(name, async () => {
      const usesSgemm = name !== "not leading: the stock kernel";
      await expectAgreement((x) => tf.sum(x as tf.Tensor, axis as number | number[], keepDims), [{ shape: [...shape], seed: 31 }], [0], undefined, 1e-4, usesSgemm);
    });
  }
});
