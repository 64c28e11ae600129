/**
 * Training-mode BatchNorm as two kernels for the wasm backend (JS over the heap, one pass per
 * statistic): tfjs composes it from ~12 ops forward (moments, normalise, scale, shift) and ~30
 * backward (every broadcast undone by a Sum), which in a ResNet-8 step took more time than the
 * convolutions' BLAS kernels (bench/compute/profile.mjs). Over the last axis of x (channels):
 *
 *   forward: mean, variance (biased, as tf.moments), invStd = 1/√(variance + ε),
 *            y = (x − mean)·invStd·scale + offset
 *   gradient: dOffset = Σ dy, dScale = invStd·Σ dy·(x − mean),
 *             dx = scale·invStd·(dy − dOffset/n − (x − mean)·invStd·dScale/n)
 *
 * Registered only with the other BLAS kernels (install.ts); {@link batchNormTraining} runs them
 * where they are registered for the active backend and returns undefined elsewhere (the caller
 * then composes tensor ops).
 */
import * as tf from "@tensorflow/tfjs";
import { size, view, type KernelArgs } from "./heap.js";

export const BATCH_NORM_TRAIN = "PrunesweepBatchNormTrain";
export const BATCH_NORM_TRAIN_GRAD = "PrunesweepBatchNormTrainGrad";

interface Attrs {
  readonly epsilon: number;
}

/** Inputs x, scale, offset; outputs y, mean, variance, invStd. */
export function batchNormTrainKernel(args: KernelArgs<{ x: tf.TensorInfo; scale: tf.TensorInfo; offset: tf.TensorInfo }, Attrs>): tf.TensorInfo[] {
  const { x, scale, offset } = args.inputs;
  const { backend } = args;
  const c = x.shape[x.shape.length - 1] ?? 1;
  const n = size(x.shape) / Math.max(c, 1);
  const outs = [backend.makeOutput([...x.shape], "float32"), backend.makeOutput([c], "float32"), backend.makeOutput([c], "float32"), backend.makeOutput([c], "float32")] as const;
  const [yv, mv, vv, iv] = outs.map((o) => view(backend, o)) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const xv = view(backend, x);
  const g = view(backend, scale);
  const b = view(backend, offset);
  const acc = new Float64Array(c);
  for (let r = 0; r < xv.length; r += c) for (let j = 0; j < c; j++) acc[j] = (acc[j] ?? 0) + (xv[r + j] ?? 0);
  const mean = acc.map((s) => (n > 0 ? s / n : 0));
  acc.fill(0);
  for (let r = 0; r < xv.length; r += c) {
    for (let j = 0; j < c; j++) {
      const d = (xv[r + j] ?? 0) - (mean[j] ?? 0);
      acc[j] = (acc[j] ?? 0) + d * d;
    }
  }
  const a = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const variance = n > 0 ? (acc[j] ?? 0) / n : 0;
    const inv = 1 / Math.sqrt(variance + args.attrs.epsilon);
    mv[j] = mean[j] ?? 0;
    vv[j] = variance;
    iv[j] = inv;
    a[j] = inv * (g[j] ?? 0);
    shift[j] = (b[j] ?? 0) - (mean[j] ?? 0) * (a[j] ?? 0);
  }
  for (let r = 0; r < xv.length; r += c) for (let j = 0; j < c; j++) yv[r + j] = (xv[r + j] ?? 0) * (a[j] ?? 0) + (shift[j] ?? 0);
  return [...outs];
}

/** Inputs dy, x, mean, invStd, scale; outputs dx, dScale, dOffset. */
export function batchNormTrainGradKernel(
  args: KernelArgs<{ dy: tf.TensorInfo; x: tf.TensorInfo; mean: tf.TensorInfo; invStd: tf.TensorInfo; scale: tf.TensorInfo }, unknown>,
): tf.TensorInfo[] {
  const { dy, x, mean, invStd, scale } = args.inputs;
  const { backend } = args;
  const c = x.shape[x.shape.length - 1] ?? 1;
  const n = size(x.shape) / Math.max(c, 1);
  const outs = [backend.makeOutput([...x.shape], "float32"), backend.makeOutput([c], "float32"), backend.makeOutput([c], "float32")] as const;
  const [dxv, dsv, dov] = outs.map((o) => view(backend, o)) as [Float32Array, Float32Array, Float32Array];
  const g = view(backend, dy);
  const xv = view(backend, x);
  const m = view(backend, mean);
  const inv = view(backend, invStd);
  const s = view(backend, scale);
  const sumDy = new Float64Array(c);
  const sumDyX = new Float64Array(c);
  for (let r = 0; r < xv.length; r += c) {
    for (let j = 0; j < c; j++) {
      const d = g[r + j] ?? 0;
      sumDy[j] = (sumDy[j] ?? 0) + d;
      sumDyX[j] = (sumDyX[j] ?? 0) + d * ((xv[r + j] ?? 0) - (m[j] ?? 0));
    }
  }
  // dx = A·dy + B·x + C per channel.
  const A = new Float32Array(c);
  const B = new Float32Array(c);
  const C = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const is = inv[j] ?? 0;
    const dScale = is * (sumDyX[j] ?? 0);
    dsv[j] = dScale;
    dov[j] = sumDy[j] ?? 0;
    const k = (s[j] ?? 0) * is;
    A[j] = k;
    B[j] = n > 0 ? (-k * is * dScale) / n : 0;
    C[j] = n > 0 ? (-k * (sumDy[j] ?? 0)) / n - (B[j] ?? 0) * (m[j] ?? 0) : 0;
  }
  for (let r = 0; r < xv.length; r += c) for (let j = 0; j < c; j++) dxv[r + j] = (A[j] ?? 0) * (g[r + j] ?? 0) + (B[j] ?? 0) * (xv[r + j] ?? 0) + (C[j] ?? 0);
  return [...outs];
}

let gradientRegistered = false;

/** The gradient of {@link BATCH_NORM_TRAIN} (registered once, for every backend). */
export function registerBatchNormGradient(): void {
  if (gradientRegistered) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: BATCH_NORM_TRAIN,
    inputsToSave: ["x", "scale"],
    outputsToSave: [false, true, false, true],
    gradFunc: (dys, saved) => {
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [x, scale, mean, invStd] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const [dx, dScale, dOffset] = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy: dy as tf.Tensor, x, mean, invStd, scale }, {}) as tf.Tensor[];
      return { x: () => dx as tf.Tensor, scale: () => dScale as tf.Tensor, offset: () => dOffset as tf.Tensor };
    },
  });
}

/**
 * Training-mode BatchNorm of x over its last axis on the fused kernels, with the batch mean and
 * (biased) variance; undefined where the kernels are not registered for the active backend or x
 * is not float32.
 */
export function batchNormTraining(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } | undefined {
  if (x.dtype !== "float32" || scale.dtype !== "float32" || offset.dtype !== "float32" || x.rank < 2) return undefined;
  const backend = tf.getBackend();
  if (!tf.getKernel(BATCH_NORM_TRAIN, backend) || !tf.getKernel(BATCH_NORM_TRAIN_GRAD, backend)) return undefined;
  const c = x.shape[x.rank - 1];
  if (scale.size !== c || offset.size !== c) throw new Error(`batch norm: scale and offset need ${c} values (the last axis of x ${JSON.stringify(x.shape)}), got ${scale.size} and ${offset.size}`);
  const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, scale: tf.reshape(scale, [c]), offset: tf.reshape(offset, [c]) }, { epsilon }) as tf.Tensor[];
  return { y: y as tf.Tensor, mean: mean as tf.Tensor, variance: variance as tf.Tensor };
}
