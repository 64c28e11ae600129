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
    const { batchSize: nb, inHeight: h, inWidth: w, inChannels: ch, filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = c;
    const { top, left } = c.padInfo;
    // Per window: the running maximum of every channel over the window's channel vectors
    // (plain loops: a callback per window cost more than the arithmetic).
    const best = new Float32Array(ch);
    const at = new Int32Array(ch);
    let dyBase = 0;
    for (let b = 0; b < nb; b++) {
      for (let i = 0; i < oh; i++) {
        const ih0 = i * sh - top;
        const p0 = Math.max(0, ih0);
        const p1 = Math.min(h, ih0 + fh);
        for (let j = 0; j < ow; j++, dyBase += ch) {
          const iw0 = j * sw - left;
          const q0 = Math.max(0, iw0);
          const q1 = Math.min(w, iw0 + fw);
          if (p0 >= p1 || q0 >= q1) continue;
          const k0 = ((b * h + p0) * w + q0) * ch;
          for (let d = 0; d < ch; d++) {
            best[d] = x[k0 + d] ?? -Infinity;
            at[d] = k0 + d;
          }
          for (let p = p0; p < p1; p++) {
            for (let q = p === p0 ? q0 + 1 : q0; q < q1; q++) {
              const k = ((b * h + p) * w + q) * ch;
              for (let d = 0; d < ch; d++) {
                const v = x[k + d] ?? -Infinity;
                if (v > (best[d] ?? -Infinity)) {
                  best[d] = v;
                  at[d] = k + d;
                }
              }
            }
          }
          for (let d = 0; d < ch; d++) {
            const k = at[d] ?? 0;
            dx[k] = (dx[k] ?? 0) + (g[dyBase + d] ?? 0);
          }
        }
      }
    }
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
