import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { rebindInPlace, view, type WasmBackend } from "../../../src/backend/blas/heap.js";
import { blas, expectAgreement, relErr, useBlasWasm, values } from "./agree.js";

type Pad = "valid" | "same" | [[number, number], [number, number], [number, number], [number, number]];

const cases: { name: string; x: number[]; f: number[]; stride: number | [number, number]; pad: Pad }[] = [
  { name: "LeNet-5 first conv (1 channel, 5×5, same)", x: [4, 28, 28, 1], f: [5, 5, 1, 6], stride: 1, pad: "same" },
  { name: "one channel, batch 1, asymmetric explicit padding (filter gradient: one sgemm over the taps)", x: [1, 7, 6, 1], f: [3, 2, 1, 4], stride: 1, pad: [[0, 0], [1, 0], [0, 1], [0, 0]] },
  { name: "one channel, grid of 4896 rows (filter gradient: the sgemm over the taps in two chunks)", x: [5, 30, 29, 1], f: [3, 3, 1, 4], stride: 1, pad: "same" },
  { name: "LeNet-5 second conv (valid)", x: [3, 14, 14, 6], f: [5, 5, 6, 16], stride: 1, pad: "valid" },
  { name: "ResNet 3×3 stride 2 same", x: [2, 9, 9, 8], f: [3, 3, 8, 12], stride: 2, pad: "same" },
  { name: "1×1 projection stride 2", x: [2, 8, 8, 4], f: [1, 1, 4, 6], stride: 2, pad: "valid" },
  { name: "1×1 pointwise", x: [1, 5, 5, 7], f: [1, 1, 7, 3], stride: 1, pad: "valid" },
  { name: "batch 1, odd sizes, unequal strides", x: [1, 11, 7, 3], f: [3, 2, 3, 5], stride: [2, 3], pad: "same" },
  { name: "explicit padding", x: [2, 6, 5, 2], f: [3, 3, 2, 4], stride: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  // At least 8 input channels: the filter gradient runs on BLAS too (fewer: on XNNPACK).
  { name: "BLAS filter gradient: odd sizes, explicit padding, unequal strides", x: [1, 7, 9, 10], f: [3, 2, 10, 5], stride: [2, 1], pad: [[0, 0], [2, 0], [1, 1], [0, 0]] },
  { name: "BLAS filter gradient: 1×1 pointwise", x: [2, 5, 5, 12], f: [1, 1, 12, 7], stride: 1, pad: "valid" },
  // From 2 input channels: one sgemm per filter tap on the stride phases (conv-shifted.ts).
  { name: "taps: unequal strides, sizes not multiples of them, valid", x: [1, 10, 9, 8], f: [3, 3, 8, 4], stride: [2, 3], pad: "valid" },
  { name: "taps: 1×1 stride 2 projection, 16 channels", x: [2, 7, 7, 16], f: [1, 1, 16, 8], stride: 2, pad: "valid" },
  { name: "taps: stride larger than the filter", x: [2, 9, 8, 9], f: [2, 2, 9, 3], stride: 3, pad: "same" },
  { name: "taps: ResNet 3×3 same, 16 channels, batch 1", x: [1, 6, 5, 16], f: [3, 3, 16, 8], stride: 1, pad: "same" },
  { name: "taps: odd sizes, asymmetric explicit padding", x: [2, 7, 6, 9], f: [2, 3, 9, 5], stride: 1, pad: [[0, 0], [1, 0], [2, 1], [0, 0]] },
  // An even count of 2 to 7 input channels: im2col + one sgemm, the forward's patches kept for
  // the filter gradient; the input gradient as transposed per-tap sgemms.
  { name: "thin: 4 channels, batch 1, same padding on odd sizes", x: [1, 7, 5, 4], f: [3, 4, 4, 5], stride: 1, pad: "same" },
  { name: "thin: 2 channels, stride 2", x: [2, 9, 8, 2], f: [3, 3, 2, 4], stride: 2, pad: "valid" },
  { name: "5 channels, stride 2 (odd: XNNPACK forward and filter gradient)", x: [2, 9, 8, 5], f: [3, 3, 5, 4], stride: 2, pad: "valid" },
  { name: "5×5 valid, batch 3 (im2col: the grid would be 3.6× the output)", x: [3, 9, 8, 8], f: [5, 5, 8, 4], stride: 1, pad: "valid" },
  { name: "filter as large as the input (im2col: the grid would be 9× the output)", x: [2, 3, 3, 8], f: [3, 3, 8, 3], stride: 1, pad: "valid" },
];

describe.skipIf(!blas)("BLAS conv kernels on wasm agree with the cpu backend (forward, input and filter gradients)", () => {
  for (const c of cases) {
    it(c.name, async () => {
      await expectAgreement((x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad), [
        { shape: c.x, seed: 11 },
        { shape: c.f, seed: 12 },
      ]);
    });
  }

  it("thin: two inputs of one shape through one filter, and one input through two geometries (kept patches are per input and geometry)", async () => {
    await expectAgreement(
      (a, b, f) => {
        const fa = f as tf.Tensor4D;
        const ya = tf.conv2d(a as tf.Tensor4D, fa, 1, "same");
        const yb = tf.conv2d(b as tf.Tensor4D, fa, 1, "same");
        const yc = tf.conv2d(a as tf.Tensor4D, fa, 1, "valid");
        return tf.add(tf.sum(tf.mul(ya, yb)), tf.sum(yc));
      },
      [
        { shape: [2, 6, 6, 6], seed: 16 },
        { shape: [2, 6, 6, 6], seed: 17 },
        { shape: [3, 3, 6, 4], seed: 18 },
      ],
    );
  });

  it("thin: a forward after its input was written in place (rebindInPlace) does not reuse the kept patches", async () => {
    await useBlasWasm();
    const shape: [number, number, number, number] = [2, 5, 6, 4];
    const x = tf.tensor4d(values(shape, 41), shape);
    const f = tf.tensor4d(values([3, 3, 4, 5], 42), [3, 3, 4, 5]);
    tf.conv2d(x, f, 1, "same").dispose();
    const backend = tf.backend() as unknown as WasmBackend;
    view(backend, x).set(values(shape, 43));
    rebindInPlace(backend, x);
    const got = tf.conv2d(x, f, 1, "same").dataSync() as Float32Array;
    const want = tf.conv2d(tf.tensor4d(values(shape, 43), shape), f, 1, "same").dataSync() as Float32Array;
    expect(relErr(got, want)).toBeLessThan(1e-6);
  });

  it("fused conv2d with bias and activations", async () => {
    for (const activation of ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu"] as const) {
      await expectAgreement(
        (x, f, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: activation === "relu" ? 1 : 2, pad: "same", bias: b, activation, leakyreluAlpha: 0.1 }),
        [
          { shape: [2, 7, 7, 3], seed: 13 },
          { shape: [3, 3, 3, 4], seed: 14 },
          { shape: [4], seed: 15 },
        ],
        activation === "linear" || activation === "relu" ? [0, 1, 2] : [],
      );
    }
  });
});
