import { describe, expect, it } from "vitest";
import { InvalidSearchSpaceError } from "../../src/errors.js";
import { Rng } from "../../src/domain/rng.js";
import {
  activeParams,
  decode,
  encode,
  fromUnit,
  gridValues,
  sampleOrder,
  sampleValue,
  satisfiesConstraints,
  toUnit,
} from "../../src/search-space/index.js";
import type { ParamDistribution, ParamSpec } from "../../src/domain/campaign-spec.js";

const p = (name: string, distribution: ParamDistribution, when: ParamSpec["when"] = {}): ParamSpec => ({ name, distribution, when });

/** A conditional space: `kind` picks which of `a`/`b` is active; `c` depends on `b`. */
const SPACE: ParamSpec[] = [
  p("c", { type: "int", min: 1, max: 5, step: 2, log: false }, { b: ["x"] }),
  p("kind", { type: "categorical", values: ["A", "B"] }),
  p("a", { type: "float", min: 1e-3, max: 1, log: true }, { kind: ["A"] }),
  p("b", { type: "categorical", values: ["x", "y"] }, { kind: ["B"] }),
  p("fixed", { type: "fixed", value: 7 }),
];

describe("sampleOrder", () => {
  it("puts parameters after the ones their conditions use, otherwise keeping spec order", () => {
    expect(sampleOrder(SPACE).map((s) => s.name)).toEqual(["kind", "a", "b", "c", "fixed"]);
  });

  it("throws on a cycle", () => {
    const cyclic = [p("x", { type: "fixed", value: 1 }, { y: [1] }), p("y", { type: "fixed", value: 1 }, { x: [1] })];
    expect(() => sampleOrder(cyclic)).toThrow(InvalidSearchSpaceError);
  });
});

describe("activeParams", () => {
  it("evaluates conditions in dependency order", () => {
    const names = (partial: Record<string, string | number>): string[] => activeParams(SPACE, partial).map((s) => s.name);
    expect(names({ kind: "A" })).toEqual(["kind", "a", "fixed"]);
    expect(names({ kind: "B", b: "x" })).toEqual(["kind", "b", "c", "fixed"]);
    expect(names({ kind: "B", b: "y" })).toEqual(["kind", "b", "fixed"]);
    // b = x but b is inactive under kind = A, so c is inactive too.
    expect(names({ kind: "A", b: "x" })).toEqual(["kind", "a", "fixed"]);
    expect(names({})).toEqual(["kind", "fixed"]);
  });
});

describe("fromUnit / toUnit", () => {
  const cases: [ParamDistribution, (string | number | boolean)[]][] = [
    [{ type: "float", min: -1, max: 3, log: false }, [-1, 0.5, 3]],
    [{ type: "float", min: 1e-4, max: 10, log: true }, [1e-4, 0.01, 10]],
    [{ type: "float", min: 0.1, max: 0.9, log: false, step: 0.2 }, [0.1, 0.3, 0.5, 0.7, 0.9]],
    [{ type: "int", min: 0, max: 10, step: 5, log: false }, [0, 5, 10]],
    [{ type: "int", min: 1, max: 1024, step: 1, log: true }, [1, 2, 3, 500, 1024]],
    [{ type: "categorical", values: ["a", 2, true] }, ["a", 2, true]],
  ];
  for (const [d, values] of cases) {
    it(`round-trips ${JSON.stringify(d)}`, () => {
      for (const v of values) {
        const u = toUnit(d, v);
        expect(u).toBeGreaterThanOrEqual(0);
        expect(u).toBeLessThanOrEqual(1);
        const back = fromUnit(d, u);
        if (typeof v === "number") expect(back as number).toBeCloseTo(v, 9);
        else expect(back).toBe(v);
      }
    });
  }

  it("maps the unit interval onto the whole range, clamping outside it", () => {
    const d: ParamDistribution = { type: "int", min: 1, max: 3, step: 1, log: false };
    expect([0, 0.34, 0.67, 0.999999, 1, 1.5, -1].map((u) => fromUnit(d, u))).toEqual([1, 2, 3, 3, 3, 3, 1]);
    expect(fromUnit({ type: "float", min: 1e-3, max: 1, log: true }, 0.5)).toBeCloseTo(Math.sqrt(1e-3), 12);
    expect(() => fromUnit(d, Number.NaN)).toThrow(RangeError);
  });

  it("snaps stepped floats to clean values", () => {
    const d: ParamDistribution = { type: "float", min: 0.1, max: 0.9, log: false, step: 0.1 };
    expect(fromUnit(d, 0.26)).toBe(0.3);
  });
});

describe("encode / decode", () => {
  it("encodes inactive parameters as NaN and decodes them away", () => {
    const params = { kind: "B", b: "x", c: 3, fixed: 7 };
    const u = encode(SPACE, params);
    expect(u).toHaveLength(SPACE.length);
    expect(Number.isNaN(u[2])).toBe(true); // a is inactive
    expect(decode(SPACE, u)).toEqual(params);
  });

  it("ignores values of inactive parameters when encoding", () => {
    expect(Number.isNaN(encode(SPACE, { kind: "A", a: 0.01, b: "x" })[3])).toBe(true);
  });

  it("decodes any unit vector to a valid, consistent assignment", () => {
    const rng = new Rng(9);
    for (let i = 0; i < 200; i++) {
      const u = SPACE.map(() => rng.random());
      const params = decode(SPACE, u);
      const active = activeParams(SPACE, params).map((s) => s.name).sort();
      expect(Object.keys(params).sort()).toEqual(active);
      const again = decode(SPACE, encode(SPACE, params));
      expect(Object.keys(again).sort()).toEqual(active);
      for (const k of active) {
        const v = params[k];
        if (typeof v === "number") expect(again[k] as number).toBeCloseTo(v, 9);
        else expect(again[k]).toBe(v);
      }
    }
  });

  it("rejects a vector of the wrong length or a NaN for an active parameter", () => {
    expect(() => decode(SPACE, [0.5])).toThrow(RangeError);
    expect(() => decode(SPACE, [0.5, Number.NaN, 0.5, 0.5, 0.5])).toThrow(/kind is active/);
  });
});

describe("sampleValue", () => {
  it("stays within each distribution and is reproducible", () => {
    const dists: ParamDistribution[] = [
      { type: "float", min: 1e-4, max: 1, log: true },
      { type: "float", min: 0, max: 1, log: false, step: 0.25 },
      { type: "int", min: 2, max: 64, step: 1, log: true },
      { type: "int", min: 0, max: 9, step: 3, log: false },
    ];
    for (const d of dists) {
      const draw = (seed: number): number[] => {
        const rng = new Rng(seed);
        return Array.from({ length: 300 }, () => sampleValue(d, rng) as number);
      };
      const xs = draw(1);
      expect(draw(1)).toEqual(xs);
      for (const x of xs) {
        expect(x).toBeGreaterThanOrEqual((d as { min: number }).min);
        expect(x).toBeLessThanOrEqual((d as { max: number }).max);
      }
    }
  });

  it("draws log-uniformly for log floats", () => {
    const rng = new Rng(4);
    const xs = Array.from({ length: 4000 }, () => sampleValue({ type: "float", min: 1e-4, max: 1, log: true }, rng) as number);
    const belowCentre = xs.filter((x) => x < 1e-2).length / xs.length;
    expect(belowCentre).toBeGreaterThan(0.45);
    expect(belowCentre).toBeLessThan(0.55);
  });
});

describe("gridValues", () => {
  it("lists the values a grid tries", () => {
    expect(gridValues({ type: "float", min: 0, max: 1, log: false }, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(gridValues({ type: "float", min: 0.5, max: 0.9, log: false, step: 0.1 })).toEqual([0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(gridValues({ type: "float", min: 1e-3, max: 1, log: true }, 4)).toEqual([0.001, 0.01, 0.1, 1]);
    expect(gridValues({ type: "int", min: 1, max: 7, step: 3, log: false })).toEqual([1, 4, 7]);
    expect(gridValues({ type: "categorical", values: ["a", "b"] })).toEqual(["a", "b"]);
    expect(gridValues({ type: "fixed", value: true })).toEqual([true]);
  });
});

describe("satisfiesConstraints", () => {
  const cs = [
    { left: "p", op: "<", right: "q", source: "p < q" },
    { left: "p", op: ">=", right: 0.1, source: "p >= 0.1" },
  ] as const;
  it("checks each constraint, holding vacuously for inactive parameters", () => {
    expect(satisfiesConstraints({ p: 0.5, q: 1 }, cs)).toBe(true);
    expect(satisfiesConstraints({ p: 1, q: 1 }, cs)).toBe(false);
    expect(satisfiesConstraints({ p: 0.05, q: 1 }, cs)).toBe(false);
    expect(satisfiesConstraints({ p: 0.5 }, cs)).toBe(true);
    expect(satisfiesConstraints({}, cs)).toBe(true);
    expect(satisfiesConstraints({ p: "x", q: 1 }, cs)).toBe(false);
  });
});
