/**
 * Mean softmax cross-entropy of [n, k] logits as one kernel, and its gradient as another, for
 * the wasm backend: tf.losses.softmaxCrossEntropy composes ~12 ops forward and ~15 backward,
 * each paying tfjs's per-op cost, on a [64, 10] tensor (bench/compute/profile.mjs counts a small
 * net's kernel calls per step). Per row i, with logp = log softmax(z_i):
 *
 *   loss = −(1/n)·Σ_i Σ_j y_ij·logp_ij,   dz_ij = (dy/n)·(exp(logp_ij) − y_ij),   dy_ij = −dz_ij
 *
 * as tf.losses.softmaxCrossEntropy without weights or smoothing (the sum over the batch divided
 * by n; its gradients take every label row to sum to 1, as one-hot and smoothed labels do).
 * Registered with the other BLAS kernels (install.ts); {@link softmaxCrossEntropy} falls back to
 * tfjs's op where they are not registered for the active backend.
 */
import * as tf from "@tensorflow/tfjs";
import { view, type KernelArgs } from "./heap.js";

export const SOFTMAX_CE = "PrunesweepSoftmaxCrossEntropy";
export const SOFTMAX_CE_GRAD = "PrunesweepSoftmaxCrossEntropyGrad";

/** Inputs labels, logits [n, k]; outputs the mean loss (a scalar) and log softmax(logits). */
export function softmaxCrossEntropyKernel(args: KernelArgs<{ labels: tf.TensorInfo; logits: tf.TensorInfo }, unknown>): tf.TensorInfo[] {
  const { labels, logits } = args.inputs;
  const { backend } = args;
  const [n = 0, k = 0] = logits.shape;
  const loss = backend.makeOutput([], "float32");
  const logp = backend.makeOutput([n, k], "float32");
  const l = view(backend, loss);
  const lp = view(backend, logp);
  const z = view(backend, logits);
  const y = view(backend, labels);
  let total = 0;
  for (let i = 0, r = 0; i < n; i++, r += k) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, z[r + j] ?? 0);
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp((z[r + j] ?? 0) - m);
    const logS = Math.log(s) + m;
    for (let j = 0; j < k; j++) {
      const v = (z[r + j] ?? 0) - logS;
      lp[r + j] = v;
      total -= (y[r + j] ?? 0) * v;
    }
  }
  l[0] = n > 0 ? total / n : 0;
  return [loss, logp];
}

/** Inputs dy (scalar), labels, logSoftmax; outputs the gradients of logits and labels. */
export function softmaxCrossEntropyGradKernel(args: KernelArgs<{ dy: tf.TensorInfo; labels: tf.TensorInfo; logSoftmax: tf.TensorInfo }, unknown>): tf.TensorInfo[] {
  const { dy, labels, logSoftmax } = args.inputs;
  const { backend } = args;
  const [n = 0, k = 0] = logSoftmax.shape;
  const dz = backend.makeOutput([n, k], "float32");
  const dl = backend.makeOutput([n, k], "float32");
  const dzv = view(backend, dz);
  const dlv = view(backend, dl);
  const lp = view(backend, logSoftmax);
  const y = view(backend, labels);
  const scale = n > 0 ? (view(backend, dy)[0] ?? 0) / n : 0;
  for (let i = 0; i < n * k; i++) {
    const d = scale * (Math.exp(lp[i] ?? 0) - (y[i] ?? 0));
    dzv[i] = d;
    dlv[i] = -d;
  }
  return [dz, dl];
}

let gradientRegistered = false;

/** The gradient of {@link SOFTMAX_CE} (registered once, for every backend). */
export function registerSoftmaxCrossEntropyGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: SOFTMAX_CE,
    inputsToSave: ["labels"],
    outputsToSave: [false, true],
    gradFunc: (dys, saved) => {
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [labels, logSoftmax] = saved as [tf.Tensor, tf.Tensor];
      const [dLogits, dLabels] = tf.engine().runKernel(SOFTMAX_CE_GRAD, { dy: dy as tf.Tensor, labels, logSoftmax }, {}) as tf.Tensor[];
      return { logits: () => dLogits as tf.Tensor, labels: () => dLabels as tf.Tensor };
    },
  });
}

/** Mean softmax cross-entropy of `logits` [n, k] against `labels` [n, k] (as tf.losses.softmaxCrossEntropy). */
export function softmaxCrossEntropy(labels: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  const backend = tf.getBackend();
  const fused =
    labels.dtype === "float32" && logits.dtype === "float32" && logits.rank === 2 && tf.getKernel(SOFTMAX_CE, backend) !== undefined && tf.getKernel(SOFTMAX_CE_GRAD, backend) !== undefined;
  if (!fused) return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  if (labels.shape[0] !== logits.shape[0] || labels.shape[1] !== logits.shape[1]) {
    throw new Error(`softmax cross-entropy: labels ${JSON.stringify(labels.shape)} and logits ${JSON.stringify(logits.shape)} differ in shape`);
  }
  const [loss] = tf.engine().runKernel(SOFTMAX_CE, { labels, logits }, {}) as tf.Tensor[];
  return loss as tf.Scalar;
}
