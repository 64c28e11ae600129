// One backend of the GPU probe (bench/gpu/probe.sh runs this once per backend, each in its own
// process under its own timeout): selects the backend explicitly, then trains one epoch of
// LeNet-300-100 and of LeNet-5 on the built-in digits with the worker's own model and training
// code (models/registry, training/train), and writes one JSON object.
//
//   node bench/gpu/probe.mjs --backend webgpu --out /tmp/part.json [--budget-s 60] [--batch 64]
//
// `--budget-s` caps the training time of each model: after two warm-up batches (timed apart:
// the first includes shader compilation / PTX JIT) the epoch is cut to the batches that fit,
// and the JSON says so (`fullEpoch: false`). `--describe-only` records the environment only.
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    backend: { type: "string", default: "auto" },
    out: { type: "string" },
    "budget-s": { type: "string", default: "60" },
    batch: { type: "string", default: "64" },
    models: { type: "string", default: "lenet-300-100,lenet5" },
    "describe-only": { type: "boolean", default: false },
  },
});
const started = performance.now();
const result = { backend: args.backend, startedAt: new Date().toISOString() };
const write = () => {
  result.wallMs = Math.round(performance.now() - started);
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (args.out) writeFileSync(args.out, text);
  else process.stdout.write(text);
};

try {
  const w = await import("@prunesweep/worker");
  if (args["describe-only"]) {
    const env = w.loadGpuEnvironment();
    const adapter = await w.probeWebGpu(env);
    result.vulkan = {
      env,
      libvulkan: w.findLibVulkan(env) ?? null,
      icdDirs: w.VULKAN_ICD_DIRS,
      icds: w.listVulkanIcds(env),
      webgpuAdapter: typeof adapter === "string" ? null : adapter,
      webgpuReason: typeof adapter === "string" ? adapter : null,
    };
    write();
    process.exit(0);
  }
  const t0 = performance.now();
  let selected;
  try {
    selected = await w.selectBackend(args.backend);
  } catch (err) {
    result.loaded = false;
    result.error = `${err.name}: ${err.message}`;
    write();
    process.exit(0);
  }
  const tf = selected.tf;
  result.loaded = true;
  result.active = tf.getBackend();
  result.package = selected.package;
  result.gpu = selected.gpu;
  result.device = selected.device ?? null;
  result.tiers = w.describeTiers(selected.tiers);
  result.loadMs = Math.round(performance.now() - t0);
  if (selected.backend === "wasm") w.ensureWasmConvTraining();

  const data = await w.loadDataset({ source: { kind: "builtin", name: "mnist" }, split: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 0, maxTrainExamples: 0 });
  const train = w.splitOf(data, "train");
  // Accuracy on 500 validation digits: a check that training works, cheap even on cpu.
  const full = w.splitOf(data, "validation");
  const nEval = Math.min(500, full.count);
  const d = full.x.length / full.count;
  const val = { ...full, x: full.x.subarray(0, nEval * d), y: full.y.subarray(0, nEval), count: nEval };
  const batchSize = Number(args.batch);
  const budgetMs = Number(args["budget-s"]) * 1000;
  result.dataset = { name: data.name, train: data.nTrain, validation: data.nVal, batchSize };
  result.models = {};
  for (const model of args.models.split(",")) {
    const entry = {};
    result.models[model] = entry;
    let net;
    const optimizer = w.createOptimizer("adam", 0.001);
    try {
      net = w.buildModel(model, {}, data.inputShape, data.numClasses, 0);
      const rng = new w.Rng(1);
      const fullBatches = Math.ceil(train.count / batchSize);
      // Warm-up: the first batch compiles (webgpu shaders, CUDA PTX JIT), the second is timed as a step.
      const first = await w.trainEpoch(net, train, { optimizer, batchSize, rng, maxBatches: 1 });
      const second = await w.trainEpoch(net, train, { optimizer, batchSize, rng, maxBatches: 1 });
      entry.firstBatchMs = Math.round(first.wallMs);
      entry.secondBatchMs = Math.round(second.wallMs * 10) / 10;
      const batches = Math.max(1, Math.min(fullBatches, Math.floor(budgetMs / Math.max(second.wallMs, 0.1))));
      const epoch = await w.trainEpoch(net, train, { optimizer, batchSize, rng: new w.Rng(2), maxBatches: batches });
      Object.assign(entry, {
        batches: epoch.batches,
        fullEpochBatches: fullBatches,
        fullEpoch: epoch.batches === fullBatches,
        examples: epoch.examples,
        trainMs: Math.round(epoch.wallMs),
        samplesPerSec: Math.round((epoch.examples / epoch.wallMs) * 1000),
        msPerStep: Math.round((epoch.wallMs / epoch.batches) * 100) / 100,
        loss: Math.round(epoch.loss * 1e4) / 1e4,
        valAccuracy: Math.round((await w.evaluateAccuracy(net, val)) * 1e4) / 1e4,
      });
    } catch (err) {
      entry.error = `${err.name}: ${err.message}`;
    } finally {
      net?.dispose();
      optimizer.dispose();
    }
    // Kept if a later model runs past the step's timeout.
    if (args.out) write();
  }
} catch (err) {
  result.error = `${err?.name ?? "Error"}: ${err?.message ?? String(err)}`;
}
write();
process.exit(0);
