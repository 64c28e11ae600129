import { METHOD_NAMES } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { isRetryable, UnknownPruningMethodError } from "../../src/errors.js";
import { magnitudeMethod } from "../../src/pruning/magnitude.js";
import { resolveTrialParams } from "../../src/pruning/params.js";
import { getPruningMethod } from "../../src/pruning/registry.js";

describe("pruning registry", () => {
  it("throws UnknownPruningMethodError listing the registered names", () => {
    expect(() => getPruningMethod("sap2")).toThrow(UnknownPruningMethodError);
    expect(() => getPruningMethod("sap2")).toThrow(/magnitude/);
    expect(isRetryable(new UnknownPruningMethodError("x", []))).toBe(false);
  });

  it("implements every catalogued method under its catalogue name", () => {
    for (const name of METHOD_NAMES) expect(getPruningMethod(name).name).toBe(name);
  });
});

describe("resolveTrialParams", () => {
  it("applies defaults: magnitude, global, 2 epochs, lr 1e-3", () => {
    const r = resolveTrialParams({});
    expect(r.method).toBe(magnitudeMethod);
    expect(r.methodParams).toMatchObject({ sparsity: 0.9, scope: "global", mode: "one-shot" });
    expect(r.common).toMatchObject({ finetuneEpochs: 2, finetuneLearningRate: 1e-3, finetuneBatchSize: undefined });
  });

  it("prefers magnitude.sparsity over sparsity", () => {
    expect(resolveTrialParams({ sparsity: 0.5 }).methodParams).toMatchObject({ sparsity: 0.5 });
    expect(resolveTrialParams({ sparsity: 0.5, "magnitude.sparsity": 0.7 }).methodParams).toMatchObject({ sparsity: 0.7 });
  });

  it("names the parameter in errors", () => {
    expect(() => resolveTrialParams({ sparsity: 1 })).toThrow(/"sparsity": must be < 1, got 1/);
    expect(() => resolveTrialParams({ "finetune.learningRate": 0 })).toThrow(/"finetune.learningRate": must be > 0/);
    expect(() => resolveTrialParams({ method: 3 })).toThrow(/"method"/);
    expect(() => resolveTrialParams({ "magnitude.mode": "iterative", "magnitude.initialSparsity": 0.8, sparsity: 0.5 })).toThrow(/initialSparsity/);
  });
});
