import { describe, expect, it } from "vitest";
import { InvalidSearchSpaceError } from "../../src/errors.js";
import { SobolSampler, SobolSequence, directionNumbers } from "../../src/samplers/index.js";
import { Rng } from "../../src/domain/rng.js";
import type { SearchSpace } from "../../src/search-space/index.js";
import type { ParamSpec } from "../../src/domain/campaign-spec.js";
import { drive } from "./sampler-contract.js";

const unitSpace = (n: number): SearchSpace => ({
  space: Array.from({ length: n }, (_, i): ParamSpec => ({ name: `x${i}`, distribution: { type: "float", min: 0, max: 1, log: false }, when: {} })),
  paramConstraints: [],
});

describe("SobolSequence", () => {
  it("reproduces the Joe-Kuo sequence (the values SciPy's qmc.Sobol(scramble=False) gives)", () => {
    const s = new SobolSequence(5, { scramble: false });
    expect([0, 1, 2, 3, 4, 5].map((i) => s.point(i))).toEqual([
      [0, 0, 0, 0, 0],
      [0.5, 0.5, 0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25, 0.25, 0.75],
      [0.25, 0.75, 0.75, 0.75, 0.25],
      [0.375, 0.375, 0.625, 0.875, 0.375],
      [0.875, 0.875, 0.125, 0.375, 0.875],
    ]);
    // Far dimensions and indices exercise the recurrence beyond the initial numbers.
    const big = new SobolSequence(512, { scramble: false });
    const pick = (i: number): number[] => [29, 100, 511].map((d) => big.point(i)[d] as number);
    const over = (d: number, xs: number[]): number[] => xs.map((x) => x / d);
    expect(pick(1000)).toEqual(over(1024, [349, 787, 405]));
    expect(pick(123456)).toEqual(over(131072, [42631, 69673, 130737]));
    expect(pick(131071)).toEqual(over(131072, [117815, 28345, 22561]));
  });

  it("starts every dimension's direction numbers at 2^31 · m_1 with odd m_k", () => {
    for (const d of [0, 1, 7, 300]) {
      const v = directionNumbers(d);
      for (let k = 0; k < 32; k++) expect(((v[k] as number) >>> (31 - k)) & 1).toBe(1);
    }
  });

  it("keeps each dimension stratified after scrambling (the first 2^k points fill 2^k bins)", () => {
    for (const seed of [1, 2]) {
      const s = new SobolSequence(12, { seed });
      const pts = Array.from({ length: 64 }, (_, i) => s.point(i));
      for (let d = 0; d < 12; d++) {
        const bins = new Set(pts.map((p) => Math.floor((p[d] as number) * 64)));
        expect(bins.size).toBe(64);
      }
      // 2-D projections of the first 64 points are (0, 6, 2)-nets for low dimensions: every 8×8 cell holds one point.
      const cells = new Set(pts.map((p) => `${Math.floor((p[0] as number) * 8)},${Math.floor((p[1] as number) * 8)}`));
      expect(cells.size).toBe(64);
    }
  });

  it("scrambles differently per seed", () => {
    expect(new SobolSequence(3, { seed: 1 }).point(0)).not.toEqual(new SobolSequence(3, { seed: 2 }).point(0));
    expect(new SobolSequence(3, { seed: 1 }).point(7)).toEqual(new SobolSequence(3, { seed: 1 }).point(7));
  });

  it("refuses more than 512 dimensions and bad indices", () => {
    expect(() => new SobolSequence(513)).toThrow(InvalidSearchSpaceError);
    expect(() => new SobolSequence(2).point(-1)).toThrow(RangeError);
    expect(() => new SobolSequence(2).point(2 ** 32)).toThrow(RangeError);
  });
});

describe("SobolSampler", () => {
  it("skips the origin when unscrambled", () => {
    const trials = drive(new SobolSampler(unitSpace(2), { scramble: false }), unitSpace(2), 3);
    expect(trials.map((t) => t.params)).toEqual([
      { x0: 0.5, x1: 0.5 },
      { x0: 0.75, x1: 0.25 },
      { x0: 0.25, x1: 0.75 },
    ]);
  });

  it("is a pure function of the trial number", () => {
    const space = unitSpace(3);
    const a = drive(new SobolSampler(space, { seed: 5 }), space, 10);
    const fresh = new SobolSampler(space, { seed: 5 });
    const view = { trials: a.slice(0, 7), space: space.space, objectives: [], constraints: [] };
    expect(fresh.ask(view, new Rng(0))).toEqual({ kind: "params", params: a[7]?.params });
    expect(fresh.ask(view, new Rng(1))).toEqual({ kind: "params", params: a[7]?.params });
  });

  it("skips points that violate the parameter constraints", () => {
    const space: SearchSpace = { ...unitSpace(2), paramConstraints: [{ left: "x0", op: "<", right: "x1", source: "x0 < x1" }] };
    const trials = drive(new SobolSampler(space, { scramble: false }), space, 8);
    expect(trials).toHaveLength(8);
    for (const t of trials) expect((t.params["x0"] as number) < (t.params["x1"] as number)).toBe(true);
    expect(trials[0]?.params).toEqual({ x0: 0.25, x1: 0.75 });
  });

  it("covers the space more evenly than random draws", () => {
    const space = unitSpace(2);
    const discrepancy = (pts: number[][]): number => {
      // Largest deviation of the share of points in [0, a) × [0, b) from its area, over a grid.
      let worst = 0;
      for (let a = 1; a <= 16; a++) {
        for (let b = 1; b <= 16; b++) {
          const inside = pts.filter((p) => (p[0] as number) < a / 16 && (p[1] as number) < b / 16).length / pts.length;
          worst = Math.max(worst, Math.abs(inside - (a * b) / 256));
        }
      }
      return worst;
    };
    const sobol = drive(new SobolSampler(space, { seed: 1 }), space, 256).map((t) => [t.params["x0"] as number, t.params["x1"] as number]);
    const rng = new Rng(1);
    const random = Array.from({ length: 256 }, () => [rng.random(), rng.random()]);
    expect(discrepancy(sobol)).toBeLessThan(discrepancy(random) / 2);
  });
});
