/**
 * Contract every sampler meets (R24): suggestions are valid points of the space, respect
 * conditions and constraints, and are reproducible with the same seed.
 */
import { describe, expect, it } from "vitest";
import type { TrialSnapshot } from "../../src/domain/trial.js";
import { Rng } from "../../src/samplers/rng.js";
import type { CampaignView, Sampler } from "../../src/samplers/sampler.js";
import { activeParams, containsValue, satisfiesConstraints, type SearchSpace } from "../../src/search-space/index.js";

/** Runs `n` ask calls, recording each suggestion as a waiting trial. */
export function drive(sampler: Sampler, space: SearchSpace, n: number, seed = 1): TrialSnapshot[] {
  const trials: TrialSnapshot[] = [];
  for (let i = 0; i < n; i++) {
    const view: CampaignView = { trials, space: space.space, objectives: [], constraints: [] };
    const s = sampler.ask(view, new Rng(seed * 1_000_003 + i));
    if (s.kind !== "params") break;
    trials.push({ id: `t${i}`, number: i, state: "waiting", params: s.params, metrics: {}, progress: [], attempts: 0, createdAt: i });
  }
  return trials;
}

/** Registers the contract tests for a sampler factory over a space. */
export function describeSamplerContract(name: string, space: SearchSpace, factory: (seed: number) => Sampler): void {
  describe(`${name} (sampler contract)`, () => {
    it("suggests values inside the space, only for active parameters", () => {
      for (const t of drive(factory(1), space, 40)) {
        const active = activeParams(space.space, t.params);
        expect(Object.keys(t.params).sort()).toEqual(active.map((p) => p.name).sort());
        for (const p of active) expect(containsValue(p.distribution, t.params[p.name])).toBe(true);
      }
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
  });
}
