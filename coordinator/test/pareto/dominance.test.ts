import { describe, expect, it } from "vitest";
import { crowdingDistance, dominates, nonDominatedRanks, paretoFrontMask } from "../../src/pareto/index.js";
import { Rng } from "../../src/domain/rng.js";

/** Random points on a small integer lattice, so ties and duplicates are common. */
function randomPoints(rng: Rng, n: number, dim: number, levels: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.int(0, levels - 1)));
}

function bruteMask(points: number[][]): boolean[] {
  return points.map((p) => !points.some((q) => dominates(q, p)));
}

function bruteRanks(points: number[][]): number[] {
  const ranks = new Array<number>(points.length).fill(-1);
  let left = points.map((_, i) => i);
  for (let r = 0; left.length > 0; r++) {
    const front = left.filter((i) => !left.some((j) => dominates(points[j]!, points[i]!)));
    for (const i of front) ranks[i] = r;
    left = left.filter((i) => !front.includes(i));
  }
  return ranks;
}

describe("dominates", () => {
  it("requires no worse everywhere and strictly better somewhere", () => {
    expect(dominates([1, 2], [2, 2])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([1, 3], [2, 2])).toBe(false);
    expect(dominates([1, Infinity], [1, 5])).toBe(false);
    expect(dominates([1, 5], [1, Infinity])).toBe(true);
  });

  it("reads NaN as the worst value", () => {
    expect(dominates([1, 1], [1, NaN])).toBe(true);
    expect(dominates([1, NaN], [1, 1])).toBe(false);
  });

  it("throws on a length mismatch", () => {
    expect(() => dominates([1], [1, 2])).toThrow(RangeError);
  });
});

describe("paretoFrontMask", () => {
  it("handles empty, single and one-objective sets", () => {
    expect(paretoFrontMask([])).toEqual([]);
    expect(paretoFrontMask([[3, 4]])).toEqual([true]);
    expect(paretoFrontMask([[3], [1], [1], [2]])).toEqual([false, true, true, false]);
  });

  it("marks every copy of a non-dominated duplicate", () => {
    expect(paretoFrontMask([[1, 2], [1, 2], [2, 1], [2, 2]])).toEqual([true, true, true, false]);
  });

  it("treats equal-x groups correctly in 2-D", () => {
    expect(paretoFrontMask([[0, Infinity], [1, Infinity]])).toEqual([true, false]);
    expect(paretoFrontMask([[1, 3], [1, 2], [0, 2]])).toEqual([false, false, true]);
  });

  for (const dim of [2, 3, 4]) {
    it(`agrees with a brute force on seeded random sets (${dim} objectives)`, () => {
      const rng = new Rng(100 + dim);
      for (let round = 0; round < 60; round++) {
        const pts = randomPoints(rng, rng.int(1, 80), dim, round % 2 === 0 ? 5 : 50);
        expect(paretoFrontMask(pts)).toEqual(bruteMask(pts));
      }
    });
  }

  it("never keeps two points where one dominates the other", () => {
    const rng = new Rng(7);
    for (const dim of [2, 3, 5]) {
      const pts = randomPoints(rng, 200, dim, 20);
      const front = pts.filter((_, i) => paretoFrontMask(pts)[i]);
      for (const a of front) for (const b of front) expect(dominates(a, b)).toBe(false);
    }
  });

  it("throws on mixed dimensions", () => {
    expect(() => paretoFrontMask([[1, 2], [1]])).toThrow(RangeError);
  });
});

describe("nonDominatedRanks", () => {
  for (const dim of [2, 3, 4]) {
    it(`agrees with a brute force on seeded random sets (${dim} objectives)`, () => {
      const rng = new Rng(200 + dim);
      for (let round = 0; round < 60; round++) {
        const pts = randomPoints(rng, rng.int(1, 80), dim, round % 2 === 0 ? 4 : 40);
        expect(nonDominatedRanks(pts)).toEqual(bruteRanks(pts));
      }
    });
  }

  it("gives rank 0 exactly to the front", () => {
    const rng = new Rng(3);
    const pts = randomPoints(rng, 150, 2, 30);
    const mask = paretoFrontMask(pts);
    expect(nonDominatedRanks(pts).map((r) => r === 0)).toEqual(mask);
  });

  it("ranks a chain one per point", () => {
    expect(nonDominatedRanks([[3, 3], [1, 1], [2, 2]])).toEqual([2, 0, 1]);
  });
});

describe("crowdingDistance", () => {
  it("gives boundary points Infinity and interior points the normalised gap sum", () => {
    const d = crowdingDistance([[0, 4], [1, 2], [2, 1], [4, 0]]);
    expect(d[0]).toBe(Infinity);
    expect(d[3]).toBe(Infinity);
    expect(d[1]).toBeCloseTo(2 / 4 + 3 / 4);
    expect(d[2]).toBeCloseTo(3 / 4 + 2 / 4);
  });

  it("gives sets of two points Infinity", () => {
    expect(crowdingDistance([[0, 1], [1, 0]])).toEqual([Infinity, Infinity]);
  });

  it("ignores objectives with zero range", () => {
    const d = crowdingDistance([[0, 5], [1, 5], [2, 5]]);
    expect(d[1]).toBeCloseTo(1);
  });
});
