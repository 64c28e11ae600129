/** Training (updates as on the cpu backend to 1e-3 relative) through the BLAS kernels follows the cpu backend step for step (LeNet-5, ResNet-8, LeNet-300-100). */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { uninstallBlasKernels } from "../../../src/backend/blas/install.js";
import { Rng } from "../../../src/data/rng.js";
import { splitExamples } from "../../../src/data/load-dataset.js";
import { generateSynthetic } from "../../../src/data/synthetic.js";
import { splitOf } from "../../../src/data/types.js";
import { buildModel } from "../../../src/models/registry.js";
import { createOptimizer } from "../../../src/training/optimizers.js";
import { trainEpoch } from "../../../src/training/train.js";
import { blas, relErr, sgemmCalls, useBlasWasm } from "./agree.js";

const images = splitExamples({ ...generateSynthetic({ samples: 96, features: 16 * 16, classes: 10, seed: 5 }), inputShape: [16, 16, 1] }, { train: 0.75, validation: 0.125, test: 0.125 }, 5, 0);

/** What three SGD steps of `model` from its seeded init change in each parameter, on the active backend. */
async function trained(model: string, options: Record<string, unknown>): Promise<Float32Array[]> {
  const net = buildModel(model, options, images.inputShape, images.numClasses, 3, { positions: [], every: 0 });
  const init = net.params().map((p) => Float32Array.from(p.variable.dataSync()));
  const opt = createOptimizer("sgd", 0.05);
  await trainEpoch(net, splitOf(images, "train"), { optimizer: opt, batchSize: 24, rng: new Rng(2), maxBatches: 3 });
  const w = net.params().map((p, i) => (p.variable.dataSync() as Float32Array).map((v, j) => v - (init[i]?.[j] ?? 0)));
  opt.dispose();
  net.dispose();
  return w;
}

describe.skipIf(!blas)("training on wasm with the BLAS kernels", () => {
  for (const [model, options] of [
    ["lenet5", {}],
    ["resnet8", { baseWidth: 4 }],
    ["lenet-300-100", {}],
  ] as const) {
    it(`${model}: three SGD steps change the weights as on the cpu backend`, async () => {
      await tf.setBackend("cpu");
      const ref = await trained(model, options);
      await useBlasWasm();
      const before = sgemmCalls.n;
      const got = await trained(model, options);
      expect(sgemmCalls.n).toBeGreaterThan(before);
      ref.forEach((r, i) => expect(relErr(got[i] ?? new Float32Array(), r), `parameter ${i}`).toBeLessThan(1e-3));
    });
  }

  it("uninstalling restores the kernels it replaced", async () => {
    await useBlasWasm();
    const blasKernel = tf.getKernel("Conv2DBackpropInput", "wasm")?.kernelFunc;
    uninstallBlasKernels();
    expect(tf.getKernel("Conv2DBackpropInput", "wasm")?.kernelFunc).not.toBe(blasKernel);
    expect(tf.getKernel("Conv2DBackpropInput", "wasm")?.kernelFunc.name).toBe("conv2DBackpropInput");
    await useBlasWasm();
  });
});
