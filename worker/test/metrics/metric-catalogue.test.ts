/**
 * Every metric a trial reports, final or in a progress report, is in proto's metric
 * catalogue; final method metrics only from the methods whose catalogue entry lists them.
 */
import { findMethod, findMetric, METHOD_NAMES, type PlainParam } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import { runTrial } from "../../src/trial/run-trial.js";
import { fakeHooks, syntheticTask, trialRequest } from "../helpers.js";

/**
 * One small task every method applies to (removable layers for LayerPrune, an exit for
 * early-exit pruning); the step budget keeps the round-based methods short.
 */
const TASK = syntheticTask({ model: "deep-mlp", modelOptions: { width: 12, depth: 3 }, exits: { positions: [1], every: 0 } });

describe("the metric catalogue", () => {
  it.each(METHOD_NAMES)("catalogues every metric %s reports", async (method) => {
    const hooks = fakeHooks();
    const params: Record<string, PlainParam> = { method, "finetune.epochs": 1 };
    const out = await runTrial(trialRequest(params, { task: TASK, budget: { maxSteps: 2, maxWallMs: 0 } }), hooks, { pretrained: new InMemoryPretrainedStore() });
    expect(out.kind, JSON.stringify(out)).toBe("completed");
    if (out.kind !== "completed") return;
    const own = findMethod(method)?.metrics ?? [];
    for (const name of Object.keys(out.metrics)) {
      const entry = findMetric(name);
      expect(entry, `${method} reports ${name}`).toBeDefined();
      if (entry?.when === "method") expect(own, `${method} reports ${name}`).toContain(name);
      expect(entry?.when, name).not.toBe("progress");
    }
    expect(hooks.calls.length).toBeGreaterThan(0);
    for (const call of hooks.calls) for (const name of Object.keys(call.metrics)) expect(findMetric(name), `${method} progress ${name}`).toBeDefined();
  });
});
