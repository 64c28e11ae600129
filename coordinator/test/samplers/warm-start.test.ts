import { describe, expect, it } from "vitest";
import type { TrialSnapshot } from "../../src/domain/trial.js";
import { Nsga2Sampler, RandomSampler, TpeSampler, createSampler, samplerOptionIssues, trialsFromResults } from "../../src/samplers/index.js";
import { Rng } from "../../src/domain/rng.js";
import type { SamplerView } from "../../src/samplers/sampler.js";
import type { SearchSpace } from "../../src/search-space/index.js";
import type { ParamDistribution, ParamSpec } from "../../src/domain/campaign-spec.js";
import { TOY, driveWithResults } from "./sampler-contract.js";

const p = (name: string, distribution: ParamDistribution, when: ParamSpec["when"] = {}): ParamSpec => ({ name, distribution, when });
const SPACE: SearchSpace = {
  space: [
    p("method", { type: "categorical", values: ["m1", "m2"] }),
    p("m1.p", { type: "float", min: 0, max: 1, log: false }, { method: ["m1"] }),
    p("m2.k", { type: "int", min: 1, max: 3, step: 1, log: false }, { method: ["m2"] }),
  ],
  paramConstraints: [],
};

/** A results.json as the CLI writes it (only the fields the import reads matter). */
const results = {
  campaign: { id: "old", name: "old", status: "completed", createdAt: "2026-01-01T00:00:00Z" },
  objectives: TOY.objectives,
  trials: [
    { id: "old-0", number: 0, state: "completed", params: { method: "m1", "m1.p": 0.3, extra: 1 }, metrics: { a: 0.1, b: -0.2 }, attempts: 1, timings: {} },
    { id: "old-1", number: 1, state: "completed", params: { method: "m2", "m2.k": 7 }, metrics: { a: 0.1, b: -0.2 }, attempts: 1, timings: {} },
    { id: "old-2", number: 2, state: "running", params: { method: "m2", "m2.k": 2 }, metrics: {}, attempts: 1, timings: {} },
    { id: "old-3", number: 3, state: "stopped_early", params: { method: "m2", "m2.k": 2 }, metrics: { val_accuracy: 0.5 }, attempts: 1, timings: {} },
    { id: "old-4", number: 4, state: "failed", params: { method: "m3" }, metrics: {}, attempts: 2, timings: {} },
  ],
};

describe("trialsFromResults", () => {
  it("keeps final trials whose active parameters fit the space, without foreign parameters", () => {
    const { trials, skipped } = trialsFromResults(results, SPACE);
    expect(trials.map((t) => t.id)).toEqual(["import:old-0", "import:old-3"]);
    expect(trials[0]?.params).toEqual({ method: "m1", "m1.p": 0.3 });
    expect(trials[0]?.metrics).toEqual({ a: 0.1, b: -0.2 });
    expect(skipped).toBe(3);
  });

  it("rejects what is not a results file", () => {
    expect(() => trialsFromResults({ trials: "nope" }, SPACE)).toThrow(/not a results.json/);
  });
});

describe("importTrials", () => {
  const earlier = (): TrialSnapshot[] => driveWithResults(new RandomSampler(SPACE), SPACE, TOY, 60, { seed: 11 }).map((t) => ({ ...t, id: `import:${t.id}` }));
  const view: SamplerView = { trials: [], space: SPACE.space, objectives: TOY.objectives, constraints: [] };

  it("lets NSGA-II breed its first generation from the imported elites", () => {
    const s = new Nsga2Sampler(SPACE, { populationSize: 10 });
    s.importTrials(earlier());
    const parents = s.parentPopulation(view, 0);
    expect(parents).toHaveLength(10);
    expect(parents.every((t) => t.id.startsWith("import:"))).toBe(true);
    // Without imports generation 0 has no parents and is random.
    expect(new Nsga2Sampler(SPACE, { populationSize: 10 }).parentPopulation(view, 0)).toEqual([]);
  });

  it("passes imports through the enqueue wrapper", () => {
    const s = createSampler({ name: "tpe", nStartupTrials: 5, enqueue: [{ method: "m1", "m1.p": 0.5 }] }, SPACE, 0);
    s.importTrials?.(earlier());
    const first = s.ask(view, new Rng(1));
    expect(first).toEqual({ kind: "params", params: { method: "m1", "m1.p": 0.5 } });
    const after = { ...view, trials: [{ id: "t0", number: 0, state: "running" as const, params: { method: "m1", "m1.p": 0.5 }, metrics: {}, progress: [], attempts: 1, createdAt: 0 }] };
    expect(differsFromRandom((seed) => s.ask(after, new Rng(seed)))).toBe(true); // the model, fed by the imports
  });

  /** True when the suggestions for Rng seeds 1..6 are not those of the random sampler. */
  const differsFromRandom = (ask: (seed: number) => unknown): boolean =>
    [1, 2, 3, 4, 5, 6].filter((seed) => JSON.stringify(ask(seed)) !== JSON.stringify(new RandomSampler(SPACE).ask(view, new Rng(seed)))).length >= 4;

  it("makes TPE use its model from the first trial", () => {
    const s = new TpeSampler(SPACE);
    s.importTrials(earlier());
    expect(differsFromRandom((seed) => s.ask(view, new Rng(seed)))).toBe(true);
    expect(differsFromRandom((seed) => new TpeSampler(SPACE).ask(view, new Rng(seed)))).toBe(false);
  });
});

describe("samplerOptionIssues", () => {
  it("checks enqueued values against the space when given one", () => {
    expect(samplerOptionIssues({ name: "nsga2", enqueue: [{ "m2.k": 9 }] }, "sampler")).toEqual([]);
    expect(samplerOptionIssues({ name: "nsga2", enqueue: [{ method: "m2", "m2.k": 9 }] }, "sampler", SPACE)).toEqual([
      { path: "sampler.enqueue.0.m2.k", message: "9 is not a value of m2.k" },
    ]);
  });
});
