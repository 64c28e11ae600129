/**
 * Convolutions without im2col: one sgemm per filter tap. On the padded input read as a matrix
 * of channel rows (xp: [B·Hp·Wp, Ci]), at stride 1 the output at grid row r = (b·Hp + i)·Wp + j reads
 * row r + p·Wp + q for tap (p, q), a constant offset; so with W_pq the [Ci, Co] slice of the filter
 *
 *   ygrid = Σ_pq xp[off_pq ..] · W_pq,   dxp[off_pq ..] += dygrid · W_pqᵀ,   dW_pq = xp[off_pq ..]ᵀ · dygrid,
 *
 * each over the M = (B−1)·Hp·Wp + (OH−1)·Wp + OW grid rows (rows past an image's OH×OW corner are
 * junk in ygrid and must be zero in dygrid). What is copied is the input once (padding) and the
 * output once (the grid's OH×OW corner), where im2col copies the input KH·KW times: for ResNet's
 * 3×3 convs on 16 channels the copies took 2–3× the sgemm time (bench/compute/profile.mjs).
 * A stride s splits the padded input into its s×s phases (every s-th row and column from each
 * offset; one copy of the input in all): tap (p, q) reads phase (p mod s, q mod s) at the
 * stride-1 offset (⌊p/s⌋, ⌊q/s⌋), so strided convolutions are the same sgemms on the phases.
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

/**
 * The grid: the padded input split into its sh×sw stride phases (phase (a, e) holds the padded
 * rows ≡ a mod sh and columns ≡ e mod sw, each [B, hq, wq, Ci]); on each phase a filter tap
 * reads a constant row offset from the output's grid row, as in the stride-1 case.
 */
interface Grid {
  readonly sh: number;
  readonly sw: number;
  readonly hq: number;
  readonly wq: number;
  /** Grid rows the sgemms cover. */
  readonly m: number;
  /** Floats per phase. */
  readonly phase: number;
  /** Whether the phases are a copy (padding or a stride); else x itself. */
  readonly copy: boolean;
  /** Whether the output grid is the output itself. */
  readonly direct: boolean;
}

function grid(c: tf.backend_util.Conv2DInfo): Grid {
  const { top, bottom, left, right } = c.padInfo;
  const sh = c.strideHeight;
  const sw = c.strideWidth;
  const hq = Math.ceil((c.inHeight + top + bottom) / sh);
  const wq = Math.ceil((c.inWidth + left + right) / sw);
  const m = (c.batchSize - 1) * hq * wq + (c.outHeight - 1) * wq + c.outWidth;
  return { sh, sw, hq, wq, m, phase: c.batchSize * hq * wq * c.inChannels, copy: sh * sw > 1 || top + bottom + left + right > 0, direct: hq === c.outHeight && wq === c.outWidth };
}

/**
 * Whether these kernels apply (the output is every stride-th window of the padded input) and
 * pay: the grid is at most twice the output. A filter nearly as large as its input (the
 * XNNPACK-based filter gradient, ../wasm-conv-grad.ts, convolves with a 28×28 "filter" into a
 * 5×5 output) would compute ~40× the output on the grid, one sgemm per each of 784 taps.
 */
export function shiftedApplies(c: tf.backend_util.Conv2DInfo): boolean {
  if (c.batchSize === 0 || c.outHeight <= 0 || c.outWidth <= 0 || c.inChannels === 0) return false;
  const { top, bottom, left, right } = c.padInfo;
  const fits =
    c.outHeight === Math.floor((c.inHeight + top + bottom - c.filterHeight) / c.strideHeight) + 1 &&
    c.outWidth === Math.floor((c.inWidth + left + right - c.filterWidth) / c.strideWidth) + 1;
  const g = grid(c);
  return fits && g.hq * g.wq <= 2 * c.outHeight * c.outWidth;
}

/** Where a pixel of x lies in the phases (its first channel), by input row and column. */
function phaseIndex(c: tf.backend_util.Conv2DInfo, g: Grid, b: number, ih: number, iw: number): number {
  const ph = ih + c.padInfo.top;
  const pw = iw + c.padInfo.left;
  const a = ph % g.sh;
  const e = pw % g.sw;
  return (a * g.sw + e) * g.phase + ((b * g.hq + (ph - a) / g.sh) * g.wq + (pw - e) / g.sw) * c.inChannels;
}

/** Copies x into the phases (`toX` false) or the phases back into x (`toX` true). */
function movePhases(x: Float32Array, phases: Float32Array, c: tf.backend_util.Conv2DInfo, g: Grid, toX: boolean): void {
  const ci = c.inChannels;
  const row = c.inWidth * ci;
  for (let b = 0; b < c.batchSize; b++) {
    for (let ih = 0; ih < c.inHeight; ih++) {
      const xs = (b * c.inHeight + ih) * row;
      if (g.sw === 1) {
        const d = phaseIndex(c, g, b, ih, 0);
        if (toX) x.set(phases.subarray(d, d + row), xs);
        else phases.set(x.subarray(xs, xs + row), d);
        continue;
      }
      for (let iw = 0; iw < c.inWidth; iw++) {
        const d = phaseIndex(c, g, b, ih, iw);
        const s = xs + iw * ci;
        if (toX) for (let k = 0; k < ci; k++) x[s + k] = phases[d + k] ?? 0;
        else for (let k = 0; k < ci; k++) phases[d + k] = x[s + k] ?? 0;
      }
    }
  }
}

/** x itself, or x copied into zeroed phases. */
function phased(x: Float32Array, c: tf.backend_util.Conv2DInfo, g: Grid, slot: number): Float32Array {
  if (!g.copy) return x;
  const out = scratch(slot, g.sh * g.sw * g.phase);
  out.fill(0);
  movePhases(x, out, c, g, false);
  return out;
}

/** Where tap (p, q) reads in the phases for grid row 0, and its filter slice. */
function taps(c: tf.backend_util.Conv2DInfo, g: Grid): { at: number; t: number }[] {
  const out: { at: number; t: number }[] = [];
  for (let p = 0; p < c.filterHeight; p++) {
    for (let q = 0; q < c.filterWidth; q++) {
      const a = p % g.sh;
      const e = q % g.sw;
      out.push({ at: (a * g.sw + e) * g.phase + (((p - a) / g.sh) * g.wq + (q - e) / g.sw) * c.inChannels, t: p * c.filterWidth + q });
    }
  }
  return out;
}

/** dy [B, OH, OW, Co] spread onto the grid's M rows, zeros elsewhere. */
function dyOnGrid(dy: Float32Array, c: tf.backend_util.Conv2DInfo, g: Grid): Float32Array {
  if (g.direct) return dy;
  const co = c.outChannels;
  const row = c.outWidth * co;
  const out = scratch(1, g.m * co);
  out.fill(0);
  for (let b = 0; b < c.batchSize; b++) {
    for (let i = 0; i < c.outHeight; i++) {
      const s = (b * c.outHeight + i) * row;
      out.set(dy.subarray(s, s + row), (b * g.hq + i) * g.wq * co);
    }
  }
  return out;
}

/** y = conv(x, w). */
export function shiftedConv(sgemm: Sgemm, x: Float32Array, w: Float32Array, c: tf.backend_util.Conv2DInfo, y: Float32Array): void {
  const g = grid(c);
  const { inChannels: ci, outChannels: co } = c;
  const xp = phased(x, c, g, 0);
  const yg = g.direct ? y : scratch(1, g.m * co);
  for (const { at, t } of taps(c, g)) {
    sgemm(false, false, g.m, co, ci, 1, xp.subarray(at, at + g.m * ci), ci, w.subarray(t * ci * co, (t + 1) * ci * co), co, t === 0 ? 0 : 1, yg, co);
  }
  if (g.direct) return;
  const row = c.outWidth * co;
  for (let b = 0; b < c.batchSize; b++) {
    for (let i = 0; i < c.outHeight; i++) {
      const s = (b * g.hq + i) * g.wq * co;
      y.set(yg.subarray(s, s + row), (b * c.outHeight + i) * row);
    }
  }
}

/** dx of y = conv(x, w). */
export function shiftedConvInputGrad(sgemm: Sgemm, dy: Float32Array, w: Float32Array, c: tf.backend_util.Conv2DInfo, dx: Float32Array): void {
  const g = grid(c);
  const { inChannels: ci, outChannels: co } = c;
  const dyg = dyOnGrid(dy, c, g);
  const dxp = g.copy ? scratch(0, g.sh * g.sw * g.phase) : dx;
  dxp.fill(0);
  for (const { at, t } of taps(c, g)) {
    sgemm(false, true, g.m, ci, co, 1, dyg, co, w.subarray(t * ci * co, (t + 1) * ci * co), co, 1, dxp.subarray(at, at + g.m * ci), ci);
  }
  if (g.copy) movePhases(dx, dxp, c, g, true);
}

/** dW of y = conv(x, w). */
export function shiftedConvFilterGrad(sgemm: Sgemm, x: Float32Array, dy: Float32Array, c: tf.backend_util.Conv2DInfo, dw: Float32Array): void {
  const g = grid(c);
  const { inChannels: ci, outChannels: co } = c;
  const xp = phased(x, c, g, 0);
  const dyg = dyOnGrid(dy, c, g);
  for (const { at, t } of taps(c, g)) {
    sgemm(true, false, ci, co, g.m, 1, xp.subarray(at, at + g.m * ci), ci, dyg, co, 0, dw.subarray(t * ci * co, (t + 1) * ci * co), co);
  }
}

/**
 * dW of y = conv(x, w) for a one-channel x (a first conv on grayscale images), where each tap's
 * sgemm above would be a rank-1 update: the taps' shifted copies of the padded input are rows
 * of one matrix (native copies: the input is contiguous along the grid), so dW = rows · dygrid
 * is one sgemm of K = M, run over {@link ROWS_CHUNK} grid rows at a time (accumulating): a chunk
 * of the rows is built just before its sgemm reads it, from cache (LeNet-5's first conv: 25
 * rows of 65,404, 6.5 MB whole; the chunked sgemms ran 1.21-1.37 -> 0.88-0.97 ms, one at a
 * time in one process, 2048-16384 rows all within 10 % of that, 1024 slower).
 */
export function shiftedConvFilterGradOneChannel(sgemm: Sgemm, x: Float32Array, dy: Float32Array, c: tf.backend_util.Conv2DInfo, dw: Float32Array): void {
  if (c.inChannels !== 1) throw new Error(`shiftedConvFilterGradOneChannel: x has ${c.inChannels} channels, not 1`);
  const g = grid(c);
  const xp = phased(x, c, g, 0);
  const dyg = dyOnGrid(dy, c, g);
  const list = taps(c, g);
  const co = c.outChannels;
  const rows = scratch(2, list.length * Math.min(g.m, ROWS_CHUNK));
  for (let m0 = 0; m0 < g.m; m0 += ROWS_CHUNK) {
    const l = Math.min(ROWS_CHUNK, g.m - m0);
    for (const { at, t } of list) rows.set(xp.subarray(at + m0, at + m0 + l), t * l);
    sgemm(false, false, list.length, co, l, 1, rows, l, dyg.subarray(m0 * co), co, m0 === 0 ? 0 : 1, dw, co);
  }
}

/** Grid rows per sgemm of {@link shiftedConvFilterGradOneChannel}. */
const ROWS_CHUNK = 4096;

/**
 * dx of y = conv(x, w) as {@link shiftedConvInputGrad} with every matrix transposed (channels
 * as rows, grid positions as columns): per tap dxᵀ[off ..] += W_pqᵀ-slice · dyᵀ, an sgemm of
 * M = Ci, N = the grid rows, K = Co, where the untransposed one has N = Ci, K = Co, both tiny
 * for a thin input (LeNet-5's second conv: Ci = 6, Co = 16), which OpenBLAS ran ~1.6× slower.
 * Costs two transposes (dy onto the grid, dx back).
 */
export function shiftedConvInputGradTransposed(sgemm: Sgemm, dy: Float32Array, w: Float32Array, c: tf.backend_util.Conv2DInfo, dx: Float32Array): void {
  const g = grid(c);
  const { inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow } = c;
  // dyᵀ [Co, M]: dy's positions at their grid rows, zeros on the rows past an image's corner.
  const dyT = scratch(3, co * g.m);
  dyT.fill(0);
  let s = 0;
  for (let b = 0; b < c.batchSize; b++) {
    for (let i = 0; i < oh; i++) {
      const r0 = (b * g.hq + i) * g.wq;
      for (let j = 0; j < ow; j++) for (let o = 0, r = r0 + j; o < co; o++, s++) dyT[o * g.m + r] = dy[s] as number;
    }
  }
  // dxᵀ [Ci, P] over the P positions of the phases.
  const p = (g.sh * g.sw * g.phase) / ci;
  const dxT = scratch(4, ci * p);
  dxT.fill(0);
  for (const { at, t } of taps(c, g)) {
    sgemm(false, false, ci, g.m, co, 1, w.subarray(t * ci * co, (t + 1) * ci * co), co, dyT, g.m, 1, dxT.subarray(at / ci), p);
  }
  const dxp = g.copy ? scratch(0, p * ci) : dx;
  for (let k = 0, d = 0; k < p; k++) for (let e = 0; e < ci; e++, d++) dxp[d] = dxT[e * p + k] as number;
  if (g.copy) movePhases(dx, dxp, c, g, true);
}
