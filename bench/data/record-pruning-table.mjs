#!/usr/bin/env node
// Records bench/data/pruning-table.json once: real trial results of the worker (runTrial, the
// same code a worker process runs) over a grid of pruning settings of LeNet-300-100 on the
// built-in MNIST digits. The sampler benchmark replays it as a tabular problem.
//   npm run build && node bench/data/record-pruning-table.mjs
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { InMemoryPretrainedStore, runTrial } from "@prunesweep/worker";

const sparsities = Array.from({ length: 13 }, (_, i) => Math.round((0.5 + 0.04 * i) * 100) / 100);
const scopes = ["global", "layer"];
const epochs = [0, 1, 2];
const task = {
  dataset: { kind: "builtin", name: "mnist" },
  split: { train: 0.7, validation: 0.1, test: 0.2 },
  model: "lenet-300-100",
  modelOptions: {},
  exits: { positions: [], every: 0 },
  pretrain: { epochs: 5, optimizer: "adam", learningRate: 0.002, batchSize: 64 },
  backend: "auto",
  seed: 1,
  maxTrainExamples: 0,
};
const pretrained = new InMemoryPretrainedStore();
const rows = [];
const t0 = performance.now();
let n = 0;
for (const sparsity of sparsities)
  for (const scope of scopes)
    for (const ep of epochs) {
      const params = { method: "magnitude", "magnitude.sparsity": sparsity, "magnitude.scope": scope, "finetune.epochs": ep };
      const outcome = await runTrial(
        { campaignId: "table", trialId: `t${n++}`, attempt: 1, params, task, budget: { maxSteps: 0, maxWallMs: 0 } },
        { signal: new AbortController().signal, progress: async () => "continue", log: () => undefined },
        { pretrained },
      );
      if (outcome.kind !== "completed") throw new Error(`trial ${JSON.stringify(params)} ${outcome.kind}: ${JSON.stringify(outcome)}`);
      const m = outcome.metrics;
      rows.push({
        params: { "magnitude.sparsity": sparsity, "magnitude.scope": scope, "finetune.epochs": ep },
        metrics: {
          accuracy: m.accuracy,
          val_accuracy: m.val_accuracy,
          effective_macs: m.effective_macs,
          nonzero_params: m.nonzero_params,
          latency_ms_b1: m.latency_ms_b1,
          wall_ms_finetune: m.wall_ms_finetune,
        },
      });
      process.stderr.write(`${n}/78 sparsity ${sparsity} ${scope} ft ${ep}: accuracy ${m.accuracy.toFixed(4)}\n`);
    }
const table = {
  description:
    "LeNet-300-100 on the built-in MNIST digits (split 0.7/0.1/0.2, seed 1, dense pretraining 5 epochs Adam 0.002), " +
    "one-shot magnitude pruning (global or layer-wise) to the sparsity, then 0-2 fine-tuning epochs; real runTrial results " +
    `recorded ${new Date().toISOString()} on ${process.platform}/${process.arch} node ${process.version} in ${((performance.now() - t0) / 1000).toFixed(0)} s.`,
  space: [
    { name: "magnitude.sparsity", distribution: { type: "float", min: 0.5, max: 0.98, log: false, step: 0.04 }, when: {} },
    { name: "magnitude.scope", distribution: { type: "categorical", values: scopes }, when: {} },
    { name: "finetune.epochs", distribution: { type: "int", min: 0, max: 2, step: 1, log: false }, when: {} },
  ],
  objectives: [
    { metric: "accuracy", direction: "maximize" },
    { metric: "effective_macs", direction: "minimize" },
  ],
  reference: [-0.5, 300000],
  rows,
};
writeFileSync(fileURLToPath(new URL("./pruning-table.json", import.meta.url)), JSON.stringify(table, null, 1) + "\n");
process.stderr.write(`wrote bench/data/pruning-table.json (${rows.length} rows)\n`);
process.exit(0);
