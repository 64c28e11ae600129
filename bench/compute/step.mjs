// One configuration of bench/compute (run.mjs starts one process per configuration, so that
// each loads its own BLAS or none): the worker's own training step (models/registry,
// training/train: masked Adam, as a trial's fine-tuning) of one model at one batch size on the
// built-in digits, on the wasm backend with whatever kernels PRUNESWEEP_BLAS gives. Prints one
// JSON object: median and best ms per step over `--repeats` timed runs after a warm-up.
//
//   node bench/compute/step.mjs --model lenet5 --batch 64 [--budget-s 4] [--repeats 3]
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    model: { type: "string", default: "lenet-300-100" },
    batch: { type: "string", default: "64" },
    "budget-s": { type: "string", default: "4" },
    repeats: { type: "string", default: "3" },
  },
});
const w = await import("@prunesweep/worker");
const selected = await w.selectBackend("wasm");
const tf = selected.tf;
const data = await w.loadDataset({ source: { kind: "builtin", name: "mnist" }, split: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 0, maxTrainExamples: 0 });
const train = w.splitOf(data, "train");
const batchSize = Number(args.batch);
const net = w.buildModel(args.model, {}, data.inputShape, data.numClasses, 0);
// Half of every kernel masked, as in a trial's fine-tuning after pruning.
const masks = new Map(
  net
    .params()
    .filter((p) => p.role === "kernel")
    .map((p, i) => [p.name, tf.tidy(() => tf.cast(tf.greater(tf.randomUniform(p.shape, 0, 1, "float32", i + 1), 0.5), "float32"))]),
);
const optimizer = w.createOptimizer("adam", 0.001);
const rng = new w.Rng(1);
const step = (n) => w.trainEpoch(net, train, { optimizer, batchSize, rng, masks, maxBatches: n });
await step(2); // warm-up: first-call allocations and kernel setup
const probe = await step(1);
const steps = Math.max(2, Math.min(Math.floor(train.count / batchSize), Math.round((Number(args["budget-s"]) * 1000) / Number(args.repeats) / Math.max(probe.wallMs, 0.1))));
const perStep = [];
for (let r = 0; r < Number(args.repeats); r++) {
  const t0 = performance.now();
  await step(steps);
  perStep.push((performance.now() - t0) / steps);
}
perStep.sort((a, b) => a - b);
const msPerStep = perStep[Math.floor(perStep.length / 2)];
const best = perStep[0];
// FLOPs of a training step: forward, input gradient and weight gradient, 2 FLOPs per MAC each.
const flopsPerStep = 3 * 2 * net.denseMacs() * batchSize;
const numTensors = tf.memory().numTensors;
process.stdout.write(
  `${JSON.stringify({
    model: args.model,
    batch: batchSize,
    blas: selected.blas?.library ?? null,
    threads: selected.blas?.threads ?? 1,
    steps,
    repeats: perStep.length,
    msPerStep: Math.round(msPerStep * 100) / 100,
    msPerStepBest: Math.round(best * 100) / 100,
    msPerStepAll: perStep.map((v) => Math.round(v * 100) / 100),
    gflopsBest: Math.round((flopsPerStep / best / 1e6) * 100) / 100,
    samplesPerSec: Math.round((batchSize / msPerStep) * 1000),
    gflops: Math.round((flopsPerStep / msPerStep / 1e6) * 100) / 100,
    macsPerSample: net.denseMacs(),
    numTensors,
  })}\n`,
);
process.exit(0);
