import { describe, expect, it } from "vitest";
import { InvalidSearchSpaceError, SpecError } from "../../src/errors.js";
import {
  GridSampler,
  Nsga2Sampler,
  RandomSampler,
  SAMPLER_NAMES,
  SobolSampler,
  TpeSampler,
  createSampler,
  enumerateGrid,
  paramsKey,
} from "../../src/samplers/index.js";
import { Rng } from "../../src/domain/rng.js";
import type { SearchSpace } from "../../src/search-space/index.js";
import type { ParamDistribution, ParamSpec } from "../../src/domain/campaign-spec.js";
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
describeSamplerContract("SobolSampler", SPACE, (seed) => new SobolSampler(SPACE, { seed }));
describeSamplerContract("SobolSampler (unscrambled)", SPACE, () => new SobolSampler(SPACE, { scramble: false }));
describeSamplerContract("TpeSampler", SPACE, () => new TpeSampler(SPACE, { nStartupTrials: 5 }));
describeSamplerContract("TpeSampler (independent, no liar)", SPACE, () => new TpeSampler(SPACE, { nStartupTrials: 5, multivariate: false, constantLiar: false }));
describeSamplerContract("Nsga2Sampler", SPACE, () => new Nsga2Sampler(SPACE, { populationSize: 6 }));
describeSamplerContract("createSampler(nsga2 + enqueue)", SPACE, (seed) =>
  createSampler({ name: "nsga2", populationSize: 6, enqueue: [{ method: "m2", "m2.k": 2 }, { method: "m1" }] }, SPACE, seed),
);

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
    expect(() => createSampler({ name: "annealing" }, [], 0)).toThrow(`unknown sampler "annealing"; must be one of: ${SAMPLER_NAMES.join(", ")}`);
  });

  it("builds every sampler a spec may name", () => {
    for (const name of SAMPLER_NAMES) expect(createSampler({ name }, SPACE, 0).name).toBe(name);
  });

  it("validates options", () => {
    expect(() => createSampler({ name: "grid", gridPoints: 1 }, [], 0)).toThrow(/sampler.gridPoints: must be >= 2/);
    expect(() => createSampler({ name: "tpe", gamma: 0 }, [], 0)).toThrow(/sampler.gamma: must be > 0/);
    expect(() => createSampler({ name: "tpe", nEiCandidates: 2.5 }, [], 0)).toThrow(/sampler.nEiCandidates: expected an integer/);
    expect(() => createSampler({ name: "nsga2", populationSize: 1 }, [], 0)).toThrow(/sampler.populationSize: must be >= 2/);
    expect(() => createSampler({ name: "nsga2", crossoverProb: 1.5 }, [], 0)).toThrow(/sampler.crossoverProb: must be <= 1/);
    expect(() => createSampler({ name: "sobol", scramble: "yes" }, [], 0)).toThrow(/sampler.scramble: expected a boolean/);
    expect(() => createSampler({ name: "tpe", nStartup: 3 }, [], 0)).toThrow(SpecError);
  });

  it("checks enqueued configurations against the space", () => {
    const err = (enqueue: unknown): string => {
      try {
        createSampler({ name: "random", enqueue }, SPACE, 0);
      } catch (e) {
        return String(e);
      }
      return "";
    };
    expect(err([{ nope: 1 }])).toMatch(/sampler.enqueue.0.nope: unknown parameter/);
    expect(err([{ lr: 5 }])).toMatch(/sampler.enqueue.0.lr: 5 is not a value of lr/);
    expect(err([{ method: "m2", "m1.p": 0.25 }])).toMatch(/sampler.enqueue.0.m1.p: is inactive in this configuration/);
    expect(err([{}, { method: "m1", "m1.p": 0.5, "m1.q": 0.25 }])).toMatch(/sampler.enqueue.1: violates m1.p < m1.q/);
    expect(err("x")).toMatch(/sampler.enqueue: expected a list/);
  });

  it("starts with the enqueued configurations, completing partial ones at random", () => {
    const s = createSampler({ name: "tpe", enqueue: [{ method: "m2", "m2.k": 3, lr: 0.01 }, { method: "m1" }] }, SPACE, 0);
    const trials = drive(s, SPACE, 3);
    expect(trials[0]?.params).toEqual({ method: "m2", "m2.k": 3, lr: 0.01 });
    expect(trials[1]?.params["method"]).toBe("m1");
    expect(Object.keys(trials[1]?.params ?? {}).sort()).toEqual(["lr", "m1.p", "m1.q", "method"]);
    expect(s.name).toBe("tpe");
  });
});
