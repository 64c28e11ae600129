/**
 * The columns of a Parzen estimator: per-coordinate kernel parameters (centres, bandwidths,
 * truncation masses, smoothed categorical counts), how they are fitted, and how one
 * coordinate is drawn from one kernel. See `parzen-estimator.ts`.
 */
import type { Rng } from "../domain/rng.js";
import type { ParamKind } from "./unit-space.js";
import { logGaussMass, logPhi } from "./tpe-normal.js";

/** The kind of one coordinate of the estimator. */
export interface ParzenParam {
  readonly kind: Exclude<ParamKind, "fixed">;
  /** Values of a discrete or categorical coordinate; 0 for continuous. */
  readonly bins: number;
}


/** Draws before a truncated-Gaussian rejection sampler falls back to clamping. */
const MAX_REJECTIONS = 64;

export interface NumericColumn {
  readonly kind: "continuous" | "discrete";
  readonly bins: number;
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  readonly invSigma: Float64Array;
  /** log(Φ((1−μ)/σ) − Φ(−μ/σ)): the kernel's mass inside [0, 1]. */
  readonly logZ: Float64Array;
  /** −log σ − log Z: constant of the continuous log-density. */
  readonly logConst: Float64Array;
  /** Kernel indices in increasing order of centre. */
  readonly byMu: Int32Array;
}

export interface CategoricalColumn {
  readonly kind: "categorical";
  readonly bins: number;
  /** K × bins log-probabilities, row-major. */
  readonly logP: Float64Array;
  /** K × bins cumulative probabilities, row-major. */
  readonly cum: Float64Array;
}

export type Column = NumericColumn | CategoricalColumn;

/**
 * Per-kernel bandwidths by Optuna's neighbour rule (consider_endpoints = false): the larger
 * gap to the neighbouring centres in sorted order, bounds 0 and 1 as outer neighbours,
 * except that the outermost centres use their only inner neighbour.
 */
function neighbourSigmas(mus: Float64Array, byMu: Int32Array): Float64Array {
  const k = mus.length;
  argsortUnit(mus, byMu);
  const out = new Float64Array(k);
  const at = (r: number): number => (r < 0 ? 0 : r >= k ? 1 : (mus[byMu[r] as number] as number));
  for (let r = 0; r < k; r++) {
    const left = at(r) - at(r - 1);
    const right = at(r + 1) - at(r);
    out[byMu[r] as number] = k >= 2 && r === 0 ? right : k >= 2 && r === k - 1 ? left : Math.max(left, right);
  }
  return out;
}

/** Bits of index packed below the value in {@link argsortUnit}'s sort keys. */
const INDEX_BITS = 14;

/**
 * Writes into `order` the indices of `xs` (values in [0, 1]) in increasing order of value,
 * ties by index (a stable argsort). Up to 2^14 values it sorts packed numeric keys (value
 * quantised to 2^-38, index below) with the native typed-array sort, several times faster
 * than sorting indices with a comparator.
 */
function argsortUnit(xs: ArrayLike<number>, order: Int32Array): void {
  const k = xs.length;
  if (k <= 1 << INDEX_BITS) {
    const keys = new Float64Array(k);
    const scale = 2 ** 38;
    for (let i = 0; i < k; i++) keys[i] = Math.floor(Math.min(1, Math.max(0, xs[i] as number)) * scale) * (1 << INDEX_BITS) + i;
    keys.sort();
    const mask = (1 << INDEX_BITS) - 1;
    for (let r = 0; r < k; r++) order[r] = (keys[r] as number) % (mask + 1);
    return;
  }
  Array.from({ length: k }, (_, i) => i)
    .sort((a, b) => (xs[a] as number) - (xs[b] as number) || a - b)
    .forEach((i, r) => (order[r] = i));
}

/** The kernel's log-mass inside [0, 1]: log(Φ((1−μ)/σ) − Φ(−μ/σ)). */
function logMass(mu: number, sigma: number): number {
  // Far from both bounds the mass is 1 to within e^(−36).
  if (mu - 8.5 * sigma > 0 && mu + 8.5 * sigma < 1) return 0;
  return logGaussMass(-mu / sigma, (1 - mu) / sigma);
}

export function numericColumn(p: ParzenParam, values: ArrayLike<number>, n: number, factor: number): NumericColumn {
  const k = n + 1;
  const mu = new Float64Array(k);
  for (let i = 0; i < n; i++) mu[i] = values[i] as number;
  mu[n] = 0.5;
  const byMu = new Int32Array(k);
  const sigma = neighbourSigmas(mu, byMu);
  if (factor !== 1) for (let i = 0; i < k; i++) sigma[i] = (sigma[i] as number) * factor;
  const minSigma = 1 / Math.min(100, 1 + k);
  for (let i = 0; i < k; i++) sigma[i] = Math.min(1, Math.max(minSigma, sigma[i] as number));
  sigma[n] = 1;
  const invSigma = new Float64Array(k);
  const logZ = new Float64Array(k);
  const logConst = new Float64Array(k);
  const logPhi0 = logPhi(0);
  let lastSigma = Number.NaN;
  let lastLog = 0;
  for (let i = 0; i < k; i++) {
    const s = sigma[i] as number;
    if (s !== lastSigma) {
      lastSigma = s;
      lastLog = Math.log(s);
    }
    invSigma[i] = 1 / s;
    const z = logMass(mu[i] as number, s);
    logZ[i] = z;
    logConst[i] = logPhi0 - lastLog - z;
  }
  return { kind: p.kind === "discrete" ? "discrete" : "continuous", bins: p.bins, mu, sigma, invSigma, logZ, logConst, byMu };
}

export function categoricalColumn(values: ArrayLike<number>, n: number, bins: number, priorWeight: number): CategoricalColumn {
  const k = n + 1;
  const logP = new Float64Array(k * bins);
  const cum = new Float64Array(k * bins);
  const smooth = priorWeight / k;
  for (let j = 0; j < k; j++) {
    const hit = j < n ? Math.min(bins - 1, Math.max(0, Math.floor((values[j] as number) * bins))) : -1;
    const total = (j < n ? 1 : 0) + smooth * bins;
    let acc = 0;
    for (let c = 0; c < bins; c++) {
      const p = (smooth + (c === hit ? 1 : 0)) / total;
      logP[j * bins + c] = Math.log(p);
      acc += p;
      cum[j * bins + c] = acc;
    }
  }
  return { kind: "categorical", bins, logP, cum };
}

export function sampleCategorical(c: CategoricalColumn, kernel: number, rng: Rng): number {
  const u = rng.random();
  const base = kernel * c.bins;
  let choice = c.bins - 1;
  for (let i = 0; i < c.bins; i++) {
    if ((c.cum[base + i] as number) > u) {
      choice = i;
      break;
    }
  }
  return (choice + 0.5) / c.bins;
}

export function sampleNumeric(c: NumericColumn, kernel: number, rng: Rng): number {
  const mu = c.mu[kernel] as number;
  const sigma = c.sigma[kernel] as number;
  let x = mu;
  for (let i = 0; i < MAX_REJECTIONS; i++) {
    const y = mu + sigma * rng.normal();
    if (y >= 0 && y <= 1) {
      x = y;
      break;
    }
  }
  if (c.kind === "discrete") return (Math.min(c.bins - 1, Math.floor(x * c.bins)) + 0.5) / c.bins;
  return x;
}
