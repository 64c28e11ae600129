import { describe, expect, it } from "vitest";
import type { Params, TrialSnapshot } from "../../src/domain/trial.js";
import { dominates, hypervolume, nonDominatedRanks } from "../../src/pareto/index.js";
import { RandomSampler, TpeSampler } from "../../src/samplers/index.js";
import { Rng } from "../../src/domain/rng.js";
import type { SamplerView } from "../../src/samplers/sampler.js";
import { FrontPool } from "../../src/samplers/tpe-front-pool.js";
import { ParzenEstimator } from "../../src/samplers/tpe-parzen-estimator.js";
import { greedyHypervolumeSubset, rampWeights } from "../../src/samplers/tpe-split.js";
import type { SearchSpace } from "../../src/search-space/index.js";
import type { ParamDistribution, ParamSpec } from "../../src/domain/campaign-spec.js";
import { TOY, driveWithResults, type ToyProblem } from "./sampler-contract.js";
import { replay } from "./replay.js";

const p = (name: string, distribution: ParamDistribution, when: ParamSpec["when"] = {}): ParamSpec => ({ name, distribution, when });
const float = (name: string, when: ParamSpec["when"] = {}): ParamSpec => p(name, { type: "float", min: 0, max: 1, log: false }, when);
const XY: SearchSpace = { space: [float("x"), float("y")], paramConstraints: [] };
const quadratic: ToyProblem = {
  objectives: [{ metric: "f", direction: "minimize" }],
  evaluate: (q) => ({ f: ((q["x"] as number) - 0.2) ** 2 + ((q["y"] as number) - 0.7) ** 2 }),
};

describe("ParzenEstimator", () => {
  const cont = [{ kind: "continuous" as const, bins: 0 }];

  it("uses Optuna's kernels (neighbour bandwidths, prior, magic clip) as proper truncated densities", () => {
    const pe = new ParzenEstimator(cont, [[0.1, 0.3, 0.8]], [1, 1, 1], { priorWeight: 1 });
    const got = Array.from(pe.logPdf([[0.05], [0.3], [0.5], [0.99]]));
    // Optuna 3.1's _ParzenEstimator({'x': [0.1, 0.3, 0.8]}, FloatDistribution(0, 1)) has centres
    // [0.1, 0.3, 0.8, 0.5], widths [0.2, 0.2, 0.3, 1] and weights 1/4; the log-density of that
    // mixture from scipy.stats.truncnorm (Optuna 3.1's own logpdf omits the −log σ term):
    const want = [0.18127375325991327, 0.2917056726364306, -0.04772034681446966, -0.5137949980839609];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 6));
  });

  it("smooths categorical counts like Optuna", () => {
    const pe = new ParzenEstimator([{ kind: "categorical", bins: 3 }], [[0.5 / 3, 2.5 / 3, 2.5 / 3]], [1, 1, 1], { priorWeight: 1 });
    const probs = Array.from(pe.logPdf([[0.5 / 3], [1.5 / 3], [2.5 / 3]])).map(Math.exp);
    [0.3333333333333333, 0.19047619047619047, 0.4761904761904762].forEach((v, i) => expect(probs[i]).toBeCloseTo(v, 9));
  });

  it("is a density on [0, 1] (continuous) and a distribution over bins (discrete), at any bandwidth", () => {
    const rng = new Rng(3);
    const obs = Array.from({ length: 40 }, () => rng.random());
    for (const bandwidthFactor of [1, 3]) {
      const pe = new ParzenEstimator(cont, [obs], rampWeights(40), { priorWeight: 1, bandwidthFactor });
      const grid = Array.from({ length: 2000 }, (_, i) => [(i + 0.5) / 2000]);
      const integral = Array.from(pe.logPdf(grid)).reduce((s, v) => s + Math.exp(v) / 2000, 0);
      expect(integral).toBeCloseTo(1, 3);
      const disc = new ParzenEstimator([{ kind: "discrete", bins: 7 }], [obs.map((u) => (Math.floor(u * 7) + 0.5) / 7)], rampWeights(40), { priorWeight: 1, bandwidthFactor });
      const mass = Array.from(disc.logPdf(Array.from({ length: 7 }, (_, i) => [(i + 0.5) / 7]))).reduce((s, v) => s + Math.exp(v), 0);
      expect(mass).toBeCloseTo(1, 6);
    }
  });

  it("draws inside [0, 1] and mostly near the observations", () => {
    const pe = new ParzenEstimator(cont, [new Array<number>(30).fill(0.9)], new Array<number>(30).fill(1), { priorWeight: 1 });
    const xs = pe.sample(new Rng(1), 200).map((r) => r[0] as number);
    expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(xs.filter((x) => Math.abs(x - 0.9) < 0.1).length).toBeGreaterThan(150);
  });
});

describe("TPE split helpers", () => {
  it("weights observations like Optuna's default_weights", () => {
    expect(rampWeights(3)).toEqual([1, 1, 1]);
    const w = rampWeights(30);
    [0.03333333333333333, 0.275, 0.5166666666666667, 0.7583333333333333, 1].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 12));
    expect(w.slice(4)).toEqual(new Array<number>(26).fill(1));
  });

  it("picks the greedy hypervolume subset (same picks as the non-lazy greedy)", () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 20; trial++) {
      const pts = Array.from({ length: 12 }, () => {
        const x = rng.random();
        return [x, 1 - Math.sqrt(x) + 0.05 * rng.random()];
      });
      const ref = [1.2, 1.2];
      const naive: number[] = [];
      for (let k = 0; k < 5; k++) {
        let best = -1;
        let gain = -Infinity;
        pts.forEach((q, i) => {
          if (naive.includes(i)) return;
          const g = hypervolume([...naive.map((j) => pts[j] as number[]), q], ref);
          if (g > gain) {
            gain = g;
            best = i;
          }
        });
        naive.push(best);
      }
      expect(greedyHypervolumeSubset(pts, 5, ref)).toEqual(naive);
    }
  });

  it("FrontPool keeps exactly the first fronts of everything added (oracle: full ranks)", () => {
    const rng = new Rng(9);
    for (const dim of [1, 2, 3]) {
      const pool = new FrontPool<{ loss: number[]; order: number }>(10);
      const all: { loss: number[]; order: number }[] = [];
      for (let i = 0; i < 400; i++) {
        // A lattice, so duplicates and ties are common; drifting towards better values.
        const pt = { loss: Array.from({ length: dim }, () => rng.int(0, 20) - Math.floor(i / 40)), order: i };
        all.push(pt);
        pool.add(pt);
        if (i % 37 !== 0) continue;
        const ranks = nonDominatedRanks(all.map((x) => x.loss));
        const fronts = pool.fronts(10);
        const count = fronts.reduce((s, f) => s + f.length, 0);
        expect(count).toBeGreaterThanOrEqual(Math.min(10, all.length));
        fronts.forEach((f, r) => {
          const want = all.filter((_, j) => ranks[j] === r).map((x) => x.order);
          expect(f.map((x) => x.order)).toEqual(want);
        });
      }
    }
  });
});

describe("TpeSampler", () => {
  it("with the constant liar, gives 16 distinct suggestions to 16 outstanding asks even with one Rng", () => {
    // The liar turns in-flight points into "above" observations, and a suggestion equal to one
    // in flight is redrawn; without it, the same view and stream give the same point 16 times.
    const done = driveWithResults(new RandomSampler(XY), XY, quadratic, 20, { seed: 2 });
    const distinct = (constantLiar: boolean): number => {
      const s = new TpeSampler(XY, { constantLiar });
      const trials: TrialSnapshot[] = [...done];
      for (let i = 0; i < 16; i++) {
        const view: SamplerView = { trials: [...trials], space: XY.space, objectives: quadratic.objectives, constraints: [] };
        const r = s.ask(view, new Rng(42)); // the same stream for every ask: only the view differs
        if (r.kind !== "params") throw new Error("TPE never waits");
        trials.push({ id: `r${i}`, number: trials.length, state: "running", params: r.params, metrics: {}, progress: [], attempts: 1, createdAt: 0 });
      }
      return new Set(trials.slice(20).map((t) => JSON.stringify(t.params))).size;
    };
    expect(distinct(true)).toBe(16);
    expect(distinct(false)).toBe(1);
  });

  it("spreads 16 parallel asks over a small discrete space", () => {
    const grid: SearchSpace = {
      space: [p("i", { type: "int", min: 0, max: 9, step: 1, log: false }), p("j", { type: "int", min: 0, max: 9, step: 1, log: false })],
      paramConstraints: [],
    };
    const bowl: ToyProblem = {
      objectives: [{ metric: "f", direction: "minimize" }],
      evaluate: (q) => ({ f: ((q["i"] as number) - 3) ** 2 + ((q["j"] as number) - 6) ** 2 }),
    };
    const done = driveWithResults(new RandomSampler(grid), grid, bowl, 30, { seed: 3 });
    const s = new TpeSampler(grid);
    const trials: TrialSnapshot[] = [...done];
    for (let i = 0; i < 16; i++) {
      const r = s.ask({ trials: [...trials], space: grid.space, objectives: bowl.objectives, constraints: [] }, new Rng(100 + i));
      trials.push({ id: `r${i}`, number: trials.length, state: "running", params: (r as { params: Params }).params, metrics: {}, progress: [], attempts: 1, createdAt: 0 });
    }
    const outstanding = trials.slice(30);
    expect(new Set(outstanding.map((t) => JSON.stringify(t.params))).size).toBe(16);
    // Still focused on the optimum (3, 6): a uniform draw averages f = 21.
    const meanF = outstanding.reduce((sum, t) => sum + (bowl.evaluate(t.params)["f"] as number), 0) / 16;
    expect(meanF).toBeLessThan(15);
  });

  it("finds a better optimum than random search on a quadratic", () => {
    const best = (trials: TrialSnapshot[]): number => Math.min(...trials.map((t) => t.metrics["f"] as number));
    for (const seed of [1, 2, 3]) {
      const tpe = best(driveWithResults(new TpeSampler(XY), XY, quadratic, 80, { seed }));
      const random = best(driveWithResults(new RandomSampler(XY), XY, quadratic, 80, { seed }));
      expect(tpe).toBeLessThan(random);
      expect(tpe).toBeLessThan(2e-3);
    }
  });

  it("fits each conditional parameter on the trials where it is active", () => {
    const space: SearchSpace = {
      space: [p("method", { type: "categorical", values: ["a", "b"] }), float("a.x", { method: ["a"] }), float("b.y", { method: ["b"] })],
      paramConstraints: [],
    };
    const problem: ToyProblem = {
      objectives: [{ metric: "f", direction: "minimize" }],
      evaluate: (q) => ({ f: q["method"] === "a" ? 0.5 + Math.abs((q["a.x"] as number) - 0.5) : Math.abs((q["b.y"] as number) - 0.8) }),
    };
    const trials = driveWithResults(new TpeSampler(space, { multivariate: false }), space, problem, 80, { seed: 4 });
    const late = trials.slice(50);
    expect(late.filter((t) => t.params["method"] === "b").length).toBeGreaterThan(22);
    const ys = late.filter((t) => t.params["method"] === "b").map((t) => t.params["b.y"] as number);
    expect(ys.filter((y) => Math.abs(y - 0.8) < 0.1).length / ys.length).toBeGreaterThan(0.6);
  });

  it("ranks infeasible trials below feasible ones", () => {
    // Minimise x subject to x >= 0.6: the best feasible trials sit just above 0.6.
    const problem: ToyProblem = {
      objectives: [{ metric: "f", direction: "minimize" }],
      constraints: [{ metric: "x", op: ">=", value: 0.6, source: "x >= 0.6" }],
      evaluate: (q) => ({ f: q["x"] as number, x: q["x"] as number }),
    };
    const trials = driveWithResults(new TpeSampler(XY), XY, problem, 80, { seed: 5 });
    const late = trials.slice(40).map((t) => t.params["x"] as number);
    expect(late.filter((x) => x >= 0.55 && x < 0.75).length).toBeGreaterThan(20);
    expect(late.filter((x) => x < 0.3).length).toBeLessThan(5);
  });

  it("covers the Pareto front of a two-objective problem better than random search", () => {
    const hv = (trials: TrialSnapshot[]): number => hypervolume(trials.map((t) => [t.metrics["a"] as number, -(t.metrics["b"] as number)]), [1, 1]);
    const tpe = hv(driveWithResults(new TpeSampler(XY), XY, TOY, 100, { seed: 6 }));
    const random = hv(driveWithResults(new RandomSampler(XY), XY, TOY, 100, { seed: 6 }));
    expect(tpe).toBeGreaterThan(random);
  });

  it("decides the same after a restart that replays the log", () => {
    const original = new TpeSampler(XY, { nStartupTrials: 5 });
    const trials = driveWithResults(original, XY, TOY, 30, { seed: 8, parallelism: 4 });
    const view: SamplerView = {
      trials: trials.map((t, i) => (i >= 27 ? { ...t, state: "running", metrics: {} } : t)),
      space: XY.space,
      objectives: TOY.objectives,
      constraints: [],
    };
    const rebuilt = new TpeSampler(XY, { nStartupTrials: 5 });
    replay(rebuilt, view, 8);
    expect(rebuilt.ask(view, new Rng(99))).toEqual(original.ask(view, new Rng(99)));
  });

  it("uses imported trials as its oldest observations", () => {
    const imported = driveWithResults(new RandomSampler(XY), XY, quadratic, 30, { seed: 9 }).map((t) => ({ ...t, id: `import:${t.id}` }));
    const s = new TpeSampler(XY);
    s.importTrials(imported);
    // With 30 imported results the model is used from the first trial on.
    const view: SamplerView = { trials: [], space: XY.space, objectives: quadratic.objectives, constraints: [] };
    const fromModel = s.ask(view, new Rng(1));
    const fromRandom = new RandomSampler(XY).ask(view, new Rng(1));
    expect(fromModel).not.toEqual(fromRandom);
    const q = (fromModel as { params: Params }).params;
    expect(quadratic.evaluate(q)["f"]).toBeLessThan(0.1);
  });

  it("never lets a dominated point into the below set ahead of the front (MOTPE ordering)", () => {
    // A sanity check of the pool on which the split relies: front members dominate nobody in it.
    const pool = new FrontPool<{ loss: number[]; order: number }>(5);
    const rng = new Rng(1);
    for (let i = 0; i < 100; i++) pool.add({ loss: [rng.random(), rng.random()], order: i });
    const [front] = pool.fronts(5);
    for (const a of front ?? []) for (const b of front ?? []) expect(dominates(a.loss, b.loss)).toBe(false);
  });
});
