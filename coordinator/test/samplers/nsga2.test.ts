import { describe, expect, it } from "vitest";
import type { Metrics, Params, TrialSnapshot } from "../../src/domain/trial.js";
import { hypervolume } from "../../src/pareto/index.js";
import { Nsga2Sampler, RandomSampler, polynomialMutation, sbx } from "../../src/samplers/index.js";
import { selectElites, constrainedRanks } from "../../src/samplers/nsga2-selection.js";
import { Rng } from "../../src/domain/rng.js";
import type { SamplerView, Sampler } from "../../src/samplers/sampler.js";
import type { SearchSpace } from "../../src/search-space/index.js";
import type { ParamSpec } from "../../src/domain/campaign-spec.js";
import { TOY, driveWithResults, type ToyProblem } from "./sampler-contract.js";
import { replay } from "./replay.js";

const unitSpace = (n: number): SearchSpace => ({
  space: Array.from({ length: n }, (_, i): ParamSpec => ({ name: `x${i}`, distribution: { type: "float", min: 0, max: 1, log: false }, when: {} })),
  paramConstraints: [],
});

/** ZDT1 over n variables. */
const zdt1 = (n: number): ToyProblem => ({
  objectives: [
    { metric: "f1", direction: "minimize" },
    { metric: "f2", direction: "minimize" },
  ],
  evaluate(params: Params): Metrics {
    const x = Array.from({ length: n }, (_, i) => params[`x${i}`] as number);
    const g = 1 + (9 * x.slice(1).reduce((s, v) => s + v, 0)) / (n - 1);
    return { f1: x[0] as number, f2: g * (1 - Math.sqrt((x[0] as number) / g)) };
  },
});

const running = (i: number, params: Params): TrialSnapshot => ({ id: `t${i}`, number: i, state: "running", params, metrics: {}, progress: [], attempts: 1, createdAt: i });

describe("genetic operators", () => {
  it("SBX spreads children around the parents' midpoint (exactly, far from the bounds) and stays in [0, 1]", () => {
    const rng = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const a = 0.3 + 0.1 * rng.random();
      const b = 0.5 + 0.1 * rng.random();
      const [c1, c2] = sbx(a, b, 20, rng);
      // The bounded form uses each side's distance to its bound, so far from them only ≈.
      expect(c1 + c2).toBeCloseTo(a + b, 6);
      const [d1, d2] = sbx(rng.random(), rng.random(), 2, rng);
      for (const v of [d1, d2]) expect(v >= 0 && v <= 1).toBe(true);
    }
    expect(sbx(0.4, 0.4, 20, rng)).toEqual([0.4, 0.4]);
  });

  it("polynomial mutation stays in [0, 1] and mostly moves a little at η = 20", () => {
    const rng = new Rng(2);
    const moves: number[] = [];
    for (let i = 0; i < 500; i++) {
      const x = rng.random();
      const y = polynomialMutation(x, 20, rng);
      expect(y >= 0 && y <= 1).toBe(true);
      moves.push(Math.abs(y - x));
    }
    moves.sort((a, b) => a - b);
    expect(moves[250]).toBeLessThan(0.05);
  });
});

describe("NSGA-II selection", () => {
  it("ranks feasible points by dominance before infeasible points by violation", () => {
    const pts = [
      { loss: [1, 1], violation: 0 },
      { loss: [0, 0], violation: 0.5 },
      { loss: [2, 0], violation: 0 },
      { loss: [2, 2], violation: 0 },
      { loss: [0, 0], violation: 0.1 },
    ];
    expect(constrainedRanks(pts)).toEqual([0, 3, 0, 1, 2]);
    expect(selectElites(pts, 3).members).toEqual([pts[0], pts[2], pts[3]]);
  });

  it("cuts the last admitted front by crowding distance, keeping its ends", () => {
    const front = [0, 0.1, 0.2, 0.5, 1].map((x) => ({ loss: [x, 1 - x], violation: 0 }));
    const kept = selectElites(front, 3).members.map((p) => p.loss[0]);
    expect(kept).toEqual([0, 0.5, 1]);
  });
});

describe("Nsga2Sampler", () => {
  it("advances generations by trial number, breeding from what is complete and waiting only when nothing is", () => {
    const space = unitSpace(3);
    const s = new Nsga2Sampler(space, { populationSize: 4 });
    const trials: TrialSnapshot[] = [];
    const view = (): SamplerView => ({ trials: [...trials], space: space.space, objectives: TOY.objectives, constraints: [] });
    const ask = (): ReturnType<Sampler["ask"]> => s.ask(view(), new Rng(trials.length));
    for (let i = 0; i < 4; i++) {
      const r = ask();
      if (r.kind !== "params") throw new Error("generation 0 never waits");
      trials.push(running(i, r.params));
    }
    expect(s.generationOf(3)).toBe(0);
    expect(s.generationOf(4)).toBe(1);
    expect(ask()).toEqual({ kind: "wait" });
    const complete = (i: number): void => {
      const t = trials[i] as TrialSnapshot;
      trials[i] = { ...t, state: "completed", metrics: TOY.evaluate(t.params) };
    };
    complete(2);
    expect(s.parentPopulation(view(), 1).map((t) => t.id)).toEqual(["t2"]);
    const child = ask();
    expect(child.kind).toBe("params");
    trials.push(running(4, (child as { params: Params }).params));
    for (const i of [0, 1, 3]) complete(i);
    expect(s.parentPopulation(view(), 1).map((t) => t.id)).toEqual(["t0", "t1", "t2", "t3"]);
    // Generation 2 is bred from the survivors of generation 1's parents plus its complete trials.
    for (let i = 5; i < 8; i++) trials.push(running(i, (ask() as { params: Params }).params));
    for (const i of [4, 5, 6, 7]) complete(i);
    const parents2 = s.parentPopulation(view(), 2);
    expect(parents2).toHaveLength(4);
    expect(parents2.every((t) => t.number < 8)).toBe(true);
    // A straggler of generation 0 that fails leaves the parents as they were.
    expect(s.parentPopulation(view(), 2)).toEqual(parents2);
  });

  it("falls back to random points instead of waiting forever when nothing is in flight", () => {
    const space = unitSpace(2);
    const s = new Nsga2Sampler(space, { populationSize: 2 });
    const failed = (i: number): TrialSnapshot => ({ ...running(i, { x0: 0.5, x1: 0.5 }), state: "failed" });
    const r = s.ask({ trials: [failed(0), failed(1)], space: space.space, objectives: TOY.objectives, constraints: [] }, new Rng(1));
    expect(r.kind).toBe("params");
  });

  it("decides the same after a restart that replays the log", () => {
    const space = unitSpace(4);
    const original = new Nsga2Sampler(space, { populationSize: 8 });
    const trials = driveWithResults(original, space, TOY, 30, { seed: 7, parallelism: 4 });
    // Leave the last three in flight, as a crash would.
    const view: SamplerView = {
      trials: trials.map((t, i) => (i >= 27 ? { ...t, state: "running", metrics: {} } : t)),
      space: space.space,
      objectives: TOY.objectives,
      constraints: [],
    };
    const rebuilt = new Nsga2Sampler(space, { populationSize: 8 });
    replay(rebuilt, view, 7);
    expect(rebuilt.ask(view, new Rng(99))).toEqual(original.ask(view, new Rng(99)));
  });

  it("improves the ZDT1 hypervolume over random search (10 variables, 600 evaluations)", () => {
    const space = unitSpace(10);
    const problem = zdt1(10);
    const hv = (s: Sampler, seed: number): number => {
      const trials = driveWithResults(s, space, problem, 600, { seed, parallelism: 4 });
      return hypervolume(
        trials.map((t) => [t.metrics["f1"] as number, t.metrics["f2"] as number]),
        [11, 11],
      );
    };
    for (const seed of [1, 2]) {
      const ga = hv(new Nsga2Sampler(space, { populationSize: 20 }), seed);
      const random = hv(new RandomSampler(space), seed);
      expect(ga).toBeGreaterThan(random + 5);
      expect(ga).toBeGreaterThan(112); // the front's hypervolume is 120 + 2/3
    }
  });

  it("prefers feasible parents under metric constraints", () => {
    const space = unitSpace(2);
    const s = new Nsga2Sampler(space, { populationSize: 4 });
    const problem: ToyProblem = {
      objectives: [{ metric: "f", direction: "minimize" }],
      constraints: [{ metric: "x0", op: ">=", value: 0.5, source: "x0 >= 0.5" }],
      evaluate: (p) => ({ f: p["x0"] as number, x0: p["x0"] as number }),
    };
    const trials = driveWithResults(s, space, problem, 60, { seed: 3 });
    const view: SamplerView = { trials, space: space.space, objectives: problem.objectives, constraints: problem.constraints ?? [] };
    const parents = s.parentPopulation(view, 15);
    for (const t of parents) expect(t.params["x0"] as number).toBeGreaterThanOrEqual(0.5);
    // And it converges onto the constraint boundary, where f is smallest among feasible points.
    expect(Math.min(...parents.map((t) => t.params["x0"] as number))).toBeLessThan(0.55);
  });
});
