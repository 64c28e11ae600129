import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCampaignSpec } from "../../src/spec/index.js";
import { createSampler } from "../../src/samplers/index.js";
import { Rng, seedFrom } from "../../src/domain/rng.js";
import type { TrialSnapshot } from "../../src/domain/trial.js";

const dir = fileURLToPath(new URL("../../../examples/", import.meta.url));
// Top-level specs, and those of the example folders (examples/bring-your-own/spec.yaml).
const specs = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".yaml") && !f.includes("/data/"));

describe("examples/", () => {
  it("has a spec per pruning method, all-methods.yaml and the quickstart", () => {
    for (const f of ["quickstart", "magnitude", "lottery-ticket", "one-shot", "sap", "layerprune", "gates", "early-exit", "all-methods", "multiobjective"]) {
      expect(specs).toContain(`${f}.yaml`);
    }
  });

  it.each(specs)("%s is a valid campaign spec", (f) => {
    const spec = parseCampaignSpec(readFileSync(`${dir}${f}`, "utf8"), `examples/${f}`);
    expect(spec.budget.maxTrials).toBeGreaterThan(0);
  });

  it("all-methods.yaml gives every method of its space the same share of its trials", () => {
    const spec = parseCampaignSpec(readFileSync(`${dir}all-methods.yaml`, "utf8"), "examples/all-methods.yaml");
    const methods = spec.space.find((p) => p.name === "method")?.distribution;
    expect(methods?.type).toBe("categorical");
    const values = methods?.type === "categorical" ? methods.values : [];
    for (const seed of [1, 2, 3]) {
      const sampler = createSampler(spec.sampler, spec.space, seed, spec.paramConstraints);
      const trials: TrialSnapshot[] = [];
      const counts = new Map<unknown, number>();
      for (let i = 0; i < spec.budget.maxTrials; i++) {
        const s = sampler.ask({ trials, space: spec.space, objectives: spec.objectives, constraints: spec.constraints }, new Rng(seedFrom("examples", seed * 1000 + i)));
        if (s.kind !== "params") throw new Error(`sampler answered ${s.kind}`);
        counts.set(s.params["method"], (counts.get(s.params["method"]) ?? 0) + 1);
        trials.push({ id: `t${i}`, number: i, state: "running", params: s.params, metrics: {}, progress: [], attempts: 1, createdAt: i });
      }
      expect(new Set(counts.keys())).toEqual(new Set(values));
      for (const v of values) expect(counts.get(v)).toBe(spec.budget.maxTrials / values.length);
    }
  });
});
