import { describe, expect, it } from "vitest";
import { SpecError, type SpecIssue } from "../../src/errors.js";
import { buildSearchSpace, parseSearchSpace } from "../../src/search-space/index.js";

const issuesOf = (space: unknown, constraints: string[] = []): SpecIssue[] => parseSearchSpace(space, constraints).issues;

describe("parseSearchSpace", () => {
  it("parses each distribution form", () => {
    const { space } = buildSearchSpace({
      sparsity: { min: 0.1, max: 0.9, step: 0.1 },
      "finetune.learningRate": { min: 1e-4, max: 1e-1, log: true },
      "finetune.epochs": { int: [1, 9], step: 2 },
      "finetune.batchSize": { int: [16, 256], log: true },
      method: { values: ["magnitude"] },
      "magnitude.scope": { value: "layer" },
    });
    expect(space.map((p) => p.distribution)).toEqual([
      { type: "float", min: 0.1, max: 0.9, log: false, step: 0.1 },
      { type: "float", min: 1e-4, max: 1e-1, log: true },
      { type: "int", min: 1, max: 9, step: 2, log: false },
      { type: "int", min: 16, max: 256, step: 1, log: true },
      { type: "categorical", values: ["magnitude"] },
      { type: "fixed", value: "layer" },
    ]);
  });

  it("treats a missing or null space as empty", () => {
    expect(buildSearchSpace(undefined).space).toEqual([]);
    expect(buildSearchSpace(null).space).toEqual([]);
  });

  it("rejects a space that is not a mapping", () => {
    expect(issuesOf([1, 2])).toEqual([{ path: "space", message: "expected a mapping of parameter names to distributions" }]);
  });

  it("checks the shape of each entry", () => {
    expect(issuesOf({ sparsity: { min: 0.5, max: 0.5 } })).toEqual([{ path: "space.sparsity.max", message: "must be > min (0.5), got 0.5" }]);
    expect(issuesOf({ sparsity: { min: 0, max: 0.5, log: true } })).toEqual([
      { path: "space.sparsity.min", message: "must be > 0 for a log scale, got 0" },
    ]);
    expect(issuesOf({ sparsity: { min: 0.1, max: 0.5, step: 0.3 } })).toEqual([
      { path: "space.sparsity.step", message: expect.stringMatching(/must be a multiple of step/) },
    ]);
    expect(issuesOf({ sparsity: { max: 0.5 } })).toEqual([{ path: "space.sparsity.min", message: "required" }]);
    expect(issuesOf({ sparsity: { min: "a", max: 0.5 } })).toEqual([
      { path: "space.sparsity.min", message: "expected a number, got string" },
    ]);
    expect(issuesOf({ "finetune.epochs": { int: [1.5, 3] } })).toEqual([
      { path: "space.finetune.epochs.int.0", message: "expected an integer, got 1.5" },
    ]);
    expect(issuesOf({ "finetune.epochs": { int: [5, 3] } })).toEqual([
      { path: "space.finetune.epochs.int.1", message: "must be >= 5 (the lower bound), got 3" },
    ]);
    expect(issuesOf({ method: { values: [] } })).toEqual([{ path: "space.method.values", message: "must have at least 1 item, got 0 items" }]);
    expect(issuesOf({ method: { values: ["magnitude", "magnitude"] } })).toEqual([
      { path: "space.method.values.1", message: "duplicate value magnitude" },
    ]);
    expect(issuesOf({ sparsity: [0.1, 0.2] })[0]?.message).toMatch(/write \{values: \[\.\.\.\]\}/);
    expect(issuesOf({ sparsity: { min: 0.1, max: 0.2, colour: 1 } })).toEqual([
      { path: "space.sparsity.colour", message: "unknown key" },
    ]);
  });

  it("checks names against the catalogue", () => {
    expect(issuesOf({ "magnitude.sparsty": { min: 0.1, max: 0.2 } })).toEqual([
      { path: "space.magnitude.sparsty", message: expect.stringMatching(/^unknown parameter of method magnitude; known: sparsity, scope\b/) as unknown },
    ]);
    expect(issuesOf({ colour: 1 })[0]?.message).toMatch(/^unknown parameter; known common parameters: method, sparsity/);
    expect(issuesOf({ "finetune.epoch": 1 })[0]?.message).toMatch(/known finetune parameters: finetune.epochs/);
    expect(issuesOf({ "nope.p": 1 })[0]?.message).toMatch(/"nope" is not a method \(known: magnitude\b/);
  });

  it("checks bounds against the catalogue, exclusive and inclusive", () => {
    expect(issuesOf({ sparsity: { min: 0.5, max: 1.5 } })).toEqual([{ path: "space.sparsity.max", message: "must be < 1, got 1.5" }]);
    expect(issuesOf({ sparsity: { min: -0.5, max: 0.5 } })).toEqual([{ path: "space.sparsity.min", message: "must be >= 0, got -0.5" }]);
    expect(issuesOf({ "finetune.epochs": { int: [0, 2000] } })).toEqual([
      { path: "space.finetune.epochs.int.1", message: "must be <= 1000, got 2000" },
    ]);
    expect(issuesOf({ "finetune.learningRate": { values: [0, 0.1] } })).toEqual([
      { path: "space.finetune.learningRate.values.0", message: "must be > 0, got 0" },
    ]);
    expect(issuesOf({ sparsity: 1 })).toEqual([{ path: "space.sparsity", message: "must be < 1, got 1" }]);
  });

  it("checks kinds and values against the catalogue", () => {
    expect(issuesOf({ "finetune.epochs": { min: 1, max: 3 } })).toEqual([
      { path: "space.finetune.epochs", message: "finetune.epochs is an int parameter; write {int: [lo, hi]}" },
    ]);
    expect(issuesOf({ "finetune.epochs": 2.5 })).toEqual([
      { path: "space.finetune.epochs", message: "expected an integer, got 2.5" },
    ]);
    expect(issuesOf({ "magnitude.scope": { values: ["global", "row"] } })).toEqual([
      { path: "space.magnitude.scope.values.1", message: 'must be one of: global, layer, got "row"' },
    ]);
    expect(issuesOf({ method: { values: ["magnitude", "nope"] } })).toEqual([
      { path: "space.method.values.1", message: expect.stringMatching(/^must be one of: magnitude\b.*, got "nope"$/) as unknown },
    ]);
    expect(issuesOf({ "magnitude.scope": { min: 0, max: 1 } })[0]?.message).toMatch(/categorical parameter; write \{values/);
    // An int range is fine for a float rule.
    expect(issuesOf({ "finetune.learningRate": { int: [1, 3] } })).toEqual([]);
  });

  it("adds the method condition to namespaced parameters", () => {
    const { space } = buildSearchSpace({ method: { values: ["magnitude"] }, "magnitude.sparsity": { min: 0.1, max: 0.9 } });
    expect(space[1]?.when).toEqual({ method: ["magnitude"] });
  });

  it("adds a fixed method parameter when the space has none", () => {
    const { space } = buildSearchSpace({ "magnitude.sparsity": { min: 0.1, max: 0.9 } });
    expect(space[0]).toEqual({ name: "method", distribution: { type: "fixed", value: "magnitude" }, when: {} });
  });

  it("rejects an explicit method condition that excludes the namespace's method", () => {
    expect(issuesOf({ method: "magnitude", "magnitude.scope": { values: ["layer"], when: { method: ["other"] } } })).toContainEqual({
      path: "space.magnitude.scope.when.method",
      message: "a magnitude parameter is active only when method is magnitude",
    });
  });

  it("checks conditions refer to parameters of the space and their values", () => {
    expect(issuesOf({ sparsity: { min: 0.1, max: 0.5, when: { "finetune.epochs": [2] } } })).toEqual([
      { path: "space.sparsity.when.finetune.epochs", message: 'unknown parameter "finetune.epochs" (not in the space)' },
    ]);
    expect(
      issuesOf({ "finetune.epochs": { values: [1, 2] }, sparsity: { min: 0.1, max: 0.5, when: { "finetune.epochs": 3 } } }),
    ).toEqual([{ path: "space.sparsity.when.finetune.epochs.0", message: "finetune.epochs never takes the value 3" }]);
    expect(issuesOf({ sparsity: { min: 0.1, max: 0.5, when: { sparsity: 0.2 } } })).toEqual([
      { path: "space.sparsity.when.sparsity", message: "a parameter cannot depend on itself" },
    ]);
  });

  it("rejects conditions that form a cycle", () => {
    const issues = issuesOf({
      "finetune.epochs": { values: [1, 2], when: { "finetune.batchSize": [32] } },
      "finetune.batchSize": { values: [32, 64], when: { "finetune.epochs": [1] } },
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/conditions form a cycle: finetune.epochs → finetune.batchSize → finetune.epochs/);
  });

  it("compiles parameter constraints and reports bad ones by index", () => {
    const space = {
      "finetune.epochs": { int: [1, 10] },
      "finetune.batchSize": { int: [8, 64] },
      "magnitude.scope": { values: ["global", "layer"] },
    };
    const { result, issues } = parseSearchSpace(space, ["finetune.epochs < finetune.batchSize", "3 <= finetune.epochs"]);
    expect(issues).toEqual([]);
    expect(result.paramConstraints).toEqual([
      { left: "finetune.epochs", op: "<", right: "finetune.batchSize", source: "finetune.epochs < finetune.batchSize" },
      { left: "finetune.epochs", op: ">=", right: 3, source: "3 <= finetune.epochs" },
    ]);
    expect(issuesOf(space, ["finetune.epochs < nope", "magnitude.scope < 3", "what", "finetune.epochs > 10", "1 < 2"])).toEqual([
      { path: "paramConstraints.0", message: 'unknown parameter "nope" (not in the space)' },
      { path: "paramConstraints.1", message: "magnitude.scope is not numeric" },
      { path: "paramConstraints.2", message: expect.stringMatching(/^cannot parse "what"/) },
      { path: "paramConstraints.3", message: "can never hold: finetune.epochs is at most 10 but 10 is at least 10" },
      { path: "paramConstraints.4", message: expect.stringMatching(/compares two numbers/) },
    ]);
  });

  it("reports an impossible constraint between two parameters", () => {
    const issues = issuesOf({ "finetune.epochs": { int: [10, 20] }, "finetune.batchSize": { int: [1, 10] } }, [
      "finetune.epochs < finetune.batchSize",
    ]);
    expect(issues).toEqual([
      {
        path: "paramConstraints.0",
        message: "can never hold: finetune.epochs is at least 10 but finetune.batchSize is at most 10",
      },
    ]);
  });

  it("does not report constraints on entries that already failed", () => {
    expect(issuesOf({ sparsity: { min: 0.5, max: 1.5 } }, ["sparsity < 0.9"])).toEqual([
      { path: "space.sparsity.max", message: "must be < 1, got 1.5" },
    ]);
  });

  it("throws a SpecError from buildSearchSpace", () => {
    expect(() => buildSearchSpace({ sparsity: 2 }, [], { source: "s.yaml" })).toThrow(SpecError);
  });
});
