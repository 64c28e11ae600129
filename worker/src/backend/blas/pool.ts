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

/** Whether the windows tile the input without overlap or padding (LeNet-5's 2×2 stride 2). */
function tiles(c: tf.backend_util.Conv2DInfo): boolean {
  const p = c.padInfo;
  return (
    c.strideHeight === c.filterHeight &&
    c.strideWidth === c.filterWidth &&
    p.top === 0 &&
    p.left === 0 &&
    c.outHeight * c.strideHeight <= c.inHeight &&
    c.outWidth * c.strideWidth <= c.inWidth
  );
}

/**
 * MaxPoolGrad where the windows tile the input: every element lies in at most one window, so
 * dx is written once (the gradient at the window's first maximum, zero elsewhere) without
 * zeroing it first and without the running maximum's per-channel arrays; 2×2 windows unrolled.
 */
function maxPoolGradTiles(x: Float32Array, g: Float32Array, c: tf.backend_util.Conv2DInfo, dx: Float32Array): void {
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: ch, filterHeight: fh, filterWidth: fw, outHeight: oh, outWidth: ow } = c;
  if (oh * fh < h || ow * fw < w) dx.fill(0);
  const rowStride = w * ch;
  let dyBase = 0;
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++, dyBase += ch) {
        const k0 = ((b * h + i * fh) * w + j * fw) * ch;
        if (fh === 2 && fw === 2) {
          for (let d = 0; d < ch; d++) {
            const a00 = k0 + d;
            const a01 = a00 + ch;
            const a10 = a00 + rowStride;
            const a11 = a10 + ch;
            const v00 = x[a00] as number;
            const v01 = x[a01] as number;
            const v10 = x[a10] as number;
            const v11 = x[a11] as number;
            let best = v00;
            let at = 0;
            if (v01 > best) {
              best = v01;
              at = 1;
            }
            if (v10 > best) {
              best = v10;
              at = 2;
            }
            if (v11 > best) at = 3;
            const gv = g[dyBase + d] as number;
            dx[a00] = at === 0 ? gv : 0;
            dx[a01] = at === 1 ? gv : 0;
            dx[a10] = at === 2 ? gv : 0;
            dx[a11] = at === 3 ? gv : 0;
          }
          continue;
        }
        for (let d = 0; d < ch; d++) {
          let at = k0 + d;
          let best = x[at] as number;
          for (let p = 0; p < fh; p++) {
            for (let q = 0; q < fw; q++) {
              const k = k0 + p * rowStride + q * ch + d;
              const v = x[k] as number;
              dx[k] = 0;
              if (v > best) {
                best = v;
                at = k;
              }
            }
          }
          dx[at] = g[dyBase + d] as number;
        }
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
    if (tiles(c)) {
      maxPoolGradTiles(x, g, c, dx);
      return out;
    }
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
