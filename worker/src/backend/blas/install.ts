/**
 * Puts the BLAS-backed kernels on the wasm backend through tf.registerKernel (the public
 * extension point), keeping the kernels they replace to fall back on (non-float inputs, layouts
 * they do not cover) and to restore with {@link uninstallBlasKernels}.
 */
import * as tf from "@tensorflow/tfjs";
import type { BlasLibrary } from "./library.js";
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, batchNormTrainGradKernel, batchNormTrainKernel, registerBatchNormGradient } from "./batchnorm.js";
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel, fusedConv2dKernel } from "./conv.js";
import { castKernel, identityKernel } from "./identity.js";
import { batchMatMulKernel, fusedMatMulKernel, type StockKernel } from "./matmul.js";
import { avgPoolGradKernel, maxPoolGradKernel } from "./pool.js";
import { sumKernel } from "./reduce.js";
import { SOFTMAX_CE, SOFTMAX_CE_GRAD, registerSoftmaxCrossEntropyGradient, softmaxCrossEntropyGradKernel, softmaxCrossEntropyKernel } from "./softmax-ce.js";
type KernelMaker = (blas: BlasLibrary, stock: StockKernel | undefined) => unknown;

const KERNELS: Readonly<Record<string, KernelMaker>> = {
  BatchMatMul: (blas, stock) => batchMatMulKernel(blas.sgemm, stock),
  _FusedMatMul: (blas, stock) => fusedMatMulKernel(blas.sgemm, stock),
  Conv2D: (blas, stock) => conv2dKernel(blas.sgemm, stock),
  FusedConv2D: (blas, stock) => fusedConv2dKernel(blas.sgemm, stock),
  Conv2DBackpropInput: (blas, stock) => conv2dBackpropInputKernel(blas.sgemm, stock),
  Conv2DBackpropFilter: (blas, stock) => conv2dBackpropFilterKernel(blas.sgemm, stock),
  MaxPoolGrad: (_blas, stock) => maxPoolGradKernel(stock),
  AvgPoolGrad: (_blas, stock) => avgPoolGradKernel(stock),
  Identity: (_blas, stock) => identityKernel(stock),
  Cast: (_blas, stock) => castKernel(stock),
  Sum: (blas, stock) => sumKernel(blas.sgemm, stock),
  [BATCH_NORM_TRAIN]: (blas) => batchNormTrainKernel(blas.sgemm),
  [BATCH_NORM_TRAIN_GRAD]: (blas) => batchNormTrainGradKernel(blas.sgemm),
  [SOFTMAX_CE]: () => softmaxCrossEntropyKernel,
  [SOFTMAX_CE_GRAD]: () => softmaxCrossEntropyGradKernel,
};

/** The kernels replaced, by name (undefined: there was none), while BLAS kernels are installed. */
let replaced: Map<string, tf.KernelConfig | undefined> | undefined;
let installedFor: BlasLibrary | undefined;

/** Registers the BLAS kernels for `wasm` (idempotent per library). */
export function installBlasKernels(blas: BlasLibrary): void {
  if (installedFor === blas) return;
  uninstallBlasKernels();
  registerBatchNormGradient();
  registerSoftmaxCrossEntropyGradient();
  const saved = new Map<string, tf.KernelConfig | undefined>();
  for (const [kernelName, make] of Object.entries(KERNELS)) {
    const stock = tf.getKernel(kernelName, "wasm");
    saved.set(kernelName, stock);
    if (stock) tf.unregisterKernel(kernelName, "wasm");
    const fallback = stock ? (args: unknown) => stock.kernelFunc(args as Parameters<tf.KernelFunc>[0]) : undefined;
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: make(blas, fallback) as tf.KernelFunc });
  }
  replaced = saved;
  installedFor = blas;
}

/** Puts the replaced kernels back (no-op when none are installed). */
export function uninstallBlasKernels(): void {
  if (!replaced) return;
  for (const [kernelName, stock] of replaced) {
    tf.unregisterKernel(kernelName, "wasm");
    if (stock) tf.registerKernel(stock);
  }
  replaced = undefined;
  installedFor = undefined;
}
