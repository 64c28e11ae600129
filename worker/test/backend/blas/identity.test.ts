import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { blas, expectAgreement, useBlasWasm } from "./agree.js";

describe.skipIf(!blas)("wasm Identity and same-dtype Cast share the input's data", () => {
  it("ReLU's gradient (a float32 cast of its step mask) agrees with the cpu backend", async () => {
    await expectAgreement((x) => tf.relu(x as tf.Tensor), [{ shape: [3, 5, 4], seed: 41 }], [0], undefined, 1e-4, false);
  });

  it("a cast to another dtype still converts (stock kernel)", async () => {
    await useBlasWasm();
    const x = tf.tensor([1.7, -2.2, 3.5]);
    expect(Array.from(tf.cast(x, "int32").dataSync())).toEqual([1, -2, 3]);
    x.dispose();
  });

  it("the shared data outlives the input", async () => {
    await useBlasWasm();
    const x = tf.tensor([1, 2, 3]);
    const y = tf.cast(x, "float32");
    const z = tf.clone(x);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(z.dataSync())).toEqual([1, 2, 3]);
    tf.dispose([y, z]);
  });
});
