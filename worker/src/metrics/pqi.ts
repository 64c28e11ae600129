/**
 * Sparsity measures of weight vectors and SAP's pruning arithmetic, as pure functions over
 * plain arrays (docs/methods.md §1.2-1.4).
 *
 * - {@link pqIndex}: the PQ Index I_{p,q}(w) = 1 - M_p / M_q in its power-mean form,
 *   M_r = ((1/d) Σ|w_i|^r)^(1/r), where d counts the un-pruned entries only.
 * - {@link giniIndex}: the Gini index of |w|.
 * - {@link sapKeepBound} and {@link sapPruneCount}: r_t (the PQI lower bound on the weights to
 *   keep) and c_t (how many to prune) of SAP's Algorithm 1.
 *
 * Sums are accumulated in float64; values are divided by max|w| first (PQI is scale
 * invariant), so tiny or huge weights neither underflow nor overflow.
 */

/** Exponents of a PQ Index. */
interface PqExponents {
  /** 0 < p < q */
  readonly p: number;
  readonly q: number;
}

/** SAP's pruning hyperparameters (docs/methods.md §1.4). */
export interface SapRule extends PqExponents {
  /** Compression tolerance η_r >= 0. */
  readonly etaR: number;
  /** Scaling factor γ > 0. */
  readonly gamma: number;
  /** Cap β on the fraction of the remaining weights pruned per round, in (0, 1]. */
  readonly beta: number;
}

/**
 * @throws RangeError unless 0 < p < q (both finite)
 */
function checkExponents(p: number, q: number): void {
  if (!(p > 0) || !(q > p) || !Number.isFinite(q)) throw new RangeError(`PQ Index needs 0 < p < q, got p=${p}, q=${q}`);
}

/** Whether entry `i` is un-pruned (no mask: every entry is). */
function kept(keep: ArrayLike<number> | undefined, i: number): boolean {
  return keep === undefined || keep[i] !== 0;
}

/**
 * The PQ Index of the entries of `values` with a non-zero `keep` (all entries when `keep` is
 * omitted): 0 for a constant vector, up to 1 - d^(1/q - 1/p) for a one-hot vector; larger is
 * sparser. Returns 0 when no entry is kept, every kept entry is 0 or the result is not finite,
 * as the authors' code does (docs/methods.md §1.2); tiny negatives from rounding are clamped to 0.
 * @throws RangeError unless 0 < p < q
 */
export function pqIndex(values: ArrayLike<number>, p: number, q: number, keep?: ArrayLike<number>): number {
  checkExponents(p, q);
  let d = 0;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    if (!kept(keep, i)) continue;
    d++;
    const a = Math.abs(values[i] ?? 0);
    if (a > max) max = a;
  }
  if (d === 0 || !(max > 0) || !Number.isFinite(max)) return 0;
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    if (!kept(keep, i)) continue;
    const a = Math.abs(values[i] ?? 0) / max;
    if (a === 0) continue;
    sp += Math.pow(a, p);
    sq += Math.pow(a, q);
  }
  const mp = Math.pow(sp / d, 1 / p);
  const mq = Math.pow(sq / d, 1 / q);
  const index = 1 - mp / mq;
  if (!Number.isFinite(index)) return 0;
  return index < 0 && index > -1e-5 ? 0 : index;
}

/**
 * The Gini index of |w| over the kept entries: sort ascending, then
 * G = Σ_i (2i - N - 1)·|w|_(i) / (N·Σ|w|) with i = 1..N. 0 for a constant vector, (N-1)/N for
 * a one-hot one; 0 when nothing is kept or every kept entry is 0.
 */
export function giniIndex(values: ArrayLike<number>, keep?: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (kept(keep, i)) n++;
  const a = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (kept(keep, i)) a[k++] = Math.abs(values[i] ?? 0);
  a.sort();
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i] ?? 0;
    sum += v;
    weighted += (2 * (i + 1) - n - 1) * v;
  }
  return n === 0 || !(sum > 0) ? 0 : weighted / (n * sum);
}

/**
 * SAP's lower bound on the number of weights to keep (docs/methods.md §1.3, the paper's Theorem 2):
 * r = ceil(d · (1+η_r)^(-q/(q-p)) · (1 - I)^(q·p/(q-p))), clamped to [0, d].
 * @param d un-pruned entries of the scope unit
 * @param pqi I_{p,q} of those entries
 */
export function sapKeepBound(d: number, pqi: number, rule: Pick<SapRule, "p" | "q" | "etaR">): number {
  const { p, q, etaR } = rule;
  checkExponents(p, q);
  if (d <= 0) return 0;
  const oneMinusI = Math.min(1, Math.max(0, 1 - pqi));
  const r = Math.ceil(d * Math.pow(1 + etaR, -q / (q - p)) * Math.pow(oneMinusI, (q * p) / (q - p)));
  return Math.min(d, Math.max(0, r));
}

/** r_t and c_t of one SAP round on one scope unit. */
export interface SapCount {
  /** Lower bound on the weights to keep ({@link sapKeepBound}). */
  readonly r: number;
  /** Weights to prune: c = floor(d · min(γ·(1 - r/d), β)), the ratio clamped to [0, β]. */
  readonly c: number;
}

/**
 * How many of the `d` un-pruned entries of a scope unit SAP prunes this round
 * (docs/methods.md §1.4 steps 2-3).
 */
export function sapPruneCount(d: number, pqi: number, rule: SapRule): SapCount {
  if (d <= 0) return { r: 0, c: 0 };
  const r = sapKeepBound(d, pqi, rule);
  const ratio = Math.min(Math.max(rule.gamma * (1 - r / d), 0), rule.beta);
  return { r, c: Math.min(d, Math.floor(d * ratio)) };
}

/** The sparsity measures logged for every pruned net (docs/methods.md §5). */
export interface SparsityMeasures {
  /** PQI with (p, q) = (0.5, 1). */
  readonly pqi_05_1: number;
  /** PQI with (p, q) = (1, 2). */
  readonly pqi_1_2: number;
  readonly gini: number;
}

/** PQI(0.5, 1), PQI(1, 2) and Gini of the kept entries. */
export function sparsityMeasures(values: ArrayLike<number>, keep?: ArrayLike<number>): SparsityMeasures {
  return { pqi_05_1: pqIndex(values, 0.5, 1, keep), pqi_1_2: pqIndex(values, 1, 2, keep), gini: giniIndex(values, keep) };
}
