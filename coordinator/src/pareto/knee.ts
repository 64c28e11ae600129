/**
 * Knee point and reference-point helpers over loss vectors (every coordinate minimised).
 */
import { paretoFrontMask, sanitizePoints, type LossVector } from "./dominance.js";

/**
 * Index of the knee of the Pareto front of `points`, or -1 when no point has only finite
 * coordinates.
 *
 * The front (finite points only) is normalised per objective to [0, 1] by its own minimum and
 * maximum (an objective with zero range maps to 0). In 2-D the extreme points then lie at
 * (0, 1) and (1, 0), and the knee is the front point farthest from the line through them on
 * the side of the ideal point, i.e. the one with the smallest normalised sum. For more
 * objectives the same rule is applied to the hyperplane Σ f̂ᵢ = 1 through the normalised axis
 * intercepts: the knee minimises the normalised sum (the point farthest below that
 * hyperplane). Ties go to the lowest index.
 *
 * @throws RangeError when the points differ in dimension.
 */
export function kneePoint(points: readonly LossVector[]): number {
  const { dim, pts } = sanitizePoints(points);
  const finite = pts.map((p, i) => i).filter((i) => (pts[i] as number[]).every(Number.isFinite));
  if (finite.length === 0) return -1;
  const mask = paretoFrontMask(finite.map((i) => pts[i] as number[]));
  const front = finite.filter((_, k) => mask[k]);
  const lo = new Array<number>(dim).fill(Number.POSITIVE_INFINITY);
  const hi = new Array<number>(dim).fill(Number.NEGATIVE_INFINITY);
  for (const i of front) {
    const p = pts[i] as number[];
    for (let m = 0; m < dim; m++) {
      lo[m] = Math.min(lo[m] as number, p[m] as number);
      hi[m] = Math.max(hi[m] as number, p[m] as number);
    }
  }
  let best = -1;
  let bestSum = Number.POSITIVE_INFINITY;
  for (const i of front) {
    const p = pts[i] as number[];
    let sum = 0;
    for (let m = 0; m < dim; m++) {
      const range = (hi[m] as number) - (lo[m] as number);
      sum += range > 0 ? ((p[m] as number) - (lo[m] as number)) / range : 0;
    }
    if (sum < bestSum) {
      bestSum = sum;
      best = i;
    }
  }
  return best;
}

/**
 * A reference point for reporting hypervolume: per objective, the worst (nadir) value plus
 * `margin` times the objective's range over the points. When the range is zero the margin is
 * `margin × max(1, |nadir|)`, so the reference is always strictly worse than every point.
 * Non-finite coordinates are skipped.
 *
 * @default margin 0.1
 * @throws RangeError when the set is empty or an objective has no finite value.
 */
export function nadirReferencePoint(points: readonly LossVector[], margin = 0.1): number[] {
  const { dim, pts } = sanitizePoints(points);
  if (pts.length === 0) throw new RangeError("cannot derive a reference point from no points");
  const ref: number[] = [];
  for (let m = 0; m < dim; m++) {
    const vs = pts.map((p) => p[m] as number).filter(Number.isFinite);
    if (vs.length === 0) throw new RangeError(`objective ${m} has no finite value`);
    const nadir = Math.max(...vs);
    const range = nadir - Math.min(...vs);
    ref.push(nadir + margin * (range > 0 ? range : Math.max(1, Math.abs(nadir))));
  }
  return ref;
}
