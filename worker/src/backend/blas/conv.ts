/**
 * Conv2D, FusedConv2D, Conv2DBackpropInput and Conv2DBackpropFilter for the wasm backend as
 * im2col/col2im + cblas_sgemm (NHWC, any strides and padding, dilation 1; anything else goes to
 * the kernel they replaced). install.ts registers all four (the stock FusedConv2D mishandles
 * prelu); for one-channel inputs (a first conv on grayscale images) XNNPACK's Conv2D was
 * faster in the same run (bench/compute), so they keep it. With the
 * filter [KH, KW, Ci, Co] read as a [KH·KW·Ci, Co] matrix and the patches of x as rows of `cols` [B·OH·OW, KH·KW·Ci]:
 *
 *   y = cols · W,   dcols = dy · Wᵀ (then col2im adds the patches back into dx),   dW = colsᵀ · dy.
 *
 * From 2 input channels, stride-1 convolutions and strided input gradients skip im2col: one
 * sgemm per filter tap on the padded input's stride phases (conv-shifted.ts), except the
 * forward and filter gradient of thin inputs (see {@link thin}).
 */
import * as tf from "@tensorflow/tfjs";
import { view, whenRebound, type KernelArgs, type WasmBackend } from "./heap.js";
import type { Sgemm } from "./library.js";
import { biasActivation, type Fused, type StockKernel } from "./matmul.js";
import { shiftedApplies, shiftedConv, shiftedConvFilterGrad, shiftedConvFilterGradOneChannel, shiftedConvInputGrad, shiftedConvInputGradTransposed } from "./conv-shifted.js";
type Shape4 = [number, number, number, number];

interface ConvAttrs {
  readonly strides: [number, number] | number;
  readonly pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  readonly dataFormat: "NHWC" | "NCHW";
  readonly dilations?: [number, number] | number;
  readonly dimRoundingMode?: "floor" | "round" | "ceil";
}

/** The geometry of a convolution, or undefined where these kernels do not apply. */
function geometry(xShape: readonly number[], filterShape: readonly number[], attrs: ConvAttrs): tf.backend_util.Conv2DInfo | undefined {
  if (attrs.dataFormat !== "NHWC") return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  return info.dilationHeight === 1 && info.dilationWidth === 1 ? info : undefined;
}

/** Whether the patches are x itself (1×1, stride 1, no padding). */
function pointwise(c: tf.backend_util.Conv2DInfo): boolean {
  const p = c.padInfo;
  return c.filterHeight === 1 && c.filterWidth === 1 && c.strideHeight === 1 && c.strideWidth === 1 && p.top === 0 && p.left === 0 && p.bottom === 0 && p.right === 0;
}

/**
 * Convolutions of at least 2 input channels run as one sgemm per filter tap (conv-shifted.ts)
 * at stride 1: per call 2–4× faster than im2col for ResNet's 3×3 convs on 16–32 channels, on par
 * at 64 (bench/compute/profile.mjs); one channel makes each tap's sgemm a rank-1 update. Strided
 * ones only for the input gradient (col2im's scattered adds cost more than the short sgemms);
 * their forward and filter gradient keep im2col, whose one sgemm of K = KH·KW·Ci ran faster there.
 */
function shifted(c: tf.backend_util.Conv2DInfo, inputGrad = false): boolean {
  return !pointwise(c) && c.inChannels >= 2 && (inputGrad || (c.strideHeight === 1 && c.strideWidth === 1)) && shiftedApplies(c);
}

let scratch = new Float32Array(0);

/** A reused buffer of at least `n` floats (outside the wasm heap: allocating it moves nothing there). */
function buffer(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(Math.max(n, Math.ceil(scratch.length * 1.5)));
  return scratch.subarray(0, n);
}

/** Copies the patches of x into `cols` [B·OH·OW, KH·KW·Ci], zeros where they overhang the padding. */
function im2col(x: Float32Array, c: tf.backend_util.Conv2DInfo, cols: Float32Array): void {
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = c;
  const { top, left } = c.padInfo;
  const rowLen = kh * kw * ci;
  const span = kw * ci;
  let dst = 0;
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const iw0 = j * sw - left;
        const inside = iw0 >= 0 && iw0 + kw <= w;
        for (let p = 0; p < kh; p++) {
          const ih = i * sh - top + p;
          const d = dst + p * span;
          if (ih < 0 || ih >= h) {
            cols.fill(0, d, d + span);
            continue;
          }
          const rowBase = (b * h + ih) * w;
          if (inside) {
            const s = (rowBase + iw0) * ci;
            if (span > 32) cols.set(x.subarray(s, s + span), d);
            else for (let e = 0; e < span; e++) cols[d + e] = x[s + e] ?? 0;
            continue;
          }
          for (let q = 0; q < kw; q++) {
            const iw = iw0 + q;
            const dq = d + q * ci;
            if (iw < 0 || iw >= w) cols.fill(0, dq, dq + ci);
            else for (let e = 0, s = (rowBase + iw) * ci; e < ci; e++) cols[dq + e] = x[s + e] ?? 0;
          }
        }
        dst += rowLen;
      }
    }
  }
}

/**
 * {@link im2col} two floats at a time, as float64 (half the loads and stores of a per-float
 * copy: LeNet-5's 6-channel patches copy 30 floats per window row): for an even channel count
 * and 8-byte aligned arrays, else the per-float copy. Copying float pairs as doubles keeps
 * their bits except where the pair is a double NaN, which only a NaN in x makes.
 */
function im2colPairs(x: Float32Array, c: tf.backend_util.Conv2DInfo, cols: Float32Array): void {
  if (c.inChannels % 2 !== 0 || x.byteOffset % 8 !== 0 || cols.byteOffset % 8 !== 0) {
    im2col(x, c, cols);
    return;
  }
  const x2 = new Float64Array(x.buffer, x.byteOffset, x.length / 2);
  const cols2 = new Float64Array(cols.buffer, cols.byteOffset, cols.length / 2);
  const { batchSize: nb, inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = c;
  const ci = c.inChannels / 2;
  const { top, left } = c.padInfo;
  const span = kw * ci;
  let dst = 0;
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const iw0 = j * sw - left;
        const inside = iw0 >= 0 && iw0 + kw <= w;
        for (let p = 0; p < kh; p++, dst += span) {
          const ih = i * sh - top + p;
          if (ih < 0 || ih >= h) {
            cols2.fill(0, dst, dst + span);
            continue;
          }
          const rowBase = (b * h + ih) * w;
          if (inside) {
            for (let s = (rowBase + iw0) * ci, d = dst, end = dst + span; d < end; s++, d++) cols2[d] = x2[s] as number;
            continue;
          }
          for (let q = 0; q < kw; q++) {
            const iw = iw0 + q;
            const dq = dst + q * ci;
            if (iw < 0 || iw >= w) cols2.fill(0, dq, dq + ci);
            else for (let e = 0, s = (rowBase + iw) * ci; e < ci; e++) cols2[dq + e] = x2[s + e] as number;
          }
        }
      }
    }
  }
}

/** Adds the patches of `cols` back into dx (zeroed first): the adjoint of {@link im2col}. */
function col2im(cols: Float32Array, c: tf.backend_util.Conv2DInfo, dx: Float32Array): void {
  const { batchSize: nb, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = c;
  const { top, left } = c.padInfo;
  dx.fill(0);
  let src = 0;
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const iw0 = j * sw - left;
        for (let p = 0; p < kh; p++) {
          const ih = i * sh - top + p;
          if (ih < 0 || ih >= h) continue;
          const rowBase = (b * h + ih) * w;
          const s0 = src + p * kw * ci;
          for (let q = 0; q < kw; q++) {
            const iw = iw0 + q;
            if (iw < 0 || iw >= w) continue;
            const d = (rowBase + iw) * ci;
            const s = s0 + q * ci;
            for (let e = 0; e < ci; e++) dx[d + e] = (dx[d + e] ?? 0) + (cols[s + e] ?? 0);
          }
        }
        src += kh * kw * ci;
      }
    }
  }
}

/**
 * Thin inputs (an even count of 2 to {@link MIN_FILTER_GRAD_CHANNELS} − 1 channels: LeNet-5's
 * second conv on 6) run im2col + one sgemm forward and for the filter gradient, sharing the
 * patches: XNNPACK's forward and the XNNPACK-based filter gradient (pad, transposes, a conv)
 * together took ~1.3× as long there (bench/compute/profile.mjs). Their input gradient runs the
 * per-tap sgemms transposed (conv-shifted.ts shiftedConvInputGradTransposed). Odd counts (an
 * RGB first conv) keep the XNNPACK kernels: with im2col copying single floats, a 3-channel conv's
 * forward and gradients took 2-15 % longer than on them (2, 4 and 6 channels: 3-15 % shorter).
 */
function thin(c: tf.backend_util.Conv2DInfo): boolean {
  return c.inChannels >= 2 && c.inChannels % 2 === 0 && c.inChannels < MIN_FILTER_GRAD_CHANNELS && !pointwise(c);
}

/**
 * The patches of the last thin-input forward conv, kept for its filter gradient: the backward
 * pass gets the same input (tfjs saves it for the gradient as an Identity, which shares the
 * heap data: identity.ts). Writing a tensor's heap data in place (heap.ts rebindInPlace)
 * drops them.
 */
let patches: { dataId: tf.DataId; offset: number; key: string; cols: Float32Array } | undefined;
let patchBuffer = new Float32Array(0);

function patchKey(x: tf.TensorInfo, c: tf.backend_util.Conv2DInfo): string {
  const p = c.padInfo;
  return `${x.shape.join("x")}|${c.filterHeight}x${c.filterWidth}|${c.strideHeight}x${c.strideWidth}|${p.top},${p.bottom},${p.left},${p.right}`;
}

whenRebound(() => {
  patches = undefined;
});

/** The patches of x for a thin-input conv: the kept ones when they are x's, else computed (and kept when `keep`). */
function thinPatches(backend: WasmBackend, x: tf.TensorInfo, c: tf.backend_util.Conv2DInfo, keep: boolean): Float32Array {
  const key = patchKey(x, c);
  const offset = backend.dataIdMap.get(x.dataId)?.memoryOffset ?? -1;
  if (patches && patches.dataId === x.dataId && patches.offset === offset && patches.key === key) return patches.cols;
  const n = c.batchSize * c.outHeight * c.outWidth * c.filterHeight * c.filterWidth * c.inChannels;
  let cols: Float32Array;
  if (keep) {
    if (patchBuffer.length < n) patchBuffer = new Float32Array(Math.max(n, Math.ceil(patchBuffer.length * 1.5)));
    cols = patchBuffer.subarray(0, n);
    patches = undefined;
  } else cols = buffer(n);
  im2colPairs(view(backend, x), c, cols);
  if (keep) patches = { dataId: x.dataId, offset, key, cols };
  return cols;
}

/** y = conv(x, W) into a new heap tensor. */
function conv2d(sgemm: Sgemm, backend: WasmBackend, x: tf.TensorInfo, filter: tf.TensorInfo, c: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const out = backend.makeOutput([c.batchSize, c.outHeight, c.outWidth, c.outChannels], "float32");
  const rows = c.batchSize * c.outHeight * c.outWidth;
  const rowLen = c.filterHeight * c.filterWidth * c.inChannels;
  const y = view(backend, out);
  if (rows === 0 || c.outChannels === 0) return out;
  if (thin(c)) {
    const cols = thinPatches(backend, x, c, true);
    sgemm(false, false, rows, c.outChannels, rowLen, 1, cols, rowLen, view(backend, filter), c.outChannels, 0, y, c.outChannels);
    return out;
  }
  const xv = view(backend, x);
  if (shifted(c)) {
    shiftedConv(sgemm, xv, view(backend, filter), c, y);
    return out;
  }
  const cols = pointwise(c) ? xv : buffer(rows * rowLen);
  if (cols !== xv) im2col(xv, c, cols);
  sgemm(false, false, rows, c.outChannels, rowLen, 1, cols, rowLen, view(backend, filter), c.outChannels, 0, y, c.outChannels);
  return out;
}

const isFloat = (...ts: (tf.TensorInfo | undefined)[]): boolean => ts.every((t) => t === undefined || t.dtype === "float32");

/** Plain Conv2D on BLAS from 2 input channels up; one-channel inputs stay on XNNPACK. */
export function conv2dKernel(sgemm: Sgemm, stock: StockKernel | undefined) {
  return (args: KernelArgs<{ x: tf.TensorInfo; filter: tf.TensorInfo }, ConvAttrs>): tf.TensorInfo | tf.TensorInfo[] => {
    const { x, filter } = args.inputs;
    const c = isFloat(x, filter) ? geometry(x.shape, filter.shape, args.attrs) : undefined;
    if (stock && (!c || (c.inChannels < MIN_FILTER_GRAD_CHANNELS && !thin(c)))) return stock(args);
    if (!c) throw new Error(`Conv2D: no kernel for dataFormat ${args.attrs.dataFormat}, dilations ${String(args.attrs.dilations)}`);
    return conv2d(sgemm, args.backend, x, filter, c);
  };
}

type FusedConvInputs = Fused<{ x: tf.TensorInfo; filter: tf.TensorInfo }, ConvAttrs>["inputs"];
type FusedConvAttrs = Fused<{ x: tf.TensorInfo; filter: tf.TensorInfo }, ConvAttrs>["attrs"];

export function fusedConv2dKernel(sgemm: Sgemm, stock: StockKernel | undefined) {
  return (args: KernelArgs<FusedConvInputs, FusedConvAttrs>): tf.TensorInfo | tf.TensorInfo[] => {
    const { x, filter, bias, preluActivationWeights } = args.inputs;
    const c = isFloat(x, filter, bias, preluActivationWeights) ? geometry(x.shape, filter.shape, args.attrs) : undefined;
    if (!c && stock) return stock(args);
    if (!c) throw new Error(`FusedConv2D: no kernel for dataFormat ${args.attrs.dataFormat}, dilations ${String(args.attrs.dilations)}`);
    const out = conv2d(sgemm, args.backend, x, filter, c);
    biasActivation(args.backend, out, bias, args.attrs.activation, preluActivationWeights, args.attrs.leakyreluAlpha);
    return out;
  };
}

export function conv2dBackpropInputKernel(sgemm: Sgemm, stock: StockKernel | undefined) {
  return (args: KernelArgs<{ dy: tf.TensorInfo; filter: tf.TensorInfo }, ConvAttrs & { inputShape: number[] }>): tf.TensorInfo | tf.TensorInfo[] => {
    const { dy, filter } = args.inputs;
    const c = isFloat(dy, filter) ? geometry(args.attrs.inputShape, filter.shape, args.attrs) : undefined;
    if (!c && stock) return stock(args);
    if (!c) throw new Error(`Conv2DBackpropInput: no kernel for dataFormat ${args.attrs.dataFormat}`);
    const { backend } = args;
    const out = backend.makeOutput([...args.attrs.inputShape], "float32");
    const dx = view(backend, out);
    const rows = c.batchSize * c.outHeight * c.outWidth;
    const rowLen = c.filterHeight * c.filterWidth * c.inChannels;
    if (rows === 0 || c.outChannels === 0) {
      dx.fill(0);
      return out;
    }
    const dyv = view(backend, dy);
    const w = view(backend, filter);
    if (pointwise(c)) {
      sgemm(false, true, rows, rowLen, c.outChannels, 1, dyv, c.outChannels, w, c.outChannels, 0, dx, rowLen);
      return out;
    }
    if (shifted(c, true) && thin(c)) {
      shiftedConvInputGradTransposed(sgemm, dyv, w, c, dx);
      return out;
    }
    if (shifted(c, true)) {
      shiftedConvInputGrad(sgemm, dyv, w, c, dx);
      return out;
    }
    const dcols = buffer(rows * rowLen);
    sgemm(false, true, rows, rowLen, c.outChannels, 1, dyv, c.outChannels, w, c.outChannels, 0, dcols, rowLen);
    col2im(dcols, c, dx);
    return out;
  };
}

/**
 * From this many input channels convolutions run as per-tap sgemms (conv-shifted.ts); below
 * it see {@link thin} and, for one channel, the kernels.
 */
const MIN_FILTER_GRAD_CHANNELS = 8;

export function conv2dBackpropFilterKernel(sgemm: Sgemm, stock: StockKernel | undefined) {
  return (args: KernelArgs<{ x: tf.TensorInfo; dy: tf.TensorInfo }, ConvAttrs & { filterShape: number[] }>): tf.TensorInfo | tf.TensorInfo[] => {
    const { x, dy } = args.inputs;
    const c = isFloat(x, dy) ? geometry(x.shape, args.attrs.filterShape, args.attrs) : undefined;
    const oneChannel = c !== undefined && c.inChannels === 1 && c.strideHeight === 1 && c.strideWidth === 1 && shiftedApplies(c);
    if (stock && (!c || (c.inChannels < MIN_FILTER_GRAD_CHANNELS && !oneChannel && !thin(c)))) return stock(args);
    if (!c) throw new Error(`Conv2DBackpropFilter: no kernel for dataFormat ${args.attrs.dataFormat}`);
    const { backend } = args;
    const out = backend.makeOutput([...args.attrs.filterShape], "float32");
    const dw = view(backend, out);
    const rows = c.batchSize * c.outHeight * c.outWidth;
    const rowLen = c.filterHeight * c.filterWidth * c.inChannels;
    if (rows === 0) {
      dw.fill(0);
      return out;
    }
    if (thin(c)) {
      const cols = thinPatches(backend, x, c, false);
      sgemm(true, false, rowLen, c.outChannels, rows, 1, cols, rowLen, view(backend, dy), c.outChannels, 0, view(backend, out), c.outChannels);
      return out;
    }
    const xv = view(backend, x);
    if (oneChannel) {
      shiftedConvFilterGradOneChannel(sgemm, xv, view(backend, dy), c, dw);
      return out;
    }
    if (shifted(c)) {
      shiftedConvFilterGrad(sgemm, xv, view(backend, dy), c, dw);
      return out;
    }
    const cols = pointwise(c) ? xv : buffer(rows * rowLen);
    if (cols !== xv) im2col(xv, c, cols);
    sgemm(true, false, rowLen, c.outChannels, rows, 1, cols, rowLen, view(backend, dy), c.outChannels, 0, dw, c.outChannels);
    return out;
  };
}
