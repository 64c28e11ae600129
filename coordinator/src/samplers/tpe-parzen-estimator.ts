/**
 * The Parzen estimator of TPE: a weighted mixture of kernels, one per observation plus a
 * prior kernel, over one parameter (independent TPE) or several at once (multivariate TPE).
 * Everything lives in the unit cube of `UnitSpace`:
 *
 * - continuous coordinates: Gaussians truncated to [0, 1];
 * - discrete coordinates (linear ints with B values): the truncated Gaussian's mass over the
 *   candidate's bin, as Optuna does for stepped distributions;
 * - categorical coordinates: per-observation smoothed counts (`priorWeight / (n + 1)` added to
 *   every choice, then normalised), the prior kernel uniform.
 *
 * Bandwidths follow Optuna's univariate rule in every coordinate: the distance to the farther
 * neighbour among the sorted centres (the two ends take their only neighbour), times
 * `bandwidthFactor`, clipped to [1 / min(100, 1 + K), 1] ("magic clip"); the prior kernel is
 * centred at 0.5 with width 1. Optuna's multivariate TPE uses one Scott-like width
 * `0.2 · n^(−1/(d+4))` for all kernels instead; per-coordinate neighbour widths, widened 3×,
 * do much better on ZDT1-3 and DTLZ2 (bench/results/samplers.md).
 */
import type { Rng } from "../domain/rng.js";
import { categoricalColumn, numericColumn, sampleCategorical, sampleNumeric, type Column, type NumericColumn, type ParzenParam } from "./tpe-kernels.js";
import { logGaussMass } from "./tpe-normal.js";

export type { ParzenParam } from "./tpe-kernels.js";

/** Fitting options. */
export interface ParzenOptions {
  /** Weight of the prior kernel relative to the observation weights. @default 1 */
  readonly priorWeight: number;
  /** Multiplier of the neighbour-rule bandwidths (1 = Optuna's univariate rule). @default 1 */
  readonly bandwidthFactor?: number;
}

/** Narrow kernels farther than this many σ from a candidate are skipped (e^(−32) ≈ 1e−14). */
const CUTOFF_Z = 8;

/** A fitted mixture over `params.length` coordinates. */
export class ParzenEstimator {
  /** Number of kernels (observations + prior). */
  readonly size: number;
  private readonly logW: Float64Array;
  private readonly cumW: Float64Array;
  private readonly columns: Column[];
  /** log weight plus the log-density constants of every continuous column, per kernel. */
  private readonly kernelConst: Float64Array;
  /** Indices of the continuous columns. */
  private readonly continuous: number[];
  /** Centres and inverse widths of the continuous columns, kernel-major (K × continuous.length). */
  private readonly contMu: Float64Array;
  private readonly contInv: Float64Array;

  /**
   * @param columns one column per parameter, each holding the unit coordinate (no NaN) of
   * every observation, oldest first.
   * @param weights one non-negative weight per observation (not all zero unless empty).
   */
  constructor(params: readonly ParzenParam[], columns: readonly ArrayLike<number>[], weights: ArrayLike<number>, options: ParzenOptions) {
    const n = weights.length;
    const k = n + 1;
    this.size = k;
    const w = new Float64Array(k);
    for (let i = 0; i < n; i++) w[i] = weights[i] as number;
    w[n] = options.priorWeight;
    let total = 0;
    for (let i = 0; i < k; i++) total += w[i] as number;
    this.logW = new Float64Array(k);
    this.cumW = new Float64Array(k);
    let acc = 0;
    for (let i = 0; i < k; i++) {
      const p = (w[i] as number) / total;
      this.logW[i] = Math.log(p);
      acc += p;
      this.cumW[i] = acc;
    }
    const factor = options.bandwidthFactor ?? 1;
    this.columns = params.map((p, d) => {
      const values = columns[d] as ArrayLike<number>;
      return p.kind === "categorical" ? categoricalColumn(values, n, p.bins, options.priorWeight) : numericColumn(p, values, n, factor);
    });
    this.kernelConst = Float64Array.from(this.logW);
    this.continuous = [];
    this.columns.forEach((c, d) => {
      if (c.kind !== "continuous") return;
      this.continuous.push(d);
      for (let j = 0; j < k; j++) this.kernelConst[j] = (this.kernelConst[j] as number) + (c.logConst[j] as number);
    });
    // Kernel-major copies, so that the log-density of a candidate under one kernel is a
    // short dot product over contiguous memory.
    const dc = this.continuous.length;
    this.contMu = new Float64Array(k * dc);
    this.contInv = new Float64Array(k * dc);
    this.continuous.forEach((d, q) => {
      const c = this.columns[d] as NumericColumn;
      for (let j = 0; j < k; j++) {
        this.contMu[j * dc + q] = c.mu[j] as number;
        this.contInv[j * dc + q] = c.invSigma[j] as number;
      }
    });
  }

  /**
   * `count` draws, each a row of unit coordinates (discrete and categorical ones at bin
   * centres). The first `mixedShare · count` draws take each coordinate from a kernel picked
   * independently (recombining good observations coordinate by coordinate); the rest take all
   * coordinates from one kernel.
   */
  sample(rng: Rng, count: number, mixedShare = 0): number[][] {
    const out: number[][] = [];
    for (let s = 0; s < count; s++) {
      const mixed = s < Math.round(count * mixedShare);
      const kernel = this.pickKernel(rng.random());
      out.push(
        this.columns.map((c) => {
          const k = mixed ? this.pickKernel(rng.random()) : kernel;
          return c.kind === "categorical" ? sampleCategorical(c, k, rng) : sampleNumeric(c, k, rng);
        }),
      );
    }
    return out;
  }

  /** log-density (log-mass for discrete/categorical coordinates) of each row of `xs`. */
  logPdf(xs: readonly (readonly number[])[]): Float64Array {
    const m = xs.length;
    const k = this.size;
    const only = this.columns.length === 1 ? this.columns[0] : undefined;
    if (only && only.kind === "continuous") return this.logPdfContinuous(only, xs);
    const acc = new Float64Array(m * k);
    const dc = this.continuous.length;
    const xc = new Float64Array(dc);
    const { contMu, contInv, kernelConst } = this;
    for (let s = 0; s < m; s++) {
      const row = xs[s] as readonly number[];
      for (let q = 0; q < dc; q++) xc[q] = row[this.continuous[q] as number] as number;
      const base = s * k;
      for (let j = 0; j < k; j++) {
        let sq = 0;
        const o = j * dc;
        for (let q = 0; q < dc; q++) {
          const z = ((xc[q] as number) - (contMu[o + q] as number)) * (contInv[o + q] as number);
          sq += z * z;
        }
        acc[base + j] = (kernelConst[j] as number) - 0.5 * sq;
      }
    }
    this.columns.forEach((c, d) => {
      if (c.kind === "continuous") return; // done above
      for (let s = 0; s < m; s++) {
        const x = (xs[s] as readonly number[])[d] as number;
        const base = s * k;
        if (c.kind === "categorical") {
          const bin = Math.min(c.bins - 1, Math.max(0, Math.floor(x * c.bins)));
          for (let j = 0; j < k; j++) acc[base + j] = (acc[base + j] as number) + (c.logP[j * c.bins + bin] as number);
        } else {
          const bin = Math.min(c.bins - 1, Math.max(0, Math.floor(x * c.bins)));
          const lo = bin / c.bins;
          const hi = (bin + 1) / c.bins;
          for (let j = 0; j < k; j++) {
            const mu = c.mu[j] as number;
            const inv = c.invSigma[j] as number;
            acc[base + j] = (acc[base + j] as number) + logGaussMass((lo - mu) * inv, (hi - mu) * inv) - (c.logZ[j] as number);
          }
        }
      }
    });
    const out = new Float64Array(m);
    for (let s = 0; s < m; s++) {
      const base = s * k;
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < k; j++) if ((acc[base + j] as number) > max) max = acc[base + j] as number;
      if (max === Number.NEGATIVE_INFINITY) {
        out[s] = max;
        continue;
      }
      let sum = 0;
      for (let j = 0; j < k; j++) sum += Math.exp((acc[base + j] as number) - max);
      out[s] = max + Math.log(sum);
    }
    return out;
  }

  /**
   * Fast path of one continuous coordinate: one pass in linear space, scaled by the largest
   * kernel peak; the prior kernel (width 1) keeps the density far from underflow anywhere in
   * [0, 1], so no log-sum-exp is needed. Narrow kernels (σ ≤ 2 × the clip minimum, most of
   * them once there are many observations) are visited only within ±{@link CUTOFF_Z} σ of
   * the candidate, through their centres in sorted order; what is skipped weighs less than
   * e^(−32) of a kernel's peak.
   */
  private logPdfContinuous(c: NumericColumn, xs: readonly (readonly number[])[]): Float64Array {
    const k = this.size;
    const peak = new Float64Array(k);
    let offset = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) {
      peak[j] = (this.logW[j] as number) + (c.logConst[j] as number);
      if ((peak[j] as number) > offset) offset = peak[j] as number;
    }
    for (let j = 0; j < k; j++) peak[j] = Math.exp((peak[j] as number) - offset);
    const narrowSigma = 2 / Math.min(100, 1 + k);
    const wide: number[] = [];
    const narrow: number[] = [];
    const order = c.byMu;
    for (const j of order) ((c.sigma[j] as number) <= narrowSigma && k >= 64 ? narrow : wide).push(j);
    const nMu = Float64Array.from(narrow, (j) => c.mu[j] as number);
    const nInv = Float64Array.from(narrow, (j) => c.invSigma[j] as number);
    const nPeak = Float64Array.from(narrow, (j) => peak[j] as number);
    const reach = CUTOFF_Z * narrowSigma;
    const out = new Float64Array(xs.length);
    for (let s = 0; s < xs.length; s++) {
      const x = (xs[s] as readonly number[])[0] as number;
      let sum = 0;
      for (const j of wide) {
        const z = (x - (c.mu[j] as number)) * (c.invSigma[j] as number);
        sum += (peak[j] as number) * Math.exp(-0.5 * z * z);
      }
      let lo = 0;
      let hi = nMu.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((nMu[mid] as number) < x - reach) lo = mid + 1;
        else hi = mid;
      }
      for (let j = lo; j < nMu.length && (nMu[j] as number) <= x + reach; j++) {
        const z = (x - (nMu[j] as number)) * (nInv[j] as number);
        sum += (nPeak[j] as number) * Math.exp(-0.5 * z * z);
      }
      out[s] = offset + Math.log(sum);
    }
    return out;
  }

  private pickKernel(u: number): number {
    let lo = 0;
    let hi = this.size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumW[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
