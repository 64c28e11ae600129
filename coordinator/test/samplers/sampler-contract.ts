/**
 * Contract every sampler meets (R24): suggestions are valid points of the space, respect
 * conditions and constraints, are reproducible with the same seed, and stay so while trials
 * complete and the model-based samplers start using their results.
 */
import { describe, expect, it } from "vitest";
import type { ObjectiveSpec } from "../../src/domain/objectives.js";
import type { Metrics, Params, TrialSnapshot } from "../../src/domain/trial.js";
import { Rng } from "../../src/domain/rng.js";
import type { SamplerView, Sampler } from "../../src/samplers/sampler.js";
import { activeParams, containsValue, satisfiesConstraints, type SearchSpace } from "../../src/search-space/index.js";
import type { MetricConstraint } from "../../src/domain/campaign-spec.js";

/** Runs `n` ask calls, recording each suggestion as a waiting trial. */
export function drive(sampler: Sampler, space: SearchSpace, n: number, seed = 1): TrialSnapshot[] {
  const trials: TrialSnapshot[] = [];
  for (let i = 0; i < n; i++) {
    const view: SamplerView = { trials, space: space.space, objectives: [], constraints: [] };
    const s = sampler.ask(view, new Rng(seed * 1_000_003 + i));
    if (s.kind !== "params") break;
    trials.push({ id: `t${i}`, number: i, state: "waiting", params: s.params, metrics: {}, progress: [], attempts: 0, createdAt: i });
  }
  return trials;
}

/** A problem for {@link driveWithResults}: objectives and a metric function of the parameters. */
export interface ToyProblem {
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints?: readonly MetricConstraint[];
  evaluate(params: Params): Metrics;
}

/**
 * Runs `n` trials the way the campaign runner does: at most `parallelism` in flight, completed
 * first-in first-out with `problem.evaluate`, `tell` after each. Stops early if the sampler
 * waits with nothing in flight or is exhausted.
 */
export function driveWithResults(sampler: Sampler, space: SearchSpace, problem: ToyProblem, n: number, opts: { seed?: number; parallelism?: number } = {}): TrialSnapshot[] {
  const seed = opts.seed ?? 1;
  const parallelism = opts.parallelism ?? 1;
  const trials: TrialSnapshot[] = [];
  const inflight: number[] = [];
  const view = (): SamplerView => ({ trials: [...trials], space: space.space, objectives: problem.objectives, constraints: problem.constraints ?? [] });
  let done = 0;
  while (done < n) {
    while (trials.length < n && inflight.length < parallelism) {
      const s = sampler.ask(view(), new Rng(seed * 1_000_003 + trials.length));
      if (s.kind !== "params") break;
      const i = trials.length;
      trials.push({ id: `t${i}`, number: i, state: "running", params: s.params, metrics: {}, progress: [], attempts: 1, createdAt: i });
      inflight.push(i);
    }
    const i = inflight.shift();
    if (i === undefined) break;
    const t = trials[i] as TrialSnapshot;
    trials[i] = { ...t, state: "completed", metrics: problem.evaluate(t.params) };
    sampler.tell?.(trials[i] as TrialSnapshot, view());
    done++;
  }
  return trials;
}

/** A two-objective toy problem over every numeric parameter (unit distance to 0.3 and to 0.7). */
export const TOY: ToyProblem = {
  objectives: [
    { metric: "a", direction: "minimize" },
    { metric: "b", direction: "maximize" },
  ],
  evaluate(params) {
    const xs = Object.values(params).filter((v): v is number => typeof v === "number");
    const a = xs.reduce((s, x) => s + (Math.log10(Math.abs(x) + 1) - 0.3) ** 2, 0);
    const b = -xs.reduce((s, x) => s + (Math.log10(Math.abs(x) + 1) - 0.7) ** 2, 0);
    return { a, b };
  },
};

/** Registers the contract tests for a sampler factory over a space. */
export function describeSamplerContract(name: string, space: SearchSpace, factory: (seed: number) => Sampler): void {
  const valid = (t: TrialSnapshot): void => {
    const active = activeParams(space.space, t.params);
    expect(Object.keys(t.params).sort()).toEqual(active.map((p) => p.name).sort());
    for (const p of active) expect(containsValue(p.distribution, t.params[p.name])).toBe(true);
    expect(satisfiesConstraints(t.params, space.paramConstraints)).toBe(true);
  };

  describe(`${name} (sampler contract)`, () => {
    it("suggests values inside the space, only for active parameters", () => {
      for (const t of drive(factory(1), space, 40)) valid(t);
    });

    it("respects the parameter constraints", () => {
      for (const t of drive(factory(2), space, 40)) expect(satisfiesConstraints(t.params, space.paramConstraints)).toBe(true);
    });

    it("gives the same suggestions for the same seed", () => {
      const a = drive(factory(3), space, 25, 3).map((t) => t.params);
      const b = drive(factory(3), space, 25, 3).map((t) => t.params);
      expect(a.length).toBeGreaterThan(0);
      expect(b).toEqual(a);
    });

    it("keeps suggestions valid and reproducible while trials complete (4 in flight)", () => {
      const run = (): TrialSnapshot[] => driveWithResults(factory(4), space, TOY, 60, { seed: 4, parallelism: 4 });
      const a = run();
      for (const t of a) valid(t);
      expect(run().map((t) => t.params)).toEqual(a.map((t) => t.params));
    });

    // derivesFromView spares a restarted coordinator the replay: a fresh sampler must then
    // answer exactly what the one that asked and was told everything answers.
    if (factory(0).derivesFromView) {
      it("derives everything from the view: a fresh sampler continues like the original", () => {
        const original = factory(5);
        const trials = driveWithResults(original, space, TOY, 30, { seed: 5, parallelism: 4 });
        const fresh = factory(5); // a restarted coordinator's, never asked before
        for (let k = 0; k < 5; k++) {
          const view: SamplerView = { trials: [...trials], space: space.space, objectives: TOY.objectives, constraints: [] };
          const rng = () => new Rng(5 * 1_000_003 + trials.length);
          const a = original.ask(view, rng());
          expect(fresh.ask(view, rng())).toEqual(a);
          if (a.kind !== "params") break;
          const i = trials.length;
          trials.push({ id: `t${i}`, number: i, state: "running", params: a.params, metrics: {}, progress: [], attempts: 1, createdAt: i });
        }
      });
    }
  });
}
