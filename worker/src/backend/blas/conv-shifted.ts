/**
 * Stride-1 convolutions without im2col: one sgemm per filter tap. On the padded input read as a
 * matrix of channel rows (xp: [B·Hp·Wp, Ci]), the output at grid row r = (b·Hp + i)·Wp + j reads
 * row r + p·Wp + q for tap (p, q), a constant offset; so with W_pq the [Ci, Co] slice of the filter
 *
 *   ygrid = Σ_pq xp[off_pq ..] · W_pq,   dxp[off_pq ..] += dygrid · W_pqᵀ,   dW_pq = xp[off_pq ..]ᵀ · dygrid,
 *
 * each over the M = (B−1)·Hp·Wp + (OH−1)·Wp + OW grid rows (rows past an image's OH×OW corner are
 * junk in ygrid and must be zero in dygrid). What is copied is the input once (padding) and the
 * output once (the grid's OH×OW corner), where im2col copies the input KH·KW times: for ResNet's
 * 3×3 convs on 16 channels the copies took 2–3× the sgemm time (bench/compute/profile.mjs).
 */
import type * as tf from "@tensorflow/tfjs";
import type { Sgemm } from "./library.js";

/** Reused buffers outside the wasm heap (allocating them moves nothing there), by use. */
const pool: Float32Array[] = [];

function scratch(slot: number, n: number): Float32Array {
  let b = pool[slot];
  if (!b || b.length < n) pool[slot] = b = new Float32Array(Math.max(n, Math.ceil((b?.length ?? 0) * 1.5)));
  return b.subarray(0, n);
}

/** The grid of a stride-1 convolution: padded sizes and rows computed. */
interface Grid {
  readonly hp: number;
  readonly wp: number;
  /** Grid rows the sgemms cover. */
  readonly m: number;
  readonly padded: boolean;
}

function grid(c: tf.backend_util.Conv2DInfo): Grid {
  const { top, bottom, left, right } = c.padInfo;
  const hp = c.inHeight + top + bottom;
  const wp = c.inWidth + left + right;
  const m = (c.batchSize - 1) * hp * wp + (c.outHeight - 1) * wp + c.outWidth;
  return { hp, wp, m, padded: top + bottom + left + right > 0 };
}

/** Whether these kernels apply: stride 1, and the output is the padded input less the filter. */
export function shiftedApplies(c: tf.backend_util.Conv2DInfo): boolean {
  if (c.strideHeight !== 1 || c.strideWidth !== 1 || c.batchSize === 0 || c.outHeight <= 0 || c.outWidth <= 0) return false;
  const { top, bottom, left, right } = c.padInfo;
  return c.outHeight === c.inHeight + top + bottom - c.filterHeight + 1 && c.outWidth === c.inWidth + left + right - c.filterWidth + 1;
}

/** x itself, or x copied into the middle of a zeroed padded grid. */
function padded(x: Float32Array, c: tf.backend_util.Conv2DInfo, g: Grid, slot: number): Float32Array {
  if (!g.padded) return x;
  const ci = c.inChannels;
  const xp = scratch(slot, c.batchSize * g.hp * g.wp * ci);
  xp.fill(0);
  const row = c.inWidth * ci;
  for (let b = 0; b < c.batchSize; b++) {
    for (let i = 0; i < c.inHeight; i++) {
      const s = (b * c.inHeight + i) * row;
      xp.set(x.subarray(s, s + row), ((b * g.hp + i + c.padInfo.top) * g.wp + c.padInfo.left) * ci);
    }
  }
  return xp;
}

/** dy [B, OH, OW, Co] spread onto the grid's M rows, zeros elsewhere. */
function dyOnGrid(dy: Float32Array, c: tf.backend_util.Conv2DInfo, g: Grid): Float32Array {
  const co = c.outChannels;
  const row = c.outWidth * co;
  if (g.wp === c.outWidth && g.hp === c.outHeight) return dy;
  const out = scratch(1, g.m * co);
  out.fill(0);
  for (let b = 0; b < c.batchSize; b++) {
    for (let i = 0; i < c.outHeight; i++) {
      const s = (b * c.outHeight + i) * row;
      out.set(dy.subarray(s, s + row), (b * g.hp + i) * g.wp * co);
    }
  }
  return out;
}

/** y = conv(x, w), stride 1. */
export function shiftedConv(sgemm: Sgemm, x: Float32Array, w: Float32Array, c: tf.backend_util.Conv2DInfo, y: Float32Array): void {
  const g = grid(c);
  const { inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = c;
  const xp = padded(x, c, g, 0);
  const direct = g.wp === c.outWidth && g.hp === c.outHeight;
  const yg = direct ? y : scratch(1, g.m * co);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const t = p * kw + q;
      const off = (p * g.wp + q) * ci;
      sgemm(false, false, g.m, co, ci, 1, xp.subarray(off, off + g.m * ci), ci, w.subarray(t * ci * co, (t + 1) * ci * co), co, t === 0 ? 0 : 1, yg, co);
    }
  }
  if (direct) return;
  const row = c.outWidth * co;
  for (let b = 0; b < c.batchSize; b++) {
    for (let i = 0; i < c.outHeight; i++) {
      const s = (b * g.hp + i) * g.wp * co;
      y.set(yg.subarray(s, s + row), (b * c.outHeight + i) * row);
    }
  }
}

/** dx of y = conv(x, w), stride 1. */
export function shiftedConvInputGrad(sgemm: Sgemm, dy: Float32Array, w: Float32Array, c: tf.backend_util.Conv2DInfo, dx: Float32Array): void {
  const g = grid(c);
  const { inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = c;
  const dyg = dyOnGrid(dy, c, g);
  const dxp = g.padded ? scratch(0, c.batchSize * g.hp * g.wp * ci) : dx;
  dxp.fill(0);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const t = p * kw + q;
      const off = (p * g.wp + q) * ci;
      sgemm(false, true, g.m, ci, co, 1, dyg, co, w.subarray(t * ci * co, (t + 1) * ci * co), co, 1, dxp.subarray(off, off + g.m * ci), ci);
    }
  }
  if (!g.padded) return;
  const row = c.inWidth * ci;
  for (let b = 0; b < c.batchSize; b++) {
    for (let i = 0; i < c.inHeight; i++) {
      const s = ((b * g.hp + i + c.padInfo.top) * g.wp + c.padInfo.left) * ci;
      dx.set(dxp.subarray(s, s + row), (b * c.inHeight + i) * row);
    }
  }
}

/** dW of y = conv(x, w), stride 1. */
export function shiftedConvFilterGrad(sgemm: Sgemm, x: Float32Array, dy: Float32Array, c: tf.backend_util.Conv2DInfo, dw: Float32Array): void {
  const g = grid(c);
  const { inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw } = c;
  const xp = padded(x, c, g, 0);
  const dyg = dyOnGrid(dy, c, g);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const t = p * kw + q;
      const off = (p * g.wp + q) * ci;
      sgemm(true, false, ci, co, g.m, 1, xp.subarray(off, off + g.m * ci), ci, dyg, co, 0, dw.subarray(t * ci * co, (t + 1) * ci * co), co);
    }
  }
}
