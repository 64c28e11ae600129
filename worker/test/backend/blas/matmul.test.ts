import * as tf from "@tensorflow/tfjs";
import { describe, it } from "vitest";
import { blas, expectAgreement } from "./agree.js";

describe.skipIf(!blas)("BLAS BatchMatMul and _FusedMatMul on wasm agree with the cpu backend", () => {
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [];
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      // An LeNet-300-100 layer, odd sizes, batch 1, a vector product.
      for (const [m, k, n] of [
        [64, 784, 300],
        [7, 13, 5],
        [1, 300, 100],
        [3, 1, 9],
      ] as const) {
        cases.push({ a: ta ? [k, m] : [m, k], b: tb ? [n, k] : [k, n], ta, tb });
      }
    }
  }
  for (const c of cases) {
    it(`matMul ${JSON.stringify(c.a)}${c.ta ? "ᵀ" : ""} · ${JSON.stringify(c.b)}${c.tb ? "ᵀ" : ""}`, async () => {
      await expectAgreement((a, b) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, c.ta, c.tb), [
        { shape: c.a, seed: 1 },
        { shape: c.b, seed: 2 },
      ]);
    });
  }

  it("batched, with gradients, every transpose combination", async () => {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        await expectAgreement((a, b) => tf.matMul(a, b, ta, tb), [
          { shape: ta ? [2, 3, 4, 5] : [2, 3, 5, 4], seed: 3 },
          { shape: tb ? [2, 3, 6, 4] : [2, 3, 4, 6], seed: 4 },
        ]);
      }
    }
  });

  // Forward only: tfjs 4.22's BatchMatMul gradient does not reduce broadcast batches, and its
  // cpu kernel broadcasts only a batch of 1, so the reference broadcasts explicitly first.
  it("broadcasts batch dimensions, transposed or not", async () => {
    for (const [sa, sb, ta, tb] of [
      [[2, 3, 5, 4], [3, 4, 6], false, false],
      [[2, 1, 4, 5], [1, 3, 6, 4], true, true],
      [[4, 5, 7], [7, 3], false, false],
      [[5, 4], [3, 2, 5, 6], true, false],
      [[1, 4, 5], [2, 6, 5], false, true],
    ] as const) {
      const batch = tf.backend_util.assertAndGetBroadcastShape(sa.slice(0, -2), sb.slice(0, -2));
      await expectAgreement(
        (a, b) => tf.matMul(a, b, ta, tb),
        [
          { shape: [...sa], seed: 3 },
          { shape: [...sb], seed: 4 },
        ],
        [],
        (a, b) => tf.matMul(tf.broadcastTo(a, [...batch, ...sa.slice(-2)]), tf.broadcastTo(b, [...batch, ...sb.slice(-2)]), ta, tb),
      );
    }
  });

  it("fuses bias and every activation", async () => {
    for (const activation of ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"] as const) {
      for (const [ta, tb] of [
        [false, false],
        [true, true],
      ] as const) {
        await expectAgreement(
          (a, b, bias, prelu) =>
            tf.fused.matMul({
              a: a as tf.Tensor2D,
              b: b as tf.Tensor2D,
              transposeA: ta,
              transposeB: tb,
              bias,
              activation,
              ...(activation === "prelu" && { preluActivationWeights: prelu }),
              leakyreluAlpha: 0.3,
            }),
          [
            { shape: ta ? [11, 6] : [6, 11], seed: 5 },
            { shape: tb ? [9, 11] : [11, 9], seed: 6 },
            { shape: [9], seed: 7 },
            { shape: [9], seed: 8 },
          ],
          // tfjs differentiates the fused op only through linear and relu.
          activation === "linear" || activation === "relu" ? [0, 1, 2] : [],
        );
      }
    }
  });
});
