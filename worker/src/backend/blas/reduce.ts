/**
 * Sum over leading axes for the wasm backend as one sgemm (1ᵀ·x, x read as [rows, cols]): the
 * bias gradient of every conv and dense layer. The stock wasm Sum first transposes the reduced
 * axes innermost, then sums (bench/compute/profile.mjs: 0.5 ms for a LeNet-5 conv bias). Other
 * reductions go to the stock kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { size, view, type KernelArgs } from "./heap.js";
import type { Sgemm } from "./library.js";
import type { StockKernel } from "./matmul.js";

let onesBuffer = new Float32Array(0);

/** n ones (reused). */
export function ones(n: number): Float32Array {
  if (onesBuffer.length < n) onesBuffer = new Float32Array(n).fill(1);
  return onesBuffer.subarray(0, n);
}

export function sumKernel(sgemm: Sgemm, stock: StockKernel | undefined) {
  return (args: KernelArgs<{ x: tf.TensorInfo }, { axis: number | number[]; keepDims: boolean }>): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(args.attrs.axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.every((a, i) => a === i);
    if (x.dtype !== "float32" || !leading || rank === 0) {
      if (stock) return stock(args);
      throw new Error(`Sum: no kernel for dtype ${x.dtype}, axes ${JSON.stringify(axes)}`);
    }
    const k = axes.length;
    const kept = x.shape.slice(k);
    const outShape = args.attrs.keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept;
    const out = args.backend.makeOutput(outShape, "float32");
    const rows = size(x.shape.slice(0, k));
    const cols = size(kept);
    const y = view(args.backend, out);
    if (cols === 0) return out;
    if (rows === 0) {
      y.fill(0);
      return out;
    }
    sgemm(false, false, 1, cols, rows, 1, ones(rows), rows, view(args.backend, x), cols, 0, y, cols);
    return out;
  };
}
