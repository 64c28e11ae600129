import { describe, expect, it } from "vitest";
import { InvalidSearchSpaceError, SpecError } from "../../src/errors.js";
import { GridSampler, RandomSampler, createSampler, enumerateGrid, paramsKey } from "../../src/samplers/index.js";
import { Rng } from "../../src/samplers/rng.js";
import type { SearchSpace } from "../../src/search-space/index.js";
import type { ParamDistribution, ParamSpec } from "../../src/spec/types.js";
import { parseCampaignSpec } from "../../src/spec/index.js";
import { minimalWith } from "../fixtures/specs.js";
import { describeSamplerContract, drive } from "./sampler-contract.js";

const p = (name: string, distribution: ParamDistribution, when: ParamSpec["when"] = {}): ParamSpec => ({ name, distribution, when });

/** Conditional space with a constraint between two parameters of one branch. */
const SPACE: SearchSpace = {
  space: [
    p("method", { type: "categorical", values: ["m1", "m2"] }),
    p("m1.p", { type: "float", min: 0, max: 1, log: false, step: 0.25 }, { method: ["m1"] }),
    p("m1.q", { type: "float", min: 0, max: 1, log: false, step: 0.25 }, { method: ["m1"] }),
    p("m2.k", { type: "int", min: 1, max: 3, step: 1, log: false }, { method: ["m2"] }),
    p("lr", { type: "float", min: 1e-3, max: 1e-1, log: true }),
  ],
  paramConstraints: [{ left: "m1.p", op: "<", right: "m1.q", source: "m1.p < m1.q" }],
};

describeSamplerContract("RandomSampler", SPACE, () => new RandomSampler(SPACE));
describeSamplerContract("GridSampler", SPACE, () => new GridSampler(SPACE, { gridPoints: 3 }));
describeSamplerContract("GridSampler (shuffled)", SPACE, (seed) => new GridSampler(SPACE, { gridPoints: 3, shuffle: true, seed }));

describe("RandomSampler", () => {
  it("draws from the Rng it is given", () => {
    const s = new RandomSampler(SPACE);
    const view = { trials: [], space: SPACE.space, objectives: [], constraints: [] };
    expect(s.ask(view, new Rng(5))).toEqual(s.ask(view, new Rng(5)));
    expect(s.ask(view, new Rng(5))).not.toEqual(s.ask(view, new Rng(6)));
  });

  it("covers every branch of a conditional space", () => {
    const methods = new Set(drive(new RandomSampler(SPACE), SPACE, 50).map((t) => t.params["method"]));
    expect([...methods].sort()).toEqual(["m1", "m2"]);
  });

  it("throws InvalidSearchSpaceError when the constraints (almost) never hold", () => {
    const space: SearchSpace = {
      space: [p("x", { type: "float", min: 0, max: 1, log: false }), p("y", { type: "float", min: 0, max: 1, log: false })],
      paramConstraints: [{ left: "x", op: ">", right: 0.999999999, source: "x > 0.999999999" }],
    };
    const view = { trials: [], space: space.space, objectives: [], constraints: [] };
    expect(() => new RandomSampler(space).ask(view, new Rng(1))).toThrow(InvalidSearchSpaceError);
  });

  it("also enforces constraints carried by the view", () => {
    const space: SearchSpace = { space: [p("x", { type: "int", min: 0, max: 9, step: 1, log: false })], paramConstraints: [] };
    const view = {
      trials: [],
      space: space.space,
      objectives: [],
      constraints: [],
      paramConstraints: [{ left: "x", op: ">=", right: 8, source: "x >= 8" }] as const,
    };
    const s = new RandomSampler(space);
    for (let i = 0; i < 20; i++) {
      const r = s.ask(view, new Rng(i));
      expect(r.kind === "params" && (r.params["x"] as number) >= 8).toBe(true);
    }
  });
});

describe("GridSampler", () => {
  it("enumerates each conditional branch over its own parameters, skipping constraint violations", () => {
    const points = enumerateGrid(SPACE, 3, 1000);
    // m1: pairs p < q over 5 steps = 10, times 3 lr values; m2: 3 k values times 3 lr values.
    expect(points).toHaveLength(10 * 3 + 3 * 3);
    expect(points[0]).toEqual({ method: "m1", "m1.p": 0, "m1.q": 0.25, lr: 0.001 });
    expect(points.filter((x) => x["method"] === "m2").every((x) => !("m1.p" in x))).toBe(true);
  });

  it("suggests every point once, then reports exhausted", () => {
    const s = new GridSampler(SPACE, { gridPoints: 3 });
    const trials = drive(s, SPACE, 100);
    expect(trials).toHaveLength(39);
    expect(new Set(trials.map((t) => paramsKey(t.params))).size).toBe(39);
    const view = { trials, space: SPACE.space, objectives: [], constraints: [] };
    expect(s.ask(view, new Rng(0))).toEqual({ kind: "exhausted" });
  });

  it("continues after the points already in the view when rebuilt", () => {
    const first = drive(new GridSampler(SPACE, { gridPoints: 3 }), SPACE, 5);
    const fresh = new GridSampler(SPACE, { gridPoints: 3 });
    const next = fresh.ask({ trials: first, space: SPACE.space, objectives: [], constraints: [] }, new Rng(0));
    expect(next).toEqual({ kind: "params", params: fresh.points[5] });
  });

  it("shuffles deterministically by seed", () => {
    const order = (seed: number): string[] => new GridSampler(SPACE, { shuffle: true, seed, gridPoints: 3 }).points.map((x) => paramsKey(x));
    expect(order(1)).toEqual(order(1));
    expect(order(1)).not.toEqual(order(2));
    expect([...order(1)].sort()).toEqual([...order(2)].sort());
  });

  it("refuses grids over maxGridSize", () => {
    const big: SearchSpace = { space: [p("x", { type: "int", min: 0, max: 999, step: 1, log: false })], paramConstraints: [] };
    expect(() => new GridSampler(big, { maxGridSize: 100 })).toThrow(InvalidSearchSpaceError);
  });
});

describe("createSampler", () => {
  it("builds the sampler a parsed spec names, with its constraints", () => {
    const spec = parseCampaignSpec(
      minimalWith(
        "space:\n  finetune.epochs: { int: [1, 4] }\n  finetune.batchSize: { values: [2, 3] }\nparamConstraints: ['finetune.epochs < finetune.batchSize']\nsampler: { name: grid }",
      ),
    );
    const sampler = createSampler(spec.sampler, spec, spec.seed);
    expect(sampler.name).toBe("grid");
    const points = (sampler as GridSampler).points;
    expect(points).toEqual([
      { "finetune.epochs": 1, "finetune.batchSize": 2 },
      { "finetune.epochs": 1, "finetune.batchSize": 3 },
      { "finetune.epochs": 2, "finetune.batchSize": 3 },
    ]);
    expect(createSampler(spec.sampler, spec.space, spec.seed, spec.paramConstraints)).toBeInstanceOf(GridSampler);
    expect(createSampler({ name: "random" }, spec.space, 0)).toBeInstanceOf(RandomSampler);
  });

  it("lists valid names for an unknown sampler", () => {
    expect(() => createSampler({ name: "annealing" }, [], 0)).toThrow(/unknown sampler "annealing"; must be one of: grid, random, sobol, tpe, nsga2/);
  });

  it("says when a sampler is not implemented yet", () => {
    expect(() => createSampler({ name: "tpe" }, [], 0)).toThrow(SpecError);
    expect(() => createSampler({ name: "tpe" }, [], 0)).toThrow(/sampler "tpe" is not implemented yet/);
  });

  it("validates options", () => {
    expect(() => createSampler({ name: "grid", gridPoints: 1 }, [], 0)).toThrow(/sampler.gridPoints: must be >= 2/);
  });
});
