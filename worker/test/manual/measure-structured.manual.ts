/**
 * Measures LayerPrune, gates and early-exit pruning on the built-in MNIST split (0.7/0.1/0.2) on
 * the wasm backend: MACs, parameters and latency before/after, and the early-exit curves.
 * Run: npx vitest run --config worker/test/manual/vitest.manual.config.ts measure-structured
 * Env: ONLY ("layerprune,gates,early-exit"), PRETRAIN_EPOCHS (4), FT_EPOCHS (2).
 */
import { it } from "vitest";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import type { PlainParam } from "@prunesweep/proto";
import { runTrial } from "../../src/trial/run-trial.js";
import type { WorkerTask } from "../../src/trial/types.js";
import { fakeHooks } from "../helpers.js";

const env = (k: string, d: string): string => process.env[k] ?? d;
const only = env("ONLY", "layerprune,gates,early-exit").split(",");
const ft = Number(env("FT_EPOCHS", "2"));

function task(model: string, modelOptions: Record<string, unknown>, exits = { positions: [] as number[], every: 0 }): WorkerTask {
  return {
    dataset: { kind: "builtin", name: "mnist" },
    split: { train: 0.7, validation: 0.1, test: 0.2 },
    model,
    modelOptions,
    exits,
    pretrain: { epochs: Number(env("PRETRAIN_EPOCHS", "4")), optimizer: "adam", learningRate: 0.002, batchSize: 64 },
    backend: "wasm",
    seed: 1,
    maxTrainExamples: 0,
  };
}

const f = (v: number | undefined, d = 4): string => (v === undefined ? "-" : Number.isInteger(v) ? String(v) : v.toFixed(d));

async function trial(t: WorkerTask, params: Record<string, PlainParam>, store: InMemoryPretrainedStore, label: string): Promise<Record<string, number>> {
  const t0 = performance.now();
  const out = await runTrial({ campaignId: "m", trialId: label, attempt: 1, params, task: t, budget: { maxSteps: 0, maxWallMs: 0 } }, fakeHooks(), { pretrained: store });
  if (out.kind !== "completed") {
    console.log(`[measure] ${label}: ${JSON.stringify(out)}`);
    return {};
  }
  const m = out.metrics;
  console.log(
    `[measure] ${label}: acc ${f(m["accuracy"])} (dense val ${f(m["pretrain_val_accuracy"])}) | dense MACs ${f(m["dense_macs_before"])} -> ${f(m["dense_macs"])} | ` +
      `params ${f(m["params_before"])} -> ${f(m["params"])} | eff MACs ${f(m["effective_macs"])} | lat b1 ${f(m["latency_ms_b1"], 3)} ms, b64 ${f(m["latency_ms_b64"], 3)} ms | ` +
      `trial ${Math.round(performance.now() - t0)} ms`,
  );
  if (out.details["exitCurve"]) {
    const c = out.details["exitCurve"] as { test: { tau: number; accuracy: number; expectedMacs: number; exitFractions: number[] }[] };
    for (const p of c.test) console.log(`[measure]   tau ${p.tau}: acc ${f(p.accuracy)} expected MACs ${Math.round(p.expectedMacs)} exits ${p.exitFractions.map((x) => x.toFixed(2)).join("/")}`);
    console.log(
      `[measure]   per-exit acc ${[1, 2, 3].map((k) => f(m[`accuracy_exit_${k}`])).join(" ")} | operating point tau ${f(m["ee_tau"])} acc ${f(m["ee_accuracy"])} expected MACs ${Math.round(m["expected_macs"] ?? 0)} (dense ${Math.round(m["expected_dense_macs"] ?? 0)}) sparsity ${f(m["sparsity"])}`,
    );
  }
  return m;
}

it("measures structured and early-exit pruning on builtin MNIST", async () => {
  if (only.includes("layerprune")) {
    const store = new InMemoryPretrainedStore();
    const t = task("deep-mlp", { width: 128, depth: 6 });
    const base = { method: "layerprune", "layerprune.criterionBatches": 20, "finetune.epochs": ft, "finetune.learningRate": 0.002 };
    await trial(t, { ...base, "layerprune.k": 1, "finetune.epochs": 0 }, store, "pretrain");
    for (const k of [1, 2, 3, 4]) await trial(t, { ...base, "layerprune.k": k }, store, `layerprune k=${k} taylor_weight`);
    await trial(t, { ...base, "layerprune.k": 2, "layerprune.criterion": "imprint" }, store, "layerprune k=2 imprint");
    await trial(t, { ...base, "layerprune.removal": "latency", "layerprune.latencyBudget": 0.7 }, store, "layerprune latency<=0.7");
    for (const frac of [0.3, 0.6]) await trial(t, { ...base, "layerprune.unit": "filter", "layerprune.filterFraction": frac }, store, `filterprune ${frac} taylor_weight`);
  }
  if (only.includes("gates")) {
    const store = new InMemoryPretrainedStore();
    const t = task("res-mlp", { width: 128, blocks: 4 });
    for (const lambda of [1e-4, 1e-3]) {
      await trial(
        t,
        { method: "gates", "gates.epochs": 3, "gates.lambdaNeuron": lambda, "gates.lambdaBlock": lambda, "gates.gateLrMult": 10, "gates.tau": 0.05, "gates.postExportEpochs": 1, "finetune.learningRate": 0.002 },
        store,
        `gates res-mlp lambda=${lambda}`,
      );
    }
    const mlp = task("lenet-300-100", {});
    await trial(mlp, { method: "gates", "gates.epochs": 3, "gates.lambdaNeuron": 1e-3, "gates.gateLrMult": 10, "gates.tau": 0.05, "gates.postExportEpochs": 1, "finetune.learningRate": 0.002 }, new InMemoryPretrainedStore(), "gates lenet-300-100 neurons");
  }
  if (only.includes("early-exit")) {
    const store = new InMemoryPretrainedStore();
    const t = task("mlp", { hidden: [256, 128, 64] }, { positions: [], every: 1 });
    await trial(t, { method: "early-exit", "early-exit.iterations": 1, "early-exit.fraction": 0.01, "early-exit.epochsPerIteration": 0 }, store, "early-exit dense (no pruning)");
    for (const approach of ["simultaneous", "ordered"]) {
      await trial(t, { method: "early-exit", "early-exit.approach": approach, "early-exit.iterations": 5, "early-exit.fraction": 0.2, "early-exit.epochsPerIteration": 1, "finetune.learningRate": 0.002 }, store, `early-exit ${approach}`);
    }
  }
});
