/** Oracle tests of the PQ Index, Gini and SAP's prune count: closed forms and brute force. */
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/data/rng.js";
import { giniIndex, pqIndex, sapKeepBound, sapPruneCount, sparsityMeasures } from "../../src/metrics/pqi.js";
import { pruneByUnits, scopeUnits } from "../../src/pruning/schedule-units.js";

const randomVector = (n: number, seed: number): Float32Array => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
};

describe("pqIndex", () => {
  it("is 0 for a constant vector", () => {
    for (const [p, q] of [
      [0.5, 1],
      [1, 2],
      [0.2, 1.8],
    ] as const) {
      expect(pqIndex(new Float32Array(10).fill(0.3), p, q)).toBe(0);
      expect(pqIndex([-2, 2, -2, 2], p, q)).toBe(0);
    }
  });

  it("is 0.9 for a one-hot vector with d = 10 and (p, q) = (0.5, 1), and 1 - d^(1/q - 1/p) in general", () => {
    const oneHot = new Float32Array(10);
    oneHot[3] = -5;
    expect(pqIndex(oneHot, 0.5, 1)).toBeCloseTo(0.9, 12);
    expect(pqIndex(oneHot, 1, 2)).toBeCloseTo(1 - Math.pow(10, 0.5 - 1), 12);
    expect(pqIndex(oneHot, 0.25, 1.5)).toBeCloseTo(1 - Math.pow(10, 1 / 1.5 - 4), 12);
  });

  it("matches the closed forms of (0.5, 1) and (1, 2)", () => {
    const w = randomVector(1000, 1);
    const d = w.length;
    let sumSqrt = 0;
    let sumAbs = 0;
    let sumSq = 0;
    for (const v of w) {
      sumSqrt += Math.sqrt(Math.abs(v));
      sumAbs += Math.abs(v);
      sumSq += v * v;
    }
    expect(1 - pqIndex(w, 0.5, 1)).toBeCloseTo((sumSqrt * sumSqrt) / (d * sumAbs), 10);
    expect(1 - pqIndex(w, 1, 2)).toBeCloseTo(sumAbs / (Math.sqrt(d) * Math.sqrt(sumSq)), 10);
  });

  it("counts only kept entries (d = un-pruned), is scale invariant and rises with sparsity", () => {
    const w = randomVector(200, 2);
    const keep = Uint8Array.from(w, (_, i) => (i % 3 === 0 ? 0 : 1));
    const kept = w.filter((_, i) => keep[i] === 1);
    expect(pqIndex(w, 0.5, 1, keep)).toBeCloseTo(pqIndex(kept, 0.5, 1), 12);
    expect(pqIndex(w.map((v) => v * 1e-20), 0.5, 1)).toBeCloseTo(pqIndex(w, 0.5, 1), 6);
    const sparser = w.map((v, i) => (i % 2 === 0 ? 0 : v));
    expect(pqIndex(sparser, 0.5, 1)).toBeGreaterThan(pqIndex(w, 0.5, 1));
  });

  it("returns 0 for empty or all-zero input and rejects p >= q", () => {
    expect(pqIndex([], 0.5, 1)).toBe(0);
    expect(pqIndex([0, 0, 0], 0.5, 1)).toBe(0);
    expect(pqIndex([1, 2], 0.5, 1, [0, 0])).toBe(0);
    expect(() => pqIndex([1, 2], 1, 1)).toThrow(RangeError);
    expect(() => pqIndex([1, 2], 0, 1)).toThrow(RangeError);
  });

  it("prunes about 15% (0.5, 1) and 36% (1, 2) of a Gaussian in SAP's first round (docs/methods.md §1.7)", () => {
    const w = randomVector(200_000, 3);
    const rule = { etaR: 0, gamma: 1, beta: 0.9 };
    const frac = (p: number, q: number): number => sapPruneCount(w.length, pqIndex(w, p, q), { ...rule, p, q }).c / w.length;
    expect(frac(0.5, 1)).toBeCloseTo(0.152, 2);
    expect(frac(1, 2)).toBeCloseTo(0.363, 2);
    expect(frac(0.2, 1)).toBeCloseTo(0.072, 2);
  });
});

describe("giniIndex", () => {
  it("is 0 for a constant vector and (N-1)/N for a one-hot one", () => {
    expect(giniIndex([3, 3, 3, 3])).toBe(0);
    expect(giniIndex([0, 0, 0, 0, 7])).toBeCloseTo(4 / 5, 12);
    expect(giniIndex([0, 0, 7], [1, 0, 1])).toBeCloseTo(1 / 2, 12);
    expect(giniIndex([])).toBe(0);
  });

  it("lies in [0, 1) and is part of the logged measures", () => {
    const m = sparsityMeasures(randomVector(500, 4));
    expect(m.gini).toBeGreaterThan(0);
    expect(m.gini).toBeLessThan(1);
    expect(m.pqi_1_2).toBeGreaterThan(m.pqi_05_1);
  });
});

describe("SAP prune count", () => {
  // Hand-made: |w| = 16, 4, 4, 1, 1, 1, 1, 0 → Σ√|w| = 12, Σ|w| = 28, d = 8.
  const w = Float32Array.from([16, -4, 4, 1, -1, 1, 1, 0]);
  const base = { p: 0.5, q: 1, etaR: 0, gamma: 1, beta: 0.9 };

  it("follows r = ceil(d (1+η)^(-q/(q-p)) (1-I)^(qp/(q-p))) and c = floor(d min(γ(1 - r/d), β))", () => {
    const i = pqIndex(w, 0.5, 1);
    expect(1 - i).toBeCloseTo(144 / (8 * 28), 12); // 0.642857
    expect(sapPruneCount(8, i, base)).toEqual({ r: 6, c: 2 }); // ceil(5.14) = 6; floor(8 · 0.25) = 2
    expect(sapPruneCount(8, i, { ...base, gamma: 1.5 })).toEqual({ r: 6, c: 3 }); // floor(8 · 0.375)
    expect(sapPruneCount(8, i, { ...base, etaR: 0.21 })).toEqual({ r: 4, c: 4 }); // 1.21^-2 = 0.683 → ceil(3.51) = 4
    expect(sapPruneCount(8, i, { ...base, gamma: 4, beta: 0.3 })).toEqual({ r: 6, c: 2 }); // capped: floor(8 · 0.3)
    const i12 = pqIndex(w, 1, 2);
    expect(1 - i12).toBeCloseTo(28 / (Math.sqrt(8) * Math.sqrt(292)), 12);
    expect(sapPruneCount(8, i12, { ...base, p: 1, q: 2 })).toEqual({ r: 3, c: 5 }); // ceil(8 · 0.3356) = 3
    expect(sapKeepBound(8, 0, base)).toBe(8);
    expect(sapPruneCount(8, 0, base).c).toBe(0);
    expect(sapPruneCount(0, 0.5, base)).toEqual({ r: 0, c: 0 });
  });

  it("prunes exactly the c smallest un-pruned entries of the unit (ties by position)", () => {
    const abs = [Float32Array.from(w, Math.abs)];
    const keep = [new Uint8Array(8).fill(1)];
    const units = scopeUnits([[2, 4]], "global");
    const stats = pruneByUnits(units, abs, keep, (kept) => sapPruneCount(kept.length, pqIndex(kept, 0.5, 1), base).c);
    expect(stats).toEqual({ pruned: 2, before: 8, units: 1 });
    expect(Array.from(keep[0] ?? [])).toEqual([1, 1, 1, 0, 1, 1, 1, 0]);
  });
});
