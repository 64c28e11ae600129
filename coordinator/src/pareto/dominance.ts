/**
 * Pareto dominance over loss vectors (every coordinate minimised). Pure functions with no
 * knowledge of trials or objectives: callers normalise at the domain edge first
 * (`toLossVector`: maximised objectives negated, missing values `+Infinity`).
 *
 * NaN coordinates are read as `+Infinity` (the worst value), so a NaN point never dominates
 * a finite one and the functions stay total.
 */

/** A loss vector; every coordinate is minimised. */
export type LossVector = readonly number[];

const worst = (v: number): number => (Number.isNaN(v) ? Number.POSITIVE_INFINITY : v);

/**
 * True when `a` Pareto-dominates `b`: `a` is no worse in every coordinate and strictly
 * better in at least one (minimisation). Identical vectors do not dominate each other.
 *
 * @throws RangeError when the vectors differ in length.
 */
export function dominates(a: LossVector, b: LossVector): boolean {
  if (a.length !== b.length) throw new RangeError(`expected vectors of equal length, got ${a.length} and ${b.length}`);
  let strictly = false;
  for (let i = 0; i < a.length; i++) {
    const x = worst(a[i] as number);
    const y = worst(b[i] as number);
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

/**
 * Checks that all points share one dimension and returns it (0 for an empty set), with NaN
 * replaced by +Infinity.
 *
 * @throws RangeError when the points differ in dimension.
 */
export function sanitizePoints(points: readonly LossVector[]): { dim: number; pts: number[][] } {
  const dim = points[0]?.length ?? 0;
  const pts = points.map((p, i) => {
    if (p.length !== dim) throw new RangeError(`point ${i} has ${p.length} objectives, expected ${dim}`);
    return p.map(worst);
  });
  return { dim, pts };
}

/** Lexicographic comparison of two vectors of equal length. */
export function compareLex(a: LossVector, b: LossVector): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    // Equal infinities give NaN here: a tie on this coordinate.
    if (d < 0) return -1;
    if (d > 0) return 1;
  }
  return 0;
}

/** Indices of `pts` sorted lexicographically (stable). */
function lexOrder(pts: readonly LossVector[]): number[] {
  return pts.map((_, i) => i).sort((i, j) => compareLex(pts[i] as LossVector, pts[j] as LossVector) || i - j);
}

/**
 * Marks the non-dominated points: `mask[i]` is true when no other point dominates
 * `points[i]`. Duplicates of a non-dominated point are all marked.
 *
 * Two objectives: sort plus one sweep, O(N log N). More: lexicographic sort, then each point
 * is compared only with the front found so far (a dominated point is always dominated by a
 * front member, and only lexicographically earlier points can dominate), O(N·F·d).
 *
 * @throws RangeError when the points differ in dimension.
 */
export function paretoFrontMask(points: readonly LossVector[]): boolean[] {
  const { dim, pts } = sanitizePoints(points);
  const n = pts.length;
  const mask = new Array<boolean>(n).fill(false);
  if (n === 0) return mask;
  if (dim === 0) return mask.fill(true);
  const order = lexOrder(pts);
  if (dim === 1) {
    const best = (pts[order[0] as number] as number[])[0] as number;
    for (let i = 0; i < n; i++) mask[i] = (pts[i] as number[])[0] === best;
    return mask;
  }
  if (dim === 2) {
    // Sorted by (x, y): a point is dominated iff an earlier point has y below it, or an
    // earlier point with a strictly smaller x has the same y.
    let minYBefore = Number.POSITIVE_INFINITY; // min y over the points with a strictly smaller x
    let k = 0;
    while (k < n) {
      const first = pts[order[k] as number] as number[];
      const x = first[0] as number;
      const groupMinY = first[1] as number;
      let end = k;
      while (end < n && (pts[order[end] as number] as number[])[0] === x) end++;
      const groupOnFront = k === 0 || minYBefore > groupMinY;
      for (let j = k; j < end; j++) {
        const idx = order[j] as number;
        mask[idx] = groupOnFront && (pts[idx] as number[])[1] === groupMinY;
      }
      if (groupMinY < minYBefore) minYBefore = groupMinY;
      k = end;
    }
    return mask;
  }
  const front: number[][] = [];
  for (const idx of order) {
    const p = pts[idx] as number[];
    if (!front.some((q) => dominates(q, p))) {
      mask[idx] = true;
      front.push(p);
    }
  }
  return mask;
}

/**
 * Non-domination rank of every point: 0 for the Pareto front, 1 for the front of the rest,
 * and so on (NSGA-II's fast non-dominated sort). Duplicates share a rank.
 *
 * Two objectives: O(N log N) by sorting and a binary search over the fronts' last points.
 * More: repeated front peeling over the lexicographic order, O(N²·d) in total.
 *
 * @throws RangeError when the points differ in dimension.
 */
export function nonDominatedRanks(points: readonly LossVector[]): number[] {
  const { dim, pts } = sanitizePoints(points);
  const n = pts.length;
  const ranks = new Array<number>(n).fill(0);
  if (n === 0 || dim === 0) return ranks;
  const order = lexOrder(pts);
  if (dim === 2) {
    // tails[k] = the last point added to front k; its y is the smallest in that front, and the
    // tails' y values never decrease with k, so "tail k dominates p" is monotone in k.
    const tails: number[][] = [];
    for (const idx of order) {
      const p = pts[idx] as number[];
      let lo = 0;
      let hi = tails.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (dominates(tails[mid] as number[], p)) lo = mid + 1;
        else hi = mid;
      }
      tails[lo] = p;
      ranks[idx] = lo;
    }
    return ranks;
  }
  let remaining = order;
  let rank = 0;
  while (remaining.length > 0) {
    const front: number[][] = [];
    const next: number[] = [];
    for (const idx of remaining) {
      const p = pts[idx] as number[];
      if (front.some((q) => dominates(q, p))) next.push(idx);
      else {
        front.push(p);
        ranks[idx] = rank;
      }
    }
    remaining = next;
    rank++;
  }
  return ranks;
}

/**
 * NSGA-II crowding distance of each point within the given set (usually one front).
 * Boundary points of each objective get `Infinity`; objectives with a zero or non-finite
 * range contribute nothing to interior points. Sets of one or two points are all `Infinity`.
 *
 * @throws RangeError when the points differ in dimension.
 */
export function crowdingDistance(points: readonly LossVector[]): number[] {
  const { dim, pts } = sanitizePoints(points);
  const n = pts.length;
  const dist = new Array<number>(n).fill(0);
  if (n <= 2) return dist.fill(Number.POSITIVE_INFINITY);
  for (let m = 0; m < dim; m++) {
    const order = pts.map((_, i) => i).sort((i, j) => ((pts[i] as number[])[m] as number) - ((pts[j] as number[])[m] as number) || i - j);
    const at = (k: number): number => (pts[order[k] as number] as number[])[m] as number;
    dist[order[0] as number] = Number.POSITIVE_INFINITY;
    dist[order[n - 1] as number] = Number.POSITIVE_INFINITY;
    const range = at(n - 1) - at(0);
    if (!(range > 0) || !Number.isFinite(range)) continue;
    for (let k = 1; k < n - 1; k++) {
      const gap = (at(k + 1) - at(k - 1)) / range;
      const idx = order[k] as number;
      if (Number.isFinite(gap)) dist[idx] = (dist[idx] as number) + gap;
    }
  }
  return dist;
}
