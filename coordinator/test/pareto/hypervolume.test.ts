import { describe, expect, it } from "vitest";
import { hypervolume, hypervolumeHistory, kneePoint, nadirReferencePoint } from "../../src/pareto/index.js";
import { Rng } from "../../src/domain/rng.js";

/** Inclusion-exclusion over all non-empty subsets: exact for small sets, any dimension. */
function inclusionExclusion(points: number[][], ref: number[]): number {
  const pts = points.filter((p) => p.every((v, k) => v < ref[k]!));
  let total = 0;
  for (let mask = 1; mask < 1 << pts.length; mask++) {
    const corner = ref.map(() => -Infinity);
    let count = 0;
    for (let i = 0; i < pts.length; i++) {
      if (mask & (1 << i)) {
        count++;
        pts[i]!.forEach((v, k) => (corner[k] = Math.max(corner[k]!, v)));
      }
    }
    const vol = corner.reduce((acc, v, k) => acc * (ref[k]! - v), 1);
    total += count % 2 === 1 ? vol : -vol;
  }
  return total;
}

function monteCarlo(points: number[][], ref: number[], samples: number, rng: Rng): number {
  let hits = 0;
  for (let s = 0; s < samples; s++) {
    const x = ref.map((r) => rng.uniform(0, r));
    if (points.some((p) => p.every((v, k) => v <= x[k]!))) hits++;
  }
  return (hits / samples) * ref.reduce((a, b) => a * b, 1);
}

const randomSet = (rng: Rng, n: number, dim: number): number[][] =>
  Array.from({ length: n }, () => Array.from({ length: dim }, () => Math.round(rng.random() * 20) / 20));

describe("hypervolume", () => {
  it("matches the staircase for a small 2-D set", () => {
    expect(hypervolume([[1, 0], [0.5, 0.5], [0, 1], [1.5, 0.75]], [2, 2])).toBeCloseTo(3.25, 12);
  });

  it("gives 2/3 for the ZDT1 true front with reference (1, 1)", () => {
    const n = 2000;
    const pts = Array.from({ length: n }, (_, i) => {
      const f1 = i / (n - 1);
      return [f1, 1 - Math.sqrt(f1)];
    });
    expect(Math.abs(hypervolume(pts, [1, 1]) - 2 / 3)).toBeLessThan(1e-3);
  });

  it("handles 1-D, empty sets and points outside the reference", () => {
    expect(hypervolume([[3], [1]], [4])).toBe(3);
    expect(hypervolume([], [1, 1])).toBe(0);
    expect(hypervolume([[2, 0], [0.5, 1]], [1, 1])).toBe(0);
    expect(hypervolume([[2, 0], [0.5, 0.5]], [1, 1])).toBeCloseTo(0.25);
  });

  it("throws on a dimension mismatch or a NaN reference", () => {
    expect(() => hypervolume([[1, 2]], [3])).toThrow(RangeError);
    expect(() => hypervolume([[1, 2]], [3, NaN])).toThrow(RangeError);
  });

  for (const dim of [2, 3, 4, 5]) {
    it(`agrees with inclusion-exclusion on seeded random sets (${dim}-D)`, () => {
      const rng = new Rng(dim * 31);
      const ref = new Array<number>(dim).fill(1.1);
      for (let round = 0; round < 40; round++) {
        const pts = randomSet(rng, rng.int(1, 9), dim);
        expect(hypervolume(pts, ref)).toBeCloseTo(inclusionExclusion(pts, ref), 10);
      }
    });
  }

  for (const dim of [3, 4]) {
    it(`agrees with Monte Carlo on a larger random set (${dim}-D)`, () => {
      const rng = new Rng(dim);
      const pts = randomSet(rng, 40, dim);
      const ref = new Array<number>(dim).fill(1);
      const estimate = monteCarlo(pts, ref, 100_000, rng);
      expect(Math.abs(hypervolume(pts, ref) - estimate)).toBeLessThan(0.01);
    });
  }

  it("never changes when a dominated point is added", () => {
    const rng = new Rng(11);
    for (const dim of [2, 3, 4]) {
      for (let round = 0; round < 20; round++) {
        const pts = randomSet(rng, 12, dim);
        const ref = new Array<number>(dim).fill(1.2);
        const base = pts[rng.int(0, pts.length - 1)]!;
        const dominated = base.map((v) => v + rng.random() * 0.1);
        expect(hypervolume([...pts, dominated], ref)).toBeCloseTo(hypervolume(pts, ref), 12);
      }
    }
  });
});

describe("hypervolumeHistory", () => {
  it("matches a from-scratch HV after every point", () => {
    const rng = new Rng(5);
    for (const dim of [2, 3, 4]) {
      const pts = randomSet(rng, 30, dim);
      const ref = new Array<number>(dim).fill(1);
      const history = hypervolumeHistory(pts, ref);
      history.forEach((hv, i) => expect(hv).toBeCloseTo(hypervolume(pts.slice(0, i + 1), ref), 10));
      for (let i = 1; i < history.length; i++) expect(history[i]!).toBeGreaterThanOrEqual(history[i - 1]! - 1e-12);
    }
  });
});

describe("kneePoint", () => {
  it("picks the point farthest below the line between the extremes", () => {
    expect(kneePoint([[0, 1], [0.2, 0.2], [0.6, 0.1], [1, 0], [0.9, 0.9]])).toBe(1);
  });

  it("ignores non-finite points and returns -1 when none is left", () => {
    expect(kneePoint([[Infinity, 0], [0.5, 0.5]])).toBe(1);
    expect(kneePoint([])).toBe(-1);
  });

  it("works in 3-D", () => {
    expect(kneePoint([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.2, 0.2, 0.2]])).toBe(3);
  });
});

describe("nadirReferencePoint", () => {
  it("adds 10% of the range to the nadir", () => {
    expect(nadirReferencePoint([[0, 10], [1, 20]])).toEqual([1.1, 21]);
  });

  it("uses a positive margin when the range is zero", () => {
    expect(nadirReferencePoint([[5, 0], [5, 0]])).toEqual([5.5, 0.1]);
  });
});
