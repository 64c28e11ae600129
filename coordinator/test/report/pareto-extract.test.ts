import { describe, expect, it } from "vitest";
import { ResultsFileError } from "../../src/results/results-file.js";
import { defaultDirection, extractPareto, paretoCsv, paretoJson, paretoText, parseObjectiveList } from "../../src/report/pareto-extract.js";
import { fixtureResults } from "./results-fixture.js";

describe("defaultDirection", () => {
  it("maximises accuracy-like metrics and minimises cost-like ones", () => {
    for (const m of ["accuracy", "val_accuracy", "top1", "f1", "sparsity"]) expect(defaultDirection(m)).toBe("maximize");
    for (const m of ["expected_macs", "effective_macs", "nonzero_params", "latency_ms_b1", "wall_ms_finetune", "loss"]) expect(defaultDirection(m)).toBe("minimize");
    expect(defaultDirection("mystery")).toBeUndefined();
  });

  it("prefers the campaign's own objective direction", () => {
    expect(defaultDirection("loss", [{ metric: "loss", direction: "maximize" }])).toBe("maximize");
  });
});

describe("parseObjectiveList", () => {
  it("parses metric:direction pairs and fills in defaults", () => {
    expect(parseObjectiveList("accuracy, expected_macs:min,latency_ms_b1:max")).toEqual([
      { metric: "accuracy", direction: "maximize" },
      { metric: "expected_macs", direction: "minimize" },
      { metric: "latency_ms_b1", direction: "maximize" },
    ]);
  });

  it("rejects unknown directions, repeats, single metrics and unguessable names", () => {
    expect(() => parseObjectiveList("accuracy:up,params")).toThrow(/max or min/);
    expect(() => parseObjectiveList("accuracy,accuracy:max")).toThrow(/twice/);
    expect(() => parseObjectiveList("accuracy")).toThrow(/at least two/);
    expect(() => parseObjectiveList("accuracy,mystery")).toThrow(ResultsFileError);
  });
});

describe("extractPareto", () => {
  it("keeps completed feasible trials, sorts best first and marks the knee", () => {
    const x = extractPareto(fixtureResults());
    expect(x.rows.map((r) => r.trial.number)).toEqual([0, 1, 2]);
    expect(x.candidates).toBe(4); // 0-3; 4 is infeasible, 5 stopped early
    expect(x.rows.filter((r) => r.knee)).toHaveLength(1);
    expect(x.kneeId).toBe(x.rows.find((r) => r.knee)?.trial.id);
    expect(x.hypervolume).toBeGreaterThan(0);
    expect(x.reference[0]).toBeLessThan(0.85); // accuracy reference in its own units (below the worst)
  });

  it("works on any metrics and extra constraints", () => {
    const r = fixtureResults();
    const x = extractPareto(r, parseObjectiveList("accuracy,latency_ms_b1"), ["accuracy >= 0.92"]);
    expect(x.rows.map((row) => row.trial.number)).toEqual([0, 1]);
    expect(x.constraints.map((c) => c.source)).toEqual(["accuracy >= 0.8", "accuracy >= 0.92"]);
  });

  it("formats a table with the knee and hypervolume, CSV and JSON", () => {
    const x = extractPareto(fixtureResults());
    const text = paretoText(x);
    expect(text).toContain("Pareto front over accuracy:max, nonzero_params:min");
    expect(text).toMatch(/hypervolume \d/);
    expect(text).toContain("*");
    const csv = paretoCsv(x).trim().split("\n");
    expect(csv[0]).toBe("rank,trial,id,knee,accuracy,nonzero_params,param.finetune.epochs,param.magnitude.scope,param.magnitude.sparsity,param.method,param.sap.p,param.sap.q,param.sap.rounds");
    expect(csv).toHaveLength(4);
    const json = paretoJson(x) as { front: { number: number; knee: boolean }[]; hypervolume: number };
    expect(json.front.map((f) => f.number)).toEqual([0, 1, 2]);
    expect(json.hypervolume).toBe(x.hypervolume);
  });

  it("says so when the front is empty", () => {
    const x = extractPareto(fixtureResults(), undefined, ["accuracy >= 0.99"]);
    expect(x.rows).toHaveLength(0);
    expect(paretoText(x)).toContain("empty");
  });
});
