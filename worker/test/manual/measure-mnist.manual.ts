/**
 * Measures LeNet-300-100 on the built-in MNIST split (0.7/0.1/0.2) on the wasm backend: time
 * per epoch, then one-shot global magnitude pruning at several sparsities with 2 fine-tune
 * epochs each. Env: PRETRAIN_EPOCHS (4), PRETRAIN_LR (0.001), PRETRAIN_BATCH (64),
 * SPARSITIES ("0.5,0.8,0.9,0.95,0.98"), BACKEND (wasm).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { it } from "vitest";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import { selectBackend } from "../../src/backend/select-backend.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { Rng } from "../../src/data/rng.js";
import { splitOf } from "../../src/data/types.js";
import { buildModel } from "../../src/models/registry.js";
import { createOptimizer } from "../../src/training/optimizers.js";
import { trainEpoch } from "../../src/training/train.js";
import { runTrial } from "../../src/trial/run-trial.js";
import type { WorkerTask } from "../../src/trial/types.js";
import { fakeHooks } from "../helpers.js";

const env = (k: string, d: string): string => process.env[k] ?? d;

it("measures LeNet-300-100 on builtin MNIST", async () => {
  const backend = env("BACKEND", "wasm") as WorkerTask["backend"];
  const task: WorkerTask = {
    dataset: { kind: "builtin", name: "mnist" },
    split: { train: 0.7, validation: 0.1, test: 0.2 },
    model: "lenet-300-100",
    modelOptions: {},
    exits: { positions: [], every: 0 },
    pretrain: { epochs: Number(env("PRETRAIN_EPOCHS", "4")), optimizer: "adam", learningRate: Number(env("PRETRAIN_LR", "0.001")), batchSize: Number(env("PRETRAIN_BATCH", "64")) },
    backend,
    seed: 1,
    maxTrainExamples: 0,
  };
  const sel = await selectBackend(backend);
  const data = await loadDataset({ source: task.dataset, split: task.split, seed: task.seed, maxTrainExamples: 0 });
  if (env("EPOCH_TIMING", "1") === "1") {
    const net = buildModel("lenet-300-100", {}, data.inputShape, data.numClasses, 1);
    const opt = createOptimizer("adam", 1e-3);
    for (const bs of [64, 128]) {
      const r = await trainEpoch(net, splitOf(data, "train"), { optimizer: opt, batchSize: bs, rng: new Rng(1) });
      console.log(`[measure] ${sel.backend}: epoch of ${r.examples} examples, batch ${bs}: ${Math.round(r.wallMs)} ms`);
    }
    opt.dispose();
    net.dispose();
  }
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const store = new InMemoryPretrainedStore();
  const rows: string[] = [];
  for (const s of env("SPARSITIES", "0.5,0.8,0.9,0.95,0.98").split(",").map(Number)) {
    const t0 = performance.now();
    const out = await runTrial(
      { campaignId: "m", trialId: `s${s}`, attempt: 1, params: { sparsity: s, "finetune.epochs": Number(env("FT_EPOCHS", "2")) }, task, budget: { maxSteps: 0, maxWallMs: 0 } },
      fakeHooks(),
      { pretrained: store },
    );
    const ms = Math.round(performance.now() - t0);
    if (out.kind !== "completed") {
      rows.push(`sparsity ${s}: ${JSON.stringify(out)}`);
      continue;
    }
    const m = out.metrics;
    rows.push(
      `sparsity ${s}: test acc ${m["accuracy"]?.toFixed(4)} val ${m["val_accuracy"]?.toFixed(4)} dense val ${m["pretrain_val_accuracy"]?.toFixed(4)} ` +
        `sparsity ${m["sparsity"]?.toFixed(4)} eff MACs ${m["effective_macs"]} | trial ${ms} ms (pretrain ${m["wall_ms_pretrain"]}, prune ${m["wall_ms_prune"]}, finetune ${m["wall_ms_finetune"]})`,
    );
    console.log(`[measure] ${rows[rows.length - 1]}`);
  }
  lag.disable();
  console.log(`[measure] event-loop delay during trials: p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms`);
  console.log(`[measure] pretrain ${JSON.stringify(task.pretrain)}\n${rows.join("\n")}`);
});
