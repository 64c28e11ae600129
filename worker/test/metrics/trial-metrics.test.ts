/** End-to-end trials of the structured and early-exit methods, and the metrics every trial reports. */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import { runTrial } from "../../src/trial/run-trial.js";
import type { TrialOutcome } from "../../src/trial/types.js";
import { fakeHooks, syntheticTask, trialRequest } from "../helpers.js";

const COMMON = [
  "accuracy",
  "val_accuracy",
  "accuracy_exit_1",
  "params",
  "nonzero_params",
  "sparsity",
  "pqi",
  "dense_macs",
  "effective_macs",
  "expected_macs",
  "expected_dense_macs",
  "latency_ms_b1",
  "latency_ms_b64",
  "wall_ms_pretrain",
  "wall_ms_prune",
  "wall_ms_finetune",
  "wall_ms_metrics",
];

type Completed = Extract<TrialOutcome, { kind: "completed" }>;

function completed(out: TrialOutcome): Completed {
  if (out.kind !== "completed") throw new Error(`trial did not complete: ${JSON.stringify(out)}`);
  return out;
}

describe("trials with structured and early-exit methods", () => {
  it("layerprune on a deep MLP with an exit: removes k layers, lowers MACs, reports every metric", async () => {
    const task = syntheticTask({ model: "deep-mlp", modelOptions: { width: 12, depth: 4 }, exits: { positions: [2], every: 0 } });
    const out = completed(
      await runTrial(trialRequest({ method: "layerprune", "layerprune.k": 2, "layerprune.criterionBatches": 3, "finetune.epochs": 1 }, { task }), fakeHooks(), {
        pretrained: new InMemoryPretrainedStore(),
      }),
    );
    for (const m of [...COMMON, "accuracy_exit_2", "ee_accuracy", "removed_layers"]) expect(out.metrics[m], m).toBeTypeOf("number");
    expect(out.metrics["removed_layers"]).toBe(2);
    expect(out.metrics["dense_macs"]).toBe((out.metrics["dense_macs_before"] ?? 0) - 2 * 144);
    expect(out.metrics["accuracy_exit_2"]).toBe(out.metrics["accuracy"]);
    expect(out.details["latency"]).toMatchObject({ backend: "wasm" });
    expect(out.details["operatingPoint"]).toMatchObject({ chosenOn: "validation" });
    expect((out.details["exitCurve"] as { test: unknown[] }).test).toHaveLength(8);
    expect(Object.keys(out.details["layerPqi"] as object)).toContain("fc1/kernel");
  });

  it("gates on a residual MLP: exports a physically smaller net", async () => {
    const task = syntheticTask({ model: "res-mlp", modelOptions: { width: 16, blocks: 2 } });
    const out = completed(
      await runTrial(
        trialRequest(
          { method: "gates", "gates.epochs": 3, "gates.lambdaNeuron": 0.05, "gates.lambdaBlock": 0.05, "gates.gateLrMult": 10, "gates.tau": 0.05, "finetune.learningRate": 0.01 },
          { task },
        ),
        fakeHooks(),
        { pretrained: new InMemoryPretrainedStore() },
      ),
    );
    expect(out.metrics["gates_zeroed"]).toBeGreaterThan(0);
    expect(out.metrics["dense_macs"]).toBeLessThan(out.metrics["dense_macs_before"] ?? 0);
    expect(out.metrics["compression"]).toBeGreaterThan(0);
    expect(out.metrics["sparsity"]).toBe(0);
  });

  it("early-exit on an MLP with exits: sparsity follows the schedule and the trial leaks nothing", async () => {
    const store = new InMemoryPretrainedStore();
    const task = syntheticTask({ modelOptions: { hidden: [16, 12, 8] }, exits: { positions: [], every: 1 } });
    const req = trialRequest({ method: "early-exit", "early-exit.iterations": 2, "early-exit.fraction": 0.5, "early-exit.tau": 0.9 }, { task });
    await runTrial(req, fakeHooks(), { pretrained: store });
    const before = tf.memory().numTensors;
    const out = completed(await runTrial({ ...req, trialId: "t2" }, fakeHooks(), { pretrained: store }));
    expect(tf.memory().numTensors).toBe(before);
    expect(out.metrics["sparsity"]).toBeCloseTo(0.75, 2);
    expect(out.metrics["ee_tau"]).toBe(0.9);
    for (const k of [1, 2, 3]) expect(out.metrics[`accuracy_exit_${k}`]).toBeTypeOf("number");
    expect(out.metrics["expected_macs"]).toBeLessThanOrEqual(out.metrics["effective_macs"] ?? 0);
  });

  it("trains and prunes a conv net (LeNet-5) on the wasm backend", async () => {
    const task = syntheticTask({
      dataset: { kind: "builtin", name: "mnist" },
      split: { train: 0.1, validation: 0.02, test: 0.03 },
      maxTrainExamples: 600,
      model: "lenet5",
      modelOptions: { channels: [4, 8], hidden: [16, 16] },
      exits: { positions: [1], every: 0 },
      pretrain: { epochs: 1, optimizer: "adam", learningRate: 0.005, batchSize: 32 },
    });
    const out = completed(
      await runTrial(trialRequest({ method: "layerprune", "layerprune.unit": "filter", "layerprune.filterFraction": 0.5, "finetune.epochs": 1 }, { task }), fakeHooks(), {
        pretrained: new InMemoryPretrainedStore(),
      }),
    );
    expect(out.details["backend"]).toBe("wasm");
    expect(out.metrics["dense_macs"]).toBeLessThan((out.metrics["dense_macs_before"] ?? 0) * 0.5);
    expect(out.metrics["pretrain_val_accuracy"]).toBeGreaterThan(0.3);
    expect(out.metrics["accuracy"]).toBeGreaterThan(0.2);
  });
});
