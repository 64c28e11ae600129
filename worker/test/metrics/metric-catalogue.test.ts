/**
 * Every metric a trial reports, final or in a progress report, is in proto's metric
 * catalogue; final method metrics only from the methods whose catalogue entry lists them.
 */
import { findMethod, findMetric, METHOD_NAMES, type PlainParam } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import { runTrial } from "../../src/trial/run-trial.js";
import type { WorkerTask } from "../../src/trial/types.js";
import { fakeHooks, syntheticTask, trialRequest } from "../helpers.js";

/** One small, real trial per method (a model it applies to, few epochs). */
const TRIALS: Readonly<Record<string, { params: Record<string, PlainParam>; task?: Partial<WorkerTask> }>> = {
  magnitude: { params: { "magnitude.mode": "iterative", "magnitude.rounds": 2, "finetune.epochs": 1 } },
  sap: { params: { "sap.rounds": 2, "sap.roundEpochs": 1 } },
  "lottery-ticket": { params: { "lottery-ticket.rounds": 2, "lottery-ticket.roundEpochs": 1 } },
  "one-shot": { params: { "one-shot.rounds": 2, "one-shot.roundEpochs": 1 } },
  layerprune: { params: { "layerprune.criterionBatches": 2, "finetune.epochs": 1 }, task: { model: "deep-mlp", modelOptions: { width: 12, depth: 3 } } },
  gates: { params: { "gates.epochs": 1 }, task: { model: "res-mlp", modelOptions: { width: 12, blocks: 2 } } },
  "early-exit": { params: { "early-exit.iterations": 2 }, task: { exits: { positions: [0], every: 0 } } },
};

describe("the metric catalogue", () => {
  it("has a trial setup for every catalogued method", () => {
    expect(Object.keys(TRIALS).sort()).toEqual([...METHOD_NAMES].sort());
  });

  it.each(Object.entries(TRIALS))("catalogues every metric %s reports", async (method, setup) => {
    const hooks = fakeHooks();
    const out = await runTrial(trialRequest({ method, ...setup.params }, { task: syntheticTask(setup.task) }), hooks, { pretrained: new InMemoryPretrainedStore() });
    expect(out.kind).toBe("completed");
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
