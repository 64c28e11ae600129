/**
 * MaxPoolGrad and AvgPoolGrad for the wasm backend, in JS over the heap: in a LeNet-5 step the
 * stock wasm MaxPoolGrad took longer than both of its convolutions' BLAS kernels together
 * (bench/compute/profile.mjs). Same results as the cpu backend's kernels: the gradient goes to
 * the first maximum of each window; the average divides by the full window.
 */
import * as tf from "@tensorflow/tfjs";
import { view, type KernelArgs } from "./heap.js";
import type { StockKernel } from "./matmul.js";

interface PoolAttrs {
  readonly filterSize: [number, number] | number;
  readonly strides: [number, number] | number;
  readonly pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  readonly dimRoundingMode?: "floor" | "round" | "ceil";
}

type Shape4 = [number, number, number, number];

function info(x: tf.TensorInfo, attrs: PoolAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computePool2DInfo(x.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/** Calls `visit(dyIndex, xRowStart)` for every output position; x rows are channel vectors. */
function eachWindow(c: tf.backend_util.Conv2DInfo, visit: (dyBase: number, b: number, ih0: number, iw0: number) => void): void {
  let dyBase = 0;
  for (let b = 0; b < c.batchSize; b++) {
    for (let i = 0; i < c.outHeight; i++) {
      for (let j = 0; j < c.outWidth; j++) {
        visit(dyBase, b, i * c.strideHeight - c.padInfo.top, j * c.strideWidth - c.padInfo.left);
        dyBase += c.inChannels;
      }
    }
  }
}

export function maxPoolGradKernel(stock: StockKernel | undefined) {
  return (args: KernelArgs<{ dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo }, PoolAttrs>): tf.TensorInfo | tf.TensorInfo[] => {
    const { dy, input } = args.inputs;
    if ((dy.dtype !== "float32" || input.dtype !== "float32") && stock) return stock(args);
    const c = info(input, args.attrs);
    const out = args.backend.makeOutput([...input.shape], "float32");
    const dx = view(args.backend, out);
    const x = view(args.backend, input);
    const g = view(args.backend, dy);
    dx.fill(0);
    const { inHeight: h, inWidth: w, inChannels: ch, filterHeight: fh, filterWidth: fw } = c;
    // Per window: the running maximum of every channel, over the window's channel vectors.
    const best = new Float32Array(ch);
    const at = new Int32Array(ch);
    eachWindow(c, (dyBase, b, ih0, iw0) => {
      let first = true;
      for (let p = Math.max(0, ih0); p < Math.min(h, ih0 + fh); p++) {
        for (let q = Math.max(0, iw0); q < Math.min(w, iw0 + fw); q++) {
          const k = ((b * h + p) * w + q) * ch;
          if (first) {
            for (let d = 0; d < ch; d++) {
              best[d] = x[k + d] ?? -Infinity;
              at[d] = k + d;
            }
            first = false;
            continue;
          }
          for (let d = 0; d < ch; d++) {
            const v = x[k + d] ?? -Infinity;
            if (v > (best[d] ?? -Infinity)) {
              best[d] = v;
              at[d] = k + d;
            }
          }
        }
      }
      if (first) return;
      for (let d = 0; d < ch; d++) {
        const k = at[d] ?? 0;
        dx[k] = (dx[k] ?? 0) + (g[dyBase + d] ?? 0);
      }
    });
    return out;
  };
}

export function avgPoolGradKernel(stock: StockKernel | undefined) {
  return (args: KernelArgs<{ dy: tf.TensorInfo; input: tf.TensorInfo }, PoolAttrs>): tf.TensorInfo | tf.TensorInfo[] => {
    const { dy, input } = args.inputs;
    if ((dy.dtype !== "float32" || input.dtype !== "float32") && stock) return stock(args);
    const c = info(input, args.attrs);
    const out = args.backend.makeOutput([...input.shape], "float32");
    const dx = view(args.backend, out);
    const g = view(args.backend, dy);
    dx.fill(0);
    const { inHeight: h, inWidth: w, inChannels: ch, filterHeight: fh, filterWidth: fw } = c;
    const scale = 1 / (fh * fw);
    eachWindow(c, (dyBase, b, ih0, iw0) => {
      for (let p = Math.max(0, ih0); p < Math.min(h, ih0 + fh); p++) {
        for (let q = Math.max(0, iw0); q < Math.min(w, iw0 + fw); q++) {
          const k = ((b * h + p) * w + q) * ch;
          for (let d = 0; d < ch; d++) dx[k + d] = (dx[k + d] ?? 0) + (g[dyBase + d] ?? 0) * scale;
        }
      }
    });
    return out;
  };
}
