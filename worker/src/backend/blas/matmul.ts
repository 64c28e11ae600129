/**
 * BatchMatMul and _FusedMatMul for the wasm backend through cblas_sgemm: every transpose
 * combination and broadcast batch dimensions. The stock wasm BatchMatMul runs XNNPACK only when
 * neither operand is transposed, so both backward matmuls of a dense layer (dX = dY·Wᵀ,
 * dW = Xᵀ·dY) fall to a scalar loop there.
 */
import * as tf from "@tensorflow/tfjs";
import type { Sgemm } from "./library.js";
import { broadcastIndexer, size, view, type KernelArgs, type WasmBackend } from "./heap.js";

export type Activation = "linear" | "relu" | "relu6" | "elu" | "sigmoid" | "leakyrelu" | "prelu";

/** Adds the bias and applies the activation in place; the tensors broadcast to `shape`. */
export function biasActivation(
  backend: WasmBackend,
  out: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  activation: Activation | undefined,
  preluWeights: tf.TensorInfo | undefined,
  leakyreluAlpha: number | undefined,
): void {
  const y = view(backend, out);
  const n = y.length;
  if (bias) {
    const b = view(backend, bias);
    const bi = broadcastIndexer(out.shape, bias.shape);
    const last = bias.shape[bias.shape.length - 1] ?? 1;
    if (b.length === last && last === out.shape[out.shape.length - 1] && last > 0) {
      for (let r = 0; r < n; r += last) for (let j = 0; j < last; j++) y[r + j] = (y[r + j] ?? 0) + (b[j] ?? 0);
    } else {
      for (let i = 0; i < n; i++) y[i] = (y[i] ?? 0) + (b[bi(i)] ?? 0);
    }
  }
  switch (activation ?? "linear") {
    case "linear":
      return;
    case "relu":
      for (let i = 0; i < n; i++) if ((y[i] ?? 0) < 0) y[i] = 0;
      return;
    case "relu6":
      for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(y[i] ?? 0, 0), 6);
      return;
    case "elu":
      for (let i = 0; i < n; i++) {
        const v = y[i] ?? 0;
        if (v < 0) y[i] = Math.expm1(v);
      }
      return;
    case "sigmoid":
      for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-(y[i] ?? 0)));
      return;
    case "leakyrelu": {
      const alpha = leakyreluAlpha ?? 0.2;
      for (let i = 0; i < n; i++) {
        const v = y[i] ?? 0;
        if (v < 0) y[i] = alpha * v;
      }
      return;
    }
    case "prelu": {
      if (!preluWeights) throw new Error("prelu activation without preluActivationWeights");
      const w = view(backend, preluWeights);
      const wi = broadcastIndexer(out.shape, preluWeights.shape);
      for (let i = 0; i < n; i++) {
        const v = y[i] ?? 0;
        if (v < 0) y[i] = (w[wi(i)] ?? 0) * v;
      }
      return;
    }
  }
}

interface MatMulAttrs {
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/** op(a)·op(b) with broadcast batches into a new heap tensor. */
function matMul(sgemm: Sgemm, backend: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo, { transposeA, transposeB }: MatMulAttrs): tf.TensorInfo {
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = (transposeA ? a.shape[ar - 1] : a.shape[ar - 2]) ?? 1;
  const kA = (transposeA ? a.shape[ar - 2] : a.shape[ar - 1]) ?? 1;
  const kB = (transposeB ? b.shape[br - 1] : b.shape[br - 2]) ?? 1;
  const n = (transposeB ? b.shape[br - 2] : b.shape[br - 1]) ?? 1;
  if (kA !== kB) {
    throw new Error(`matMul: inner shapes (${kA}) and (${kB}) of tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match`);
  }
  const k = kA;
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const outBatch = tf.backend_util.assertAndGetBroadcastShape(aBatch, bBatch);
  const out = backend.makeOutput([...outBatch, m, n], "float32");
  const batches = size(outBatch);
  const mn = m * n;
  const y = view(backend, out);
  if (mn === 0) return out;
  if (k === 0) {
    y.fill(0);
    return out;
  }
  const av = view(backend, a);
  const bv = view(backend, b);
  const lda = transposeA ? m : k;
  const ldb = transposeB ? k : n;
  const aSize = m * k;
  const bSize = k * n;
  // One sgemm when b is shared and a's batches are rows of one matrix.
  if (size(bBatch) === 1 && !transposeA && size(aBatch) === batches) {
    sgemm(false, transposeB, batches * m, n, k, 1, av, lda, bv, ldb, 0, y, n);
    return out;
  }
  const ai = broadcastIndexer(outBatch, aBatch);
  const bi = broadcastIndexer(outBatch, bBatch);
  for (let i = 0; i < batches; i++) {
    const ao = ai(i) * aSize;
    const bo = bi(i) * bSize;
    sgemm(transposeA, transposeB, m, n, k, 1, av.subarray(ao, ao + aSize), lda, bv.subarray(bo, bo + bSize), ldb, 0, y.subarray(i * mn, (i + 1) * mn), n);
  }
  return out;
}

/** A kernel these replace (the fallback). */
export type StockKernel = (args: unknown) => tf.TensorInfo | tf.TensorInfo[];

/** The extra inputs and attributes of the fused ops. */
export interface Fused<I, A> {
  readonly inputs: I & { readonly bias?: tf.TensorInfo; readonly preluActivationWeights?: tf.TensorInfo };
  readonly attrs: A & { readonly activation?: Activation; readonly leakyreluAlpha?: number };
}

type FusedMatMulInputs = Fused<{ a: tf.TensorInfo; b: tf.TensorInfo }, MatMulAttrs>["inputs"];
type FusedMatMulAttrs = Fused<{ a: tf.TensorInfo; b: tf.TensorInfo }, MatMulAttrs>["attrs"];

const allFloat = (...ts: (tf.TensorInfo | undefined)[]): boolean => ts.every((t) => t === undefined || t.dtype === "float32");

export function batchMatMulKernel(sgemm: Sgemm, stock: StockKernel | undefined) {
  return (args: KernelArgs<{ a: tf.TensorInfo; b: tf.TensorInfo }, MatMulAttrs>): tf.TensorInfo | tf.TensorInfo[] => {
    const { a, b } = args.inputs;
    if (!allFloat(a, b) && stock) return stock(args);
    return matMul(sgemm, args.backend, a, b, args.attrs);
  };
}

export function fusedMatMulKernel(sgemm: Sgemm, stock: StockKernel | undefined) {
  return (args: KernelArgs<FusedMatMulInputs, FusedMatMulAttrs>): tf.TensorInfo | tf.TensorInfo[] => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    if (!allFloat(a, b, bias, preluActivationWeights) && stock) return stock(args);
    const out = matMul(sgemm, args.backend, a, b, args.attrs);
    biasActivation(args.backend, out, bias, args.attrs.activation, preluActivationWeights, args.attrs.leakyreluAlpha);
    return out;
  };
}
