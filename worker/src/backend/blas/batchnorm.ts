/**
 * Training-mode BatchNorm as two kernels for the wasm backend (sgemms and native copies over
 * the heap): tfjs composes it from ~12 ops forward (moments, normalise, scale, shift) and ~30
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
import type { Sgemm } from "./library.js";
import { ones } from "./reduce.js";

export const BATCH_NORM_TRAIN = "PrunesweepBatchNormTrain";
export const BATCH_NORM_TRAIN_GRAD = "PrunesweepBatchNormTrainGrad";

interface Attrs {
  readonly epsilon: number;
}

/** Per-channel sums of x [n, c]: 1ᵀ·x. */
function columnSums(sgemm: Sgemm, x: Float32Array, n: number, c: number): Float32Array {
  const out = new Float32Array(c);
  sgemm(false, false, 1, c, n, 1, ones(n), n, x, c, 0, out, c);
  return out;
}

/** Per-channel Σ a·b over the rows of a, b [n, c]: the diagonal of aᵀ·b. */
function columnDots(sgemm: Sgemm, a: Float32Array, b: Float32Array, n: number, c: number): Float32Array {
  const g = new Float32Array(c * c);
  sgemm(true, false, c, c, n, 1, a, c, b, c, 0, g, c);
  const out = new Float32Array(c);
  for (let j = 0; j < c; j++) out[j] = g[j * c + j] ?? 0;
  return out;
}

/** out ← rows of `row` (doubling native copies), then out += x·diag(d) for each (x, d). */
function affine(sgemm: Sgemm, out: Float32Array, n: number, c: number, row: Float32Array, terms: readonly [Float32Array, Float32Array][]): void {
  if (n === 0) return;
  out.set(row);
  for (let filled = c; filled < out.length; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, out.length - filled));
  const diag = new Float32Array(c * c);
  for (const [x, d] of terms) {
    for (let j = 0; j < c; j++) diag[j * c + j] = d[j] ?? 0;
    sgemm(false, false, n, c, c, 1, x, c, diag, c, 1, out, c);
  }
}

/**
 * Inputs x, scale, offset; outputs y, mean, variance, invStd. The reductions and the affine map
 * are sgemms (1ᵀ·x, diag(xᵀ·x), x·diag(a)): per element they beat a JS loop several times.
 */
export function batchNormTrainKernel(sgemm: Sgemm) {
  return (args: KernelArgs<{ x: tf.TensorInfo; scale: tf.TensorInfo; offset: tf.TensorInfo }, Attrs>): tf.TensorInfo[] => {
    const { x, scale, offset } = args.inputs;
    const { backend } = args;
    const c = x.shape[x.shape.length - 1] ?? 1;
    const n = c > 0 ? size(x.shape) / c : 0;
    const outs = [backend.makeOutput([...x.shape], "float32"), backend.makeOutput([c], "float32"), backend.makeOutput([c], "float32"), backend.makeOutput([c], "float32")] as const;
    const [yv, mv, vv, iv] = outs.map((o) => view(backend, o)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const xv = view(backend, x);
    const g = view(backend, scale);
    const b = view(backend, offset);
    const sums = columnSums(sgemm, xv, n, c);
    const squares = columnDots(sgemm, xv, xv, n, c);
    const a = new Float32Array(c);
    const shift = new Float32Array(c);
    for (let j = 0; j < c; j++) {
      const mean = n > 0 ? (sums[j] ?? 0) / n : 0;
      const variance = n > 0 ? Math.max(0, (squares[j] ?? 0) / n - mean * mean) : 0;
      const inv = 1 / Math.sqrt(variance + args.attrs.epsilon);
      mv[j] = mean;
      vv[j] = variance;
      iv[j] = inv;
      a[j] = inv * (g[j] ?? 0);
      shift[j] = (b[j] ?? 0) - mean * (a[j] ?? 0);
    }
    affine(sgemm, yv, n, c, shift, [[xv, a]]);
    return [...outs];
  };
}

/** Inputs dy, x, mean, invStd, scale; outputs dx, dScale, dOffset. */
export function batchNormTrainGradKernel(sgemm: Sgemm) {
  return (args: KernelArgs<{ dy: tf.TensorInfo; x: tf.TensorInfo; mean: tf.TensorInfo; invStd: tf.TensorInfo; scale: tf.TensorInfo }, unknown>): tf.TensorInfo[] => {
    const { dy, x, mean, invStd, scale } = args.inputs;
    const { backend } = args;
    const c = x.shape[x.shape.length - 1] ?? 1;
    const n = c > 0 ? size(x.shape) / c : 0;
    const outs = [backend.makeOutput([...x.shape], "float32"), backend.makeOutput([c], "float32"), backend.makeOutput([c], "float32")] as const;
    const [dxv, dsv, dov] = outs.map((o) => view(backend, o)) as [Float32Array, Float32Array, Float32Array];
    const g = view(backend, dy);
    const xv = view(backend, x);
    const m = view(backend, mean);
    const inv = view(backend, invStd);
    const s = view(backend, scale);
    const sumDy = columnSums(sgemm, g, n, c);
    const sumDyX = columnDots(sgemm, g, xv, n, c);
    // dx = A·dy + B·x + C per channel.
    const A = new Float32Array(c);
    const B = new Float32Array(c);
    const C = new Float32Array(c);
    for (let j = 0; j < c; j++) {
      const is = inv[j] ?? 0;
      const mj = m[j] ?? 0;
      const dOffset = sumDy[j] ?? 0;
      const dScale = is * ((sumDyX[j] ?? 0) - mj * dOffset);
      dsv[j] = dScale;
      dov[j] = dOffset;
      const k = (s[j] ?? 0) * is;
      A[j] = k;
      B[j] = n > 0 ? (-k * is * dScale) / n : 0;
      C[j] = n > 0 ? (-k * dOffset) / n - (B[j] ?? 0) * mj : 0;
    }
    affine(sgemm, dxv, n, c, C, [
      [g, A],
      [xv, B],
    ]);
    return [...outs];
  };
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
