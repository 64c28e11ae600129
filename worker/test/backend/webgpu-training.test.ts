/**
 * Real trials on the webgpu backend, compared with the same trials on wasm. Needs a WebGPU
 * adapter, which CI does not have (skipped there). On any Debian/Ubuntu machine a software
 * adapter is one command away:
 *
 *   eval "$(bench/gpu/lavapipe.sh)" && npx vitest run worker/test/backend/webgpu-training.test.ts
 */
import type { PlainParam } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import { probeWebGpu } from "../../src/backend/webgpu.js";
import { loadGpuEnvironment } from "../../src/config.js";
import { runTrial } from "../../src/trial/run-trial.js";
import type { TrialOutcome, WorkerTask } from "../../src/trial/types.js";
import { fakeHooks, syntheticTask, trialRequest } from "../helpers.js";

const adapter = await probeWebGpu(loadGpuEnvironment());

/** One trial per method, covering every synchronous read the methods do between steps. */
const CASES: readonly [string, Record<string, PlainParam>, Partial<WorkerTask>][] = [
  ["magnitude", { method: "magnitude", sparsity: 0.8 }, {}],
  ["one-shot", { method: "one-shot", "one-shot.rounds": 2, "one-shot.roundEpochs": 1 }, {}],
  [
    "layerprune (neurons)",
    { method: "layerprune", "layerprune.unit": "filter", "layerprune.filterFraction": 0.5, "finetune.epochs": 1 },
    { modelOptions: { hidden: [16, 12] } },
  ],
  [
    "gates",
    { method: "gates", "gates.epochs": 3, "gates.lambdaNeuron": 0.05, "gates.lambdaBlock": 0.05, "gates.gateLrMult": 10, "gates.tau": 0.05, "finetune.learningRate": 0.01 },
    { model: "res-mlp", modelOptions: { width: 16, blocks: 2 } },
  ],
  ["early-exit", { method: "early-exit", "early-exit.iterations": 2, "early-exit.fraction": 0.5, "early-exit.tau": 0.9 }, { modelOptions: { hidden: [16, 12, 8] }, exits: { positions: [], every: 1 } }],
];

function completed(out: TrialOutcome): Extract<TrialOutcome, { kind: "completed" }> {
  if (out.kind !== "completed") throw new Error(`trial did not complete: ${JSON.stringify(out)}`);
  return out;
}

describe.skipIf(typeof adapter === "string")(`trials on webgpu (${typeof adapter === "string" ? adapter : adapter.description})`, () => {
  it.each(CASES)("%s trains and prunes as on wasm", async (_name, params, task) => {
    const run = async (backend: "webgpu" | "wasm") =>
      completed(await runTrial(trialRequest(params, { task: syntheticTask({ ...task, backend }) }), fakeHooks(), { pretrained: new InMemoryPretrainedStore() }));
    const gpu = await run("webgpu");
    const ref = await run("wasm");
    expect(gpu.details["backend"]).toBe("webgpu");
    expect(gpu.details["backendDevice"]).toBeTypeOf("string");
    expect((gpu.details["latency"] as { backend?: string } | undefined)?.backend ?? "webgpu").toBe("webgpu");
    // Same seed, same data: the same pruned structure and, within float rounding, the same accuracy.
    expect(gpu.metrics["nonzero_params"]).toBe(ref.metrics["nonzero_params"]);
    expect(gpu.metrics["params"]).toBe(ref.metrics["params"]);
    expect(Math.abs((gpu.metrics["accuracy"] ?? 0) - (ref.metrics["accuracy"] ?? 0))).toBeLessThanOrEqual(0.02);
  });
});
