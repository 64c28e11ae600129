/**
 * Exact hypervolume (the Lebesgue measure of the region dominated by a point set and bounded
 * by a reference point), every coordinate minimised.
 *
 * Points that do not strictly dominate the reference (some coordinate `>=` the reference's)
 * enclose no volume and are ignored; this equals clipping them to the reference. This is a
 * deliberate departure from Optuna's `compute_hypervolume`, which throws: a campaign's HV
 * history is reported with a reference fixed from the data, and a later point outside it
 * should simply not count. NaN coordinates are read as `+Infinity` (so the point is ignored).
 */
import { compareLex, dominates, sanitizePoints, type LossVector } from "./dominance.js";

/** Volume of the box between `p` and `ref`. */
function boxVolume(p: readonly number[], ref: readonly number[]): number {
  let v = 1;
  for (let i = 0; i < p.length; i++) v *= (ref[i] as number) - (p[i] as number);
  return v;
}

/** Sort lexicographically and drop exact duplicates. */
function uniqueLex(pts: number[][]): number[][] {
  pts.sort(compareLex);
  return pts.filter((p, i) => i === 0 || compareLex(p, pts[i - 1] as number[]) !== 0);
}

/** 2-D sweep over points sorted by (x, y): each point lowering the running min y adds a strip. */
function hv2d(sorted: readonly (readonly number[])[], ref: readonly number[]): number {
  const rx = ref[0] as number;
  let minY = ref[1] as number;
  let area = 0;
  for (const p of sorted) {
    const y = p[1] as number;
    if (y < minY) {
      area += (rx - (p[0] as number)) * (minY - y);
      minY = y;
    }
  }
  return area;
}

/**
 * 3-D dimension sweep: points in increasing z; the 2-D front of their (x, y) projections is
 * kept sorted by x, and each slab between consecutive z values adds area × thickness.
 * O(N·F) with array insertion, which is fine for the front sizes a campaign produces.
 */
function hv3d(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const byZ = [...points].sort((a, b) => (a[2] as number) - (b[2] as number));
  const front: number[][] = []; // (x, y), x ascending, y descending
  let volume = 0;
  for (let i = 0; i < byZ.length; i++) {
    const p = byZ[i] as readonly number[];
    const x = p[0] as number;
    const y = p[1] as number;
    let lo = 0;
    let hi = front.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = front[mid] as number[];
      if ((q[0] as number) < x || ((q[0] as number) === x && (q[1] as number) < y)) lo = mid + 1;
      else hi = mid;
    }
    const pred = front[lo - 1];
    if (!(pred && (pred[1] as number) <= y)) {
      let end = lo;
      while (end < front.length && ((front[end] as number[])[1] as number) >= y) end++;
      front.splice(lo, end - lo, [x, y]);
    }
    const nextZ = i + 1 < byZ.length ? ((byZ[i + 1] as readonly number[])[2] as number) : (ref[2] as number);
    const dz = nextZ - (p[2] as number);
    if (dz > 0) volume += hv2d(front, ref) * dz;
  }
  return volume;
}

/**
 * WFG (While, Bradstreet, Barone 2012), as Optuna implements it: points sorted by the first
 * objective; HV = Σ exclusive(p_i), where exclusive(p_i) = box(p_i) − HV(limit set of the
 * later points against p_i). Small cases and 2-/3-D limit sets use the exact fast paths.
 */
function wfg(sorted: readonly (readonly number[])[], ref: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const first = sorted[0] as readonly number[];
  if (n === 1) return boxVolume(first, ref);
  if (n === 2) {
    const second = sorted[1] as readonly number[];
    const worse = first.map((v, k) => Math.max(v, second[k] as number));
    return boxVolume(first, ref) + boxVolume(second, ref) - boxVolume(worse, ref);
  }
  const dim = ref.length;
  if (dim === 2) return hv2d(sorted, ref);
  if (dim === 3) return hv3d(sorted, ref);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const p = sorted[i] as readonly number[];
    const limited: number[][] = [];
    for (let j = i + 1; j < n; j++) {
      const q = sorted[j] as readonly number[];
      limited.push(q.map((v, k) => Math.max(v, p[k] as number)));
    }
    total += boxVolume(p, ref) - wfg(nonDominatedUnique(limited), ref);
  }
  return total;
}

/** The distinct non-dominated points of `pts`, sorted lexicographically. */
function nonDominatedUnique(pts: number[][]): number[][] {
  const uniq = uniqueLex(pts);
  const front: number[][] = [];
  for (const p of uniq) if (!front.some((q) => dominates(q, p))) front.push(p);
  return front;
}

/**
 * Exact hypervolume dominated by `points` with respect to `reference` (minimisation).
 * 1-D: a length; 2-D: sort and sweep, O(N log N); 3-D: dimension sweep; 4-D and more: WFG.
 *
 * Points not strictly dominating the reference are ignored (see the module note). Returns 0
 * for an empty set, `Infinity` when a counted point has a `-Infinity` coordinate or the
 * reference has a `+Infinity` coordinate.
 *
 * @throws RangeError when dimensions differ or the reference contains NaN.
 */
export function hypervolume(points: readonly LossVector[], reference: readonly number[]): number {
  const { dim, pts } = sanitizePoints(points);
  if (pts.length > 0 && dim !== reference.length) {
    throw new RangeError(`points have ${dim} objectives but the reference has ${reference.length}`);
  }
  if (reference.some((r) => Number.isNaN(r))) throw new RangeError("the reference point contains NaN");
  const inside = pts.filter((p) => p.every((v, k) => v < (reference[k] as number)));
  if (inside.length === 0) return 0;
  if (reference.some((r) => r === Number.POSITIVE_INFINITY)) return Number.POSITIVE_INFINITY;
  if (inside.some((p) => p.some((v) => v === Number.NEGATIVE_INFINITY))) return Number.POSITIVE_INFINITY;
  if (dim === 1) return (reference[0] as number) - Math.min(...inside.map((p) => p[0] as number));
  if (dim === 2) return hv2d(inside.sort(compareLex), reference);
  const front = nonDominatedUnique(inside);
  if (dim === 3) return hv3d(front, reference);
  return wfg(front, reference);
}

/**
 * Hypervolume after each point of a sequence (e.g. trials in completion order), computed
 * incrementally: a point that is ignored or weakly dominated by the running front repeats the
 * previous value; otherwise HV grows by the point's exclusive contribution,
 * box(p) − HV({max(q, p) : q in front}).
 *
 * @throws RangeError as {@link hypervolume}.
 */
export function hypervolumeHistory(pointsInOrder: readonly LossVector[], reference: readonly number[]): number[] {
  const { pts } = sanitizePoints(pointsInOrder);
  if (reference.some((r) => Number.isNaN(r))) throw new RangeError("the reference point contains NaN");
  const history: number[] = [];
  let front: number[][] = [];
  let current = 0;
  for (const p of pts) {
    if (p.length !== reference.length) {
      throw new RangeError(`points have ${p.length} objectives but the reference has ${reference.length}`);
    }
    const inside = p.every((v, k) => v < (reference[k] as number));
    const covered = front.some((q) => dominates(q, p) || compareLex(q, p) === 0);
    if (inside && !covered) {
      const limited = front.map((q) => q.map((v, k) => Math.max(v, p[k] as number)));
      const gain = hypervolume([p], reference) - hypervolume(limited, reference);
      current = Number.isFinite(current) ? current + gain : current;
      front = front.filter((q) => !dominates(p, q));
      front.push(p);
    }
    history.push(current);
  }
  return history;
}
