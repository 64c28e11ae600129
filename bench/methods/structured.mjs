// Benchmark (not a test), parts (b)-(d) of the methods reproduction (issue #3), at small scale on
// the built-in MNIST digits (docs/methods.md §2.8, §3.5, §4.7):
//
//   (b) LayerPrune vs filter pruning: remove k = 1..4 layers of a deep MLP (784-256x6-10) and
//       k = 1..4 residual blocks of a res-mlp (128 wide, 6 blocks), against filter (neuron)
//       pruning with the same criterion at the matching dense-MAC reduction; accuracy vs
//       measured latency at batch 1 and 64 on the worker's backend;
//   (c) learnable gates: compression vs accuracy over λ on LeNet-300-100 (neuron gates) and a
//       res-mlp (block + neuron gates);
//   (d) early-exit pruning, simultaneous vs ordered, at the same final sparsity: accuracy vs
//       expected MACs over the τ grid.
//
//   npx tsc -b proto worker && node bench/methods/structured.mjs [--parts b,c,d] [--seed 1]
//     [--ft-epochs 2] [--gate-epochs 4] [--lambdas 1e-5,...,1e-2] [--ee-iterations 10] [--ee-seeds 1,2]
//     [--lat-rounds 7] [--lat-runs 15] [--render-only]   (about 10 min on 2 shared cores)
//
// Everything runs in this process through the worker's own runTrial (wasm backend by default),
// one InMemoryPretrainedStore per run so every model is pretrained once. Latency: runTrial
// reports latency_ms_b1/b64 (2 warm-up passes, median of up to 15 passes); because those are
// noisy on a shared machine, part (b) and (c) also re-measure every pruned shape afterwards:
// the structure is rebuilt from the trial's details (same blocks removed, same unit counts;
// weight values do not change dense-kernel timing), and all shapes of a model are timed
// round-robin (`--lat-rounds` rounds × `--lat-runs` passes after warm-up), reporting the median
// of all passes, so drift from other processes hits every shape alike.
//
// Writes bench/results/methods-bcd.json and bench/results/methods-bcd.md; then, when
// bench/results/methods-a.json exists, runs bench/methods/merge.mjs to write
// bench/results/methods.json and bench/results/methods.md.
//
// CNN mode (`--models` given): the same parts on conv nets, every seed of `--seeds` its own data
// split, pretraining and trials; results as mean ± sample sd over seeds in
// bench/results/<--out, default methods-cnn-bcd>.{json,md}:
//   (b) every `--models` net with removable blocks (resnet8: 1, resnet14: 4; `--k-max` caps k):
//       k basic blocks removed vs filter pruning of the blocks' inner convs at matched MACs;
//   (c) `--gate-model` with `--gate-configs` filter | block | filter+block, λ over `--lambdas`
//       (filter) and `--lambdas-block` (block);
//   (d) `--ee-model` (default lenet5) with exits after blocks `--ee-positions`.
// `--cifar10 DIR` trains every part on the CIFAR-10 binary batches in DIR instead of the digits
// (bench/methods/dataset.mjs; checked before anything trains).
// `--max-train N` caps the training examples (ResNets are slow on wasm), `--pretrained-dir DIR`
// shares pretrained weights between processes (one per part/seed, run in parallel), and
// `--combine a.json,b.json --out NAME` merges their outputs into one document. E.g.
//   node bench/methods/structured.mjs --models resnet14 --parts b --seeds 1 --max-train 1000 \
//     --pretrained-dir /tmp/pre --out methods-cnn-bcd.parts/b-resnet14-s1   (likewise c, d)
//   node bench/methods/structured.mjs --combine methods-cnn-bcd.parts --out methods-cnn-bcd
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, getPriority, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { InMemoryPretrainedStore, runTrial } from "@prunesweep/worker";
import { CIFAR10_OPTION, benchDataset } from "./dataset.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const outDir = join(here, "..", "results");
const dist = (p) => pathToFileURL(join(root, "worker", "dist", p)).href;
const { buildModel } = await import(dist("models/registry.js"));
const { measureLatency, median } = await import(dist("metrics/latency.js"));
const { selectBackend } = await import(dist("backend/select-backend.js"));

const { values: args } = parseArgs({
  options: {
    parts: { type: "string", default: "b,c,d" },
    seed: { type: "string", default: "1" },
    backend: { type: "string", default: "wasm" },
    "pretrain-epochs": { type: "string", default: "4" },
    /** (b) fine-tune epochs after removal (second half at 0.1x, the paper's step schedule). */
    "ft-epochs": { type: "string", default: "2" },
    /** (b) criterion mini-batches. */
    "criterion-batches": { type: "string", default: "50" },
    /** (b) criterion shared by layer and filter pruning. */
    criterion: { type: "string", default: "taylor_weight" },
    /** (c) epochs with gates + L1 penalty, then post-export fine-tune epochs. */
    "gate-epochs": { type: "string", default: "4" },
    "gate-post-epochs": { type: "string", default: "1" },
    "gate-lr-mult": { type: "string", default: "10" },
    "gate-tau": { type: "string", default: "0.02" },
    lambdas: { type: "string", default: "1e-5,1e-4,3e-4,1e-3,3e-3,1e-2" },
    /** (d) prune iterations per phase, fraction of remaining weights per iteration. */
    "ee-iterations": { type: "string", default: "10" },
    "ee-fraction": { type: "string", default: "0.2" },
    "ee-exit-epochs": { type: "string", default: "2" },
    "ee-seeds": { type: "string", default: "1,2" },
    lr: { type: "string", default: "0.002" },
    /** Latency re-measurement: round-robin rounds, timed passes per shape per round, warm-up passes. */
    "lat-rounds": { type: "string", default: "7" },
    "lat-runs": { type: "string", default: "15" },
    "lat-warmup": { type: "string", default: "5" },
    /** Re-render bench/results/<out>.md (and, for methods-bcd, the merge) from its JSON without training. */
    "render-only": { type: "boolean", default: false },
    /**
     * Conv-net mode (see "CNN mode" above): models of part (b), e.g. resnet8,resnet14. Empty: the
     * MLP setting (deep-mlp, res-mlp, LeNet-300-100, the MLP early-exit net).
     */
    models: { type: "string", default: "" },
    /** CNN mode: seeds, each its own data split, pretraining and trials. */
    seeds: { type: "string", default: "" },
    /** Cap on training examples (0: the whole training split). */
    "max-train": { type: "string", default: "0" },
    /** Output name under bench/results/ (default methods-bcd, or methods-cnn-bcd in CNN mode). */
    out: { type: "string", default: "" },
    /** CNN mode (c): the gated model and the gate configurations (filter, block, filter+block). */
    "gate-model": { type: "string", default: "resnet14" },
    "gate-configs": { type: "string", default: "filter,block" },
    /** CNN mode (c): λ grid of block gates (filter gates use --lambdas). */
    "lambdas-block": { type: "string", default: "" },
    /** CNN mode (d): the early-exit model and its exit positions (after blocks). */
    "ee-model": { type: "string", default: "lenet5" },
    "ee-positions": { type: "string", default: "1,2" },
    /** CNN mode (b): largest k (blocks removed), clamped to the model's removable blocks. */
    "k-max": { type: "string", default: "4" },
    /** Directory of a file-backed pretrained store shared by processes (empty: in memory). */
    "pretrained-dir": { type: "string", default: "" },
    /** Combine partial result files (comma-separated JSON paths of CNN-mode runs) into --out. */
    combine: { type: "string", default: "" },
    /**
     * With --combine: time every pruned shape of parts (b) and (c) again in this process (run it
     * at normal priority on a quieter machine), all seeds of a model round-robin, and recompute
     * the latency findings from these times.
     */
    remeasure: { type: "boolean", default: false },
    ...CIFAR10_OPTION,
  },
});

const CNN = args.models.trim() !== "" || args.combine !== "";
const OUT = args.out || (CNN ? "methods-cnn-bcd" : "methods-bcd");
const SEEDS = (args.seeds || args.seed).split(",").map(Number);
const SEED = SEEDS[0];
const LR = Number(args.lr);
const MAX_TRAIN = Number(args["max-train"]);
for (const [k, v] of Object.entries({ seeds: SEEDS, "max-train": [MAX_TRAIN] })) {
  if (v.some((x) => !Number.isInteger(x) || x < 0)) throw new Error(`--${k}: non-negative integers expected, got ${args[k]}`);
}
/** The dataset (bench/methods/dataset.mjs), checked up front; --render-only reads the recorded documents instead. */
const DATA = args["render-only"] ? undefined : await benchDataset(args.cifar10);
const LAT = { rounds: Number(args["lat-rounds"]), runs: Number(args["lat-runs"]), warmup: Number(args["lat-warmup"]) };
const parts = new Set(args.parts.split(",").map((s) => s.trim()));

function baseTask(model, modelOptions, extra = {}) {
  return {
    dataset: DATA.dataset,
    split: DATA.split,
    model,
    modelOptions,
    exits: { positions: [], every: 0 },
    pretrain: { epochs: Number(args["pretrain-epochs"]), optimizer: "adam", learningRate: 0.002, batchSize: 64 },
    backend: args.backend,
    seed: SEED,
    maxTrainExamples: MAX_TRAIN,
    ...extra,
  };
}

const log = (s) => process.stdout.write(`${s}\n`);
const pct = (v, d = 1) => (v === undefined || v === null || Number.isNaN(v) ? "–" : (100 * v).toFixed(d));
const fmt = (v, d = 2) => (v === undefined || v === null || Number.isNaN(v) ? "–" : Number(v).toFixed(d));
const kmacs = (v) => (v === undefined || v === null ? "–" : `${(v / 1000).toFixed(1)}k`);
/** Mean and sample standard deviation (0 for one value) of the finite values. */
function stats(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x));
  if (v.length === 0) return { mean: Number.NaN, sd: Number.NaN, n: 0, min: Number.NaN, max: Number.NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd, n: v.length, min: Math.min(...v), max: Math.max(...v) };
}

/** "mean ± sd" of fractions in percent. */
const pms = (s, d = 1) => (s && s.n ? `${pct(s.mean, d)} ± ${pct(s.sd, d)}` : "–");
/** "mean ± sd" of plain numbers. */
const fms = (s, d = 2) => (s && s.n ? `${fmt(s.mean, d)} ± ${fmt(s.sd, d)}` : "–");

/** Budgets of part (d) as fractions of the unpruned net's full dense MACs (final exit). */
const D_BUDGETS = [0.1, 0.2, 0.3, 0.35, 0.4, 0.42, 0.44, 0.46, 0.48, 0.5, 0.6, 0.8, 1.0];

if (args["render-only"]) {
  const doc = JSON.parse(readFileSync(join(outDir, `${OUT}.json`), "utf8"));
  writeFileSync(join(outDir, `${OUT}.md`), CNN || doc.mode === "cnn" ? renderCnn(doc) : render(doc));
  log(`rendered ${join(outDir, `${OUT}.md`)} from ${OUT}.json`);
  if (OUT === "methods-bcd") await maybeMerge();
  process.exit(0);
}
if (args.combine) {
  // Comma-separated JSON files or directories of them (relative to bench/results/ or absolute).
  const files = args.combine
    .split(",")
    .filter(Boolean)
    .map((f) => (existsSync(f) ? f : join(outDir, f)))
    .flatMap((f) => (statSync(f).isDirectory() ? readdirSync(f).filter((n) => n.endsWith(".json")).sort().map((n) => join(f, n)) : [f]));
  const doc = combine(files);
  const recorded = doc.config.data?.label ?? DATA.label; // documents from before --cifar10: the digits
  if (recorded !== DATA.label) throw new Error(`--combine: the files were trained on ${recorded}, this run's dataset is ${DATA.label}: pass the runs' own --cifar10`);
  if (args.remeasure) await remeasureCombined(doc);
  writeResults(doc);
  process.exit(0);
}

let trialNo = 0;

/**
 * Pretrained weights in files, shared by several bench processes (one per part/seed) on this
 * machine so a model is pretrained once per seed: `<key>.json` (tensors base64), claimed with
 * an exclusive `<key>.lock`; a waiter polls for the file and produces the weights itself when
 * the claim is older than an hour (a dead producer).
 */
class FilePretrainedStore {
  constructor(dir) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  file(key) {
    return join(this.dir, `${key}.json`);
  }

  async get(key) {
    if (!existsSync(this.file(key))) return undefined;
    const j = JSON.parse(readFileSync(this.file(key), "utf8"));
    return {
      meta: j.meta,
      tensors: j.tensors.map((t) => {
        const b = Buffer.from(t.data, "base64");
        return { name: t.name, shape: t.shape, data: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) };
      }),
    };
  }

  async put(key, w) {
    const tensors = w.tensors.map((t) => ({ name: t.name, shape: t.shape, data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString("base64") }));
    writeFileSync(`${this.file(key)}.tmp`, JSON.stringify({ meta: w.meta, tensors }));
    renameSync(`${this.file(key)}.tmp`, this.file(key));
  }

  async getOrCreate(key, produce, opts = {}) {
    const lock = join(this.dir, `${key}.lock`);
    let waited = false;
    for (;;) {
      const hit = await this.get(key);
      if (hit) return { weights: hit, source: waited ? "waited" : "store" };
      try {
        closeSync(openSync(lock, "wx"));
        break;
      } catch {
        if (Date.now() - statSync(lock).mtimeMs > 3600_000) break;
        if (!waited) opts.log?.("pretrained weights are being produced by another process; waiting", { key });
        waited = true;
        await new Promise((r) => setTimeout(r, 5000));
      }
    }
    try {
      const w = await produce();
      await this.put(key, w);
      return { weights: w, source: "produced" };
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

const store = args["pretrained-dir"] ? new FilePretrainedStore(args["pretrained-dir"]) : new InMemoryPretrainedStore();

/** Runs one trial through the worker's runTrial; throws unless it completed. */
async function trial(label, task, params) {
  const t0 = performance.now();
  trialNo += 1;
  const epochs = [];
  const hooks = {
    signal: new AbortController().signal,
    progress: (step, phase, m) => {
      epochs.push({ step, phase, val_accuracy: m.val_accuracy });
      return Promise.resolve("continue");
    },
    log: (msg, f) => {
      if (msg === "pretrained weights ready" && f?.source !== "memory") log(`  pretrained ${task.model}: val ${pct(f?.val_accuracy)}% (${f?.ms} ms, ${f?.source})`);
    },
  };
  const out = await runTrial(
    { campaignId: "bench-methods-bcd", trialId: `s${trialNo}`, attempt: 1, params: { "finetune.learningRate": LR, "finetune.batchSize": 64, ...params }, task, budget: { maxSteps: 0, maxWallMs: 0 } },
    hooks,
    { pretrained: store },
  );
  if (out.kind !== "completed") throw new Error(`${label}: ${JSON.stringify(out)}`);
  const wallMs = Math.round(performance.now() - t0);
  const m = out.metrics;
  log(`  ${label}: acc ${pct(m.accuracy, 2)}%, dense MACs ${kmacs(m.dense_macs)}, params ${m.params}, lat b1 ${fmt(m.latency_ms_b1, 3)} / b64 ${fmt(m.latency_ms_b64, 2)} ms (${(wallMs / 1000).toFixed(1)} s)`);
  return { out, wallMs, epochs };
}

/** A fresh net of the task's model with the given blocks removed and unit groups shrunk to `units`. */
function rebuild(task, removedBlocks, units) {
  const net = buildModel(task.model, task.modelOptions, DATA.inputShape, DATA.numClasses, SEED, task.exits);
  for (const b of removedBlocks ?? []) net.removeBlock(b);
  for (const [id, n] of Object.entries(units ?? {})) {
    const g = net.unitGroups().find((u) => u.id === id);
    if (!g) throw new Error(`rebuild: no unit group ${id} in ${task.model}`);
    if (n < g.units) net.pruneUnits(id, Array.from({ length: n }, (_, i) => i));
  }
  return net;
}

/**
 * Re-measures the latency of several shapes, interleaved: every round warms each shape up and
 * times `runs` single passes of it, at batch 1 and 64, shape after shape, so contention from
 * other processes spreads over all shapes alike. Returns per shape and batch the median and the
 * 10th percentile (less sensitive to preemption) of all pooled passes.
 */
async function remeasure(shapes) {
  const nets = shapes.map((s) => s.build());
  const times = nets.map(() => ({ 1: [], 64: [] }));
  try {
    // An untimed round first: the first passes of fresh nets are several times slower (wasm
    // warm-up), which would otherwise penalise whichever shape is timed first.
    // (Conv nets: fewer such passes; a ResNet pass at batch 64 takes about a second on a busy machine.)
    const untimed = CNN ? { warmup: 3, runs: 2, minRuns: 2 } : { warmup: 10, runs: 10, minRuns: 10 };
    for (const b of [1, 64]) for (const net of nets) await measureLatency(net, b, untimed);
    for (let r = 0; r < LAT.rounds; r++) {
      for (const b of [1, 64]) {
        for (const [i, net] of nets.entries()) {
          await measureLatency(net, b, { warmup: LAT.warmup, runs: 1, minRuns: 1 });
          for (let j = 0; j < LAT.runs; j++) times[i][b].push((await measureLatency(net, b, { warmup: 0, runs: 1, minRuns: 1 })).medianMs);
        }
      }
    }
  } finally {
    for (const n of nets) n.dispose();
  }
  return times.map((t) => ({ b1: median(t[1]), b64: median(t[64]), b1P10: quantile(t[1], 0.1), b64P10: quantile(t[64], 0.1), passes: t[1].length }));
}

function quantile(a, p) {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor(p * (s.length - 1))))];
}

/**
 * 1 − the smallest parameter count the gates can reach: every gated block removed (with block or
 * layer gates on), every group that had unit gates when they were attached down to 1 unit.
 */
function compressionCeiling(task, gates) {
  const net = buildModel(task.model, task.modelOptions, DATA.inputShape, DATA.numClasses, SEED, task.exits);
  try {
    const before = net.paramCount();
    const gated = new Set(net.unitGroups().map((g) => g.id));
    if (gates.block || gates.layer) for (const b of net.removableBlocks()) net.removeBlock(b.name);
    for (const g of net.unitGroups()) if (gated.has(g.id) && g.units > 1) net.pruneUnits(g.id, [0]);
    return 1 - net.paramCount() / before;
  } finally {
    net.dispose();
  }
}

/** Dense MACs of a model with every unit group shrunk to `keep(units)`. */
function macsWithUnits(task, keep) {
  const net = buildModel(task.model, task.modelOptions, DATA.inputShape, DATA.numClasses, SEED, task.exits);
  try {
    for (const g of net.unitGroups()) {
      const n = keep(g.units);
      if (n < g.units) net.pruneUnits(g.id, Array.from({ length: n }, (_, i) => i));
    }
    return net.denseMacs();
  } finally {
    net.dispose();
  }
}

/** The same per-layer fraction layerprune.ts applies: keep units − floor(f·units). */
const keepOf = (f) => (units) => Math.max(1, units - Math.floor(f * units));

/** Filter fraction whose dense MACs are closest to `target` (fractions r/width). */
function matchingFraction(task, target, width) {
  let best = { f: 0, macs: Infinity, err: Infinity };
  // MACs fall monotonically with r: binary search, then check neighbours.
  let lo = 0;
  let hi = width - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (macsWithUnits(task, keepOf(mid / width)) > target) lo = mid;
    else hi = mid;
  }
  for (const r of [lo, hi]) {
    const macs = macsWithUnits(task, keepOf(r / width));
    if (Math.abs(macs - target) < best.err) best = { f: r / width, macs, err: Math.abs(macs - target) };
  }
  return best;
}

const started = performance.now();
const backend = await selectBackend(args.backend);
log(`backend ${backend.backend} (${backend.package}), ${cpus().length} CPUs, load ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
const doc = {
  benchmark: "methods-bcd: structured pruning (LayerPrune vs filter, gates, early-exit orders)",
  date: new Date().toISOString(),
  config: {
    seed: SEED,
    backend: backend.backend,
    backendPackage: backend.package,
    threads: backend.backend === "wasm" ? 1 : undefined,
    cpus: cpus().length,
    loadavgAtStart: loadavg(),
    data: { dataset: DATA.dataset, label: DATA.label, counts: DATA.counts, inputShape: DATA.inputShape },
    node: process.version,
    lr: LR,
    pretrainEpochs: Number(args["pretrain-epochs"]),
    latency: { ...LAT, note: "round-robin re-measurement of rebuilt shapes; median of all timed passes" },
  },
  parts: {},
};

// ---------------------------------------------------------------- (b) LayerPrune vs filter pruning
/** The training scale of a part (recorded with it: CNN-mode parts may run at different scales). */
function scale() {
  return { maxTrainExamples: MAX_TRAIN, pretrainEpochs: Number(args["pretrain-epochs"]) };
}

/** The MLP setting of part (b). */
const MLP_B_MODELS = [
  { label: "deep-mlp 784-256x6-10", model: "deep-mlp", options: { width: 256, depth: 6 }, width: 256, unit: "layer", kMax: 4 },
  { label: "res-mlp 128, 6 blocks", model: "res-mlp", options: { width: 128, blocks: 6 }, width: 128, unit: "block", kMax: 4 },
];

/** Part (b) on `models` with one seed. */
async function runPartB(models, seed) {
  log(`(b) layer vs filter pruning, seed ${seed}`);
  const tB = performance.now();
  const ftEpochs = Number(args["ft-epochs"]);
  const crit = args.criterion;
  const common = { method: "layerprune", "layerprune.criterion": crit, "layerprune.criterionBatches": Number(args["criterion-batches"]), "layerprune.lrDrop": true, "finetune.epochs": ftEpochs };
  const partB = { ...scale(), criterion: crit, finetuneEpochs: ftEpochs, criterionBatches: common["layerprune.criterionBatches"], models: [] };
  for (const M of models) {
    const task = baseTask(M.model, M.options, { seed });
    const rows = [];
    const push = (kind, k, r, extra = {}) => {
      const d = r.out.details.layerprune;
      rows.push({
        kind,
        k,
        ...extra,
        accuracy: r.out.metrics.accuracy,
        val_accuracy: r.out.metrics.val_accuracy,
        params: r.out.metrics.params,
        dense_macs: r.out.metrics.dense_macs,
        macs_reduction: 1 - r.out.metrics.dense_macs / r.out.metrics.dense_macs_before,
        latency_ms_b1_trial: r.out.metrics.latency_ms_b1,
        latency_ms_b64_trial: r.out.metrics.latency_ms_b64,
        removed: d.removed ?? [],
        units: d.after.units,
        layers: d.after.layers,
        pretrain_val_accuracy: r.out.metrics.pretrain_val_accuracy,
        wallMs: r.wallMs,
      });
    };
    // k = 0: the same criterion pass and fine-tuning, nothing removed (a filter fraction below 1/width).
    push("dense", 0, await trial(`${M.model} dense (k=0)`, task, { ...common, "layerprune.unit": "filter", "layerprune.filterFraction": 1e-6 }));
    const base = rows[0].dense_macs;
    for (let k = 1; k <= M.kMax; k++) {
      push("layer", k, await trial(`${M.model} ${M.unit} k=${k}`, task, { ...common, "layerprune.unit": M.unit, "layerprune.k": k }));
    }
    for (let k = 1; k <= M.kMax; k++) {
      const target = rows.find((r) => r.kind === "layer" && r.k === k).dense_macs;
      const m = matchingFraction(task, target, M.width);
      push("filter", k, await trial(`${M.model} filter f=${m.f.toFixed(3)} (≈k=${k})`, task, { ...common, "layerprune.unit": "filter", "layerprune.filterFraction": m.f, "layerprune.filterScope": "layer" }), {
        filterFraction: m.f,
        targetMacs: target,
      });
    }
    log(`  re-measuring latency of ${rows.length} shapes (${LAT.rounds} rounds x ${LAT.runs} passes)…`);
    const lat = await remeasure(rows.map((r) => ({ build: () => rebuild(task, r.removed, r.units) })));
    rows.forEach((r, i) => {
      r.latency_ms_b1 = lat[i].b1;
      r.latency_ms_b64 = lat[i].b64;
      r.latency_p10 = { b1: lat[i].b1P10, b64: lat[i].b64P10 };
      r.latency_passes = lat[i].passes;
    });
    const dense = rows[0];
    for (const r of rows) {
      r.latency_reduction_b1 = 1 - r.latency_ms_b1 / dense.latency_ms_b1;
      r.latency_reduction_b64 = 1 - r.latency_ms_b64 / dense.latency_ms_b64;
      r.latency_reduction_p10 = { b1: 1 - r.latency_p10.b1 / dense.latency_p10.b1, b64: 1 - r.latency_p10.b64 / dense.latency_p10.b64 };
      r.accuracy_delta = r.accuracy - dense.accuracy;
    }
    partB.models.push({ label: M.label, model: M.model, options: M.options, unit: M.unit, baseMacs: base, pretrainValAccuracy: rows[0].pretrain_val_accuracy, rows, finding: findingB(rows) });
  }
  partB.finding = summariseB(partB.models);
  partB.wallMs = Math.round(performance.now() - tB);
  log(`  (b) ${(partB.wallMs / 1000).toFixed(0)} s: ${partB.finding.verdict}`);
  return partB;
}

/** Per-model comparison of layer vs filter pruning at matched k. */
function findingB(rows) {
  const pairs = [];
  for (let k = 1; k <= 4; k++) {
    const L = rows.find((r) => r.kind === "layer" && r.k === k);
    const F = rows.find((r) => r.kind === "filter" && r.k === k);
    if (!L || !F) continue;
    pairs.push({
      k,
      macsLayer: L.dense_macs,
      macsFilter: F.dense_macs,
      latReductionLayer: { b1: L.latency_reduction_b1, b64: L.latency_reduction_b64 },
      latReductionFilter: { b1: F.latency_reduction_b1, b64: F.latency_reduction_b64 },
      accLayer: L.accuracy,
      accFilter: F.accuracy,
      layerFasterB1: L.latency_ms_b1 < F.latency_ms_b1,
      layerFasterB64: L.latency_ms_b64 < F.latency_ms_b64,
      layerFasterP10: { b1: L.latency_p10.b1 < F.latency_p10.b1, b64: L.latency_p10.b64 < F.latency_p10.b64 },
      accGap: L.accuracy - F.accuracy,
    });
  }
  return {
    pairs,
    layerFasterB1: pairs.filter((p) => p.layerFasterB1).length,
    layerFasterB64: pairs.filter((p) => p.layerFasterB64).length,
    layerFasterP10: { b1: pairs.filter((p) => p.layerFasterP10.b1).length, b64: pairs.filter((p) => p.layerFasterP10.b64).length },
    n: pairs.length,
    meanAccGap: pairs.reduce((a, p) => a + p.accGap, 0) / Math.max(1, pairs.length),
  };
}

function summariseB(models) {
  const all = models.flatMap((m) => m.finding.pairs);
  const n = all.length;
  const fB1 = all.filter((p) => p.layerFasterB1).length;
  const fB64 = all.filter((p) => p.layerFasterB64).length;
  const p10B1 = all.filter((p) => p.layerFasterP10.b1).length;
  const p10B64 = all.filter((p) => p.layerFasterP10.b64).length;
  const meanGap = all.reduce((a, p) => a + p.accGap, 0) / Math.max(1, n);
  const minGap = Math.min(...all.map((p) => p.accGap));
  // "Similar accuracy": layer pruning on average within 1 point of filter pruning (one test run
  // of 2,000 digits has a standard error of about 0.5 pt).
  const similarAcc = meanGap >= -0.01;
  const mean = (f) => all.reduce((a, p) => a + f(p), 0) / Math.max(1, n);
  const redL1 = mean((p) => p.latReductionLayer.b1);
  const redF1 = mean((p) => p.latReductionFilter.b1);
  const redL64 = mean((p) => p.latReductionLayer.b64);
  const redF64 = mean((p) => p.latReductionFilter.b64);
  const reproducedB1 = fB1 === n && similarAcc;
  const reproducedB64 = fB64 > n / 2 && similarAcc;
  const nums =
    `median latency: layer faster than filter at matched MACs in ${fB1}/${n} pairs at batch 1 (mean reduction vs k=0: layer ${pct(redL1)}% vs filter ${pct(redF1)}%) ` +
    `and ${fB64}/${n} at batch 64 (layer ${pct(redL64)}% vs filter ${pct(redF64)}%); 10th-percentile latency agrees at ${p10B1}/${n} and ${p10B64}/${n}; ` +
    `accuracy layer − filter: mean ${meanGap >= 0 ? "+" : ""}${pct(meanGap, 2)} pt, worst ${pct(minGap, 2)} pt`;
  const verdict =
    reproducedB1 && reproducedB64
      ? `reproduced at batch 1 and 64: ${nums}`
      : reproducedB1
        ? `reproduced at batch 1 only (at batch 64 the cost follows the MACs, which are matched): ${nums}`
        : `not reproduced${similarAcc ? "" : " (layer pruning loses more than 1 pt on average)"}: ${nums}`;
  return {
    pairs: n,
    layerFasterB1: fB1,
    layerFasterB64: fB64,
    layerFasterP10: { b1: p10B1, b64: p10B64 },
    meanLatencyReduction: { layer: { b1: redL1, b64: redL64 }, filter: { b1: redF1, b64: redF64 } },
    meanAccGap: meanGap,
    worstAccGap: minGap,
    similarAccuracy: similarAcc,
    reproducedB1,
    reproducedB64,
    reproduced: reproducedB1,
    verdict,
  };
}

// ---------------------------------------------------------------- (c) gates over λ
/** The MLP setting of part (c). */
const MLP_C_MODELS = [
  { label: "LeNet-300-100, neuron gates", model: "lenet-300-100", options: {}, gates: { neuron: true, filter: false, layer: false, block: false }, lambdaKeys: ["lambdaNeuron"] },
  { label: "res-mlp 128 x 4 blocks, block + neuron gates", model: "res-mlp", options: { width: 128, blocks: 4 }, gates: { neuron: true, filter: false, layer: false, block: true }, lambdaKeys: ["lambdaNeuron", "lambdaBlock"] },
];

/** Part (c) on `models` with one seed (a model's own `lambdas` override --lambdas). */
async function runPartC(models, seed) {
  log(`(c) gates: compression vs accuracy over λ, seed ${seed}`);
  const tC = performance.now();
  const defaultLambdas = [0, ...args.lambdas.split(",").map(Number)];
  const gateEpochs = Number(args["gate-epochs"]);
  const post = Number(args["gate-post-epochs"]);
  const common = {
    method: "gates",
    "gates.epochs": gateEpochs,
    "gates.postExportEpochs": post,
    "gates.gateLrMult": Number(args["gate-lr-mult"]),
    "gates.tau": Number(args["gate-tau"]),
    "gates.regularizer": "l1",
    "gates.pruneInterval": "epoch",
  };
  const partC = { ...scale(), gateEpochs, postExportEpochs: post, settings: common, models: [] };
  for (const M of models) {
    const task = baseTask(M.model, M.options, { seed });
    const lambdas = M.lambdas ?? defaultLambdas;
    // The pretrained dense net as it is (no gates, no further training): a second accuracy reference.
    const ref = await trial(`${M.model} dense pretrained`, task, { method: "magnitude", "magnitude.sparsity": 0, "finetune.epochs": 0 });
    const rows = [];
    for (const lambda of lambdas) {
      const params = { ...common, ...Object.fromEntries(Object.entries(M.gates).map(([g, on]) => [`gates.${g}`, on])) };
      for (const key of ["lambdaNeuron", "lambdaFilter", "lambdaLayer", "lambdaBlock"]) params[`gates.${key}`] = M.lambdaKeys.includes(key) ? lambda : 0;
      const r = await trial(`${M.model} λ=${lambda}`, task, params);
      const d = r.out.details.gates;
      rows.push({
        lambda,
        accuracy: r.out.metrics.accuracy,
        val_accuracy: r.out.metrics.val_accuracy,
        compression: r.out.metrics.compression,
        params: r.out.metrics.params,
        params_before: r.out.metrics.params_before,
        dense_macs: r.out.metrics.dense_macs,
        macs_reduction: 1 - r.out.metrics.dense_macs / r.out.metrics.dense_macs_before,
        gates_total: r.out.metrics.gates_total,
        gates_zeroed: r.out.metrics.gates_zeroed,
        removed_layers: r.out.metrics.removed_layers,
        removed_units: r.out.metrics.removed_units,
        removedBlocks: d.removedBlocks ?? [],
        units: d.after.units,
        latency_ms_b1_trial: r.out.metrics.latency_ms_b1,
        latency_ms_b64_trial: r.out.metrics.latency_ms_b64,
        pretrain_val_accuracy: r.out.metrics.pretrain_val_accuracy,
        wallMs: r.wallMs,
      });
    }
    log(`  re-measuring latency of ${rows.length} shapes…`);
    const lat = await remeasure(rows.map((r) => ({ build: () => rebuild(task, r.removedBlocks, r.units) })));
    rows.forEach((r, i) => {
      r.latency_ms_b1 = lat[i].b1;
      r.latency_ms_b64 = lat[i].b64;
    });
    const ceiling = compressionCeiling(task, M.gates);
    const denseAccuracy = ref.out.metrics.accuracy;
    const reference = Math.max(rows[0].accuracy, denseAccuracy);
    for (const r of rows) r.accuracy_delta = r.accuracy - reference;
    partC.models.push({ label: M.label, model: M.model, options: M.options, gates: M.gates, ceiling, pretrainValAccuracy: rows[0].pretrain_val_accuracy, denseAccuracy, rows, finding: findingC(rows, ceiling, denseAccuracy) });
  }
  partC.finding = summariseC(partC.models);
  partC.wallMs = Math.round(performance.now() - tC);
  log(`  (c) ${(partC.wallMs / 1000).toFixed(0)} s: ${partC.finding.verdict}`);
  return partC;
}

/**
 * Best compression with ≤ 1 pt (and ≤ 0.5 pt) accuracy loss against the reference: the better of
 * the λ = 0 run and the dense pretrained net (a single run is noisy; taking the better one never
 * flatters the gates).
 */
function findingC(rows, ceiling, denseAccuracy) {
  const reference = Math.max(rows[0].accuracy, denseAccuracy ?? 0);
  const pick = (tol) => rows.filter((r) => r.lambda > 0 && r.accuracy >= reference - tol - 1e-9).sort((a, b) => b.compression - a.compression)[0];
  const at1 = pick(0.01);
  const at05 = pick(0.005);
  const sorted = [...rows].filter((r) => r.lambda > 0).sort((a, b) => a.compression - b.compression);
  return {
    baselineAccuracy: rows[0].accuracy,
    denseAccuracy,
    referenceAccuracy: reference,
    ceiling,
    canReach70: ceiling >= 0.7,
    maxCompression: Math.max(...rows.map((r) => r.compression)),
    atMaxCompression: sorted.length ? { lambda: sorted.at(-1).lambda, compression: sorted.at(-1).compression, accuracy: sorted.at(-1).accuracy } : null,
    bestWithin1pt: at1 ? { lambda: at1.lambda, compression: at1.compression, accuracy: at1.accuracy } : null,
    bestWithin05pt: at05 ? { lambda: at05.lambda, compression: at05.compression, accuracy: at05.accuracy } : null,
    reaches70Within1pt: !!at1 && at1.compression >= 0.7,
    reaches70Within05pt: !!at05 && at05.compression >= 0.7,
  };
}

function summariseC(models) {
  const eligible = models.filter((m) => m.finding.canReach70);
  const ok1 = eligible.filter((m) => m.finding.reaches70Within1pt).length;
  const ok05 = eligible.filter((m) => m.finding.reaches70Within05pt).length;
  const desc = models
    .map((m) => {
      const f = m.finding;
      const b = f.bestWithin1pt;
      const head = `${m.model} (reference ${pct(f.referenceAccuracy, 2)}% = max of λ=0 ${pct(f.baselineAccuracy, 2)}% and dense pretrained ${pct(f.denseAccuracy, 2)}%${f.canReach70 ? "" : `; structural ceiling ${pct(f.ceiling)}%, so 70 % is out of reach by construction`})`;
      const best = b ? `best within 1 pt ${pct(b.compression)}% at λ=${b.lambda} (${pct(b.accuracy, 2)}%)` : "no λ within 1 pt";
      const mx = f.atMaxCompression
        ? `; most compressed ${pct(f.atMaxCompression.compression)}% at λ=${f.atMaxCompression.lambda} (${pct(f.atMaxCompression.accuracy, 2)}%${f.canReach70 ? "" : `, ${pct(f.atMaxCompression.compression / f.ceiling, 0)}% of the ceiling`})`
        : "";
      return `${head}: ${best}${mx}`;
    })
    .join("; ");
  const reproduced = eligible.length > 0 && ok1 === eligible.length;
  const verdict = reproduced
    ? `reproduced: ≥70% compression within 1 pt of the reference on ${ok1}/${eligible.length} model(s) that can reach it (within 0.5 pt on ${ok05}/${eligible.length}) — ${desc}`
    : ok1 > 0
      ? `partly reproduced: ≥70% compression within 1 pt on ${ok1}/${eligible.length} eligible models — ${desc}`
      : `not reproduced: no λ reaches 70% compression within 1 pt — ${desc}`;
  return { eligibleModels: eligible.length, modelsReaching70Within1pt: ok1, modelsReaching70Within05pt: ok05, models: models.length, reproduced, verdict };
}

// ---------------------------------------------------------------- (d) early-exit orders
const TAU_GRID = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0];
const EXIT_OPTIONS = { exitLossWeights: "uniform", exitRule: { criterion: "max-softmax", maxAccuracyDrop: 0.01 }, tauGrid: TAU_GRID };
/** The MLP setting of part (d). */
const MLP_D = { model: "mlp", options: { hidden: [64, 256, 128], ...EXIT_OPTIONS }, exits: { positions: [], every: 1 } };

/** Part (d): `spec` = {model, options, exits}, one run set per seed. */
async function runPartD(spec, seeds) {
  log(`(d) early-exit: simultaneous vs ordered, ${spec.model}, seeds ${seeds.join(",")}`);
  const tD = performance.now();
  const iterations = Number(args["ee-iterations"]);
  const fraction = Number(args["ee-fraction"]);
  const options = spec.options;
  const common = { method: "early-exit", "early-exit.iterations": iterations, "early-exit.fraction": fraction, "early-exit.scope": "global", "early-exit.epochsPerIteration": 1, "early-exit.exitEpochs": Number(args["ee-exit-epochs"]) };
  const runs = [
    { label: "unpruned (joint training only)", params: { ...common, "early-exit.approach": "simultaneous", "early-exit.iterations": 1, "early-exit.fraction": 1e-9, "early-exit.epochsPerIteration": 0 } },
    { label: "simultaneous (Approach 1)", params: { ...common, "early-exit.approach": "simultaneous" } },
    { label: "ordered (Approach 2)", params: { ...common, "early-exit.approach": "ordered" } },
  ];
  const partD = { ...scale(), model: spec.model, options, exits: spec.exits, iterations, fraction, targetSparsity: 1 - Math.pow(1 - fraction, iterations), exitEpochs: common["early-exit.exitEpochs"], seeds: [] };
  for (const seed of seeds) {
    const task = baseTask(spec.model, options, { exits: spec.exits, seed });
    const seedRuns = [];
    for (const run of runs) {
      const r = await trial(`early-exit seed ${seed} ${run.label}`, task, run.params);
      const m = r.out.metrics;
      const exits = r.out.details.exits.map((e) => ({ name: e.name ?? e.exit, accuracy: e.accuracy, denseMacs: e.denseMacs, effectiveMacs: e.effectiveMacs }));
      seedRuns.push({
        label: run.label,
        approach: run.params["early-exit.approach"],
        pruned: run.params["early-exit.fraction"] > 1e-6,
        sparsity: m.sparsity,
        accuracy_final: m.accuracy,
        ee_accuracy: m.ee_accuracy,
        ee_tau: m.ee_tau,
        expected_macs: m.expected_macs,
        expected_dense_macs: m.expected_dense_macs,
        effective_macs: m.effective_macs,
        dense_macs: m.dense_macs,
        exitAccuracy: Object.keys(m).filter((k) => k.startsWith("accuracy_exit_")).sort().map((k) => m[k]),
        exits,
        exitSparsities: layerSparsityOfExits(r.out.details),
        curve: r.out.details.exitCurve.test.map((p) => ({ tau: p.tau, accuracy: p.accuracy, expectedMacs: p.expectedMacs, expectedDenseMacs: p.expectedDenseMacs, exitFractions: p.exitFractions })),
        wallMs: r.wallMs,
      });
    }
    partD.seeds.push({ seed, runs: seedRuns, finding: findingD(seedRuns) });
  }
  partD.finding = summariseD(partD.seeds);
  partD.wallMs = Math.round(performance.now() - tD);
  log(`  (d) ${(partD.wallMs / 1000).toFixed(0)} s: ${partD.finding.verdict}`);
  return partD;
}

function layerSparsityOfExits(details) {
  const ls = details.layerSparsity ?? {};
  const entries = Array.isArray(ls) ? ls.map((e) => [e.name ?? e.layer ?? e.param, e.sparsity]) : Object.entries(ls);
  return Object.fromEntries(entries.filter(([k]) => /exit|out/.test(String(k))).map(([k, v]) => [k, typeof v === "number" ? v : (v?.sparsity ?? v)]));
}

/** Best accuracy reachable at expected cost ≤ c on a curve (upper step envelope). */
function accAtCost(curve, c, key) {
  let best = Number.NaN;
  for (const p of curve) if (p[key] <= c + 1e-9 && !(p.accuracy <= best)) best = p.accuracy;
  return best;
}

function findingD(runs) {
  const sim = runs.find((r) => r.approach === "simultaneous" && r.pruned);
  const ord = runs.find((r) => r.approach === "ordered");
  if (!sim || !ord) return { verdict: "not run" };
  const out = {};
  for (const key of ["expectedMacs", "expectedDenseMacs"]) {
    // Budgets: 7 evenly spaced costs over the low-cost part both curves reach, i.e. from the
    // larger of the two cheapest points to the middle of the joint cost range (at least 1 point).
    const minOf = (r) => Math.min(...r.curve.map((p) => p[key]));
    const costs = [...sim.curve, ...ord.curve].map((p) => p[key]);
    const lo = Math.max(minOf(sim), minOf(ord));
    const hi = Math.max(lo, Math.min(...costs) + 0.5 * (Math.max(...costs) - Math.min(...costs)));
    // (Distinct budgets only: when the curves' cheap ends leave no range, one budget remains.)
    const budgets = [...new Set(Array.from({ length: 7 }, (_, i) => lo + ((hi - lo) * i) / 6))];
    const cmp = budgets.map((c) => ({ cost: c, simultaneous: accAtCost(sim.curve, c, key), ordered: accAtCost(ord.curve, c, key) }));
    const simAtLeast = cmp.filter((x) => x.simultaneous >= x.ordered - 0.0025).length;
    out[key] = { lowCostBudgets: cmp, simAtLeastAsGood: simAtLeast, n: cmp.length, from: lo, upTo: hi };
  }
  const cheap = (r) => r.curve.reduce((a, p) => (p.expectedMacs < a.expectedMacs || (p.expectedMacs === a.expectedMacs && p.accuracy > a.accuracy) ? p : a));
  return {
    ...out,
    sparsity: { simultaneous: sim.sparsity, ordered: ord.sparsity },
    cheapest: { simultaneous: cheap(sim), ordered: cheap(ord) },
    exitAccuracy: { simultaneous: sim.exitAccuracy, ordered: ord.exitAccuracy },
    earlyExitsSimBetter: sim.exitAccuracy.slice(0, -1).map((a, k) => a >= ord.exitAccuracy[k]),
    finalExitOrderedBetter: ord.accuracy_final > sim.accuracy_final,
  };
}

function summariseD(seeds) {
  const fs = seeds.map((s) => s.finding).filter((f) => f.expectedMacs);
  const won = fs.reduce((a, f) => a + f.expectedMacs.simAtLeastAsGood, 0);
  const n = fs.reduce((a, f) => a + f.expectedMacs.n, 0);
  const wonDense = fs.reduce((a, f) => a + f.expectedDenseMacs.simAtLeastAsGood, 0);
  const nDense = fs.reduce((a, f) => a + f.expectedDenseMacs.n, 0);
  const early = fs.flatMap((f) => f.earlyExitsSimBetter);
  const finalOrd = fs.filter((f) => f.finalExitOrderedBetter).length;
  const reproduced = n > 0 && won === n;
  const label = reproduced ? "reproduced" : won >= n / 2 ? "partly reproduced" : "not reproduced";
  const perSeed = seeds
    .map((s) => {
      const f = s.finding;
      const c = f.cheapest;
      return (
        `seed ${s.seed}: ${f.expectedMacs.simAtLeastAsGood}/${f.expectedMacs.n} budgets (${kmacs(f.expectedMacs.from)}–${kmacs(f.expectedMacs.upTo)}); ` +
        `cheapest points simultaneous ${pct(c.simultaneous.accuracy, 2)}% @ ${kmacs(c.simultaneous.expectedMacs)}, ordered ${pct(c.ordered.accuracy, 2)}% @ ${kmacs(c.ordered.expectedMacs)}; ` +
        `exit accuracies sim ${f.exitAccuracy.simultaneous.map((a) => pct(a, 1)).join("/")} vs ord ${f.exitAccuracy.ordered.map((a) => pct(a, 1)).join("/")}`
      );
    })
    .join("; ");
  const sp = fs[0]?.sparsity;
  const verdict =
    `${label}: at the same final sparsity (${sp ? `${pct(sp.simultaneous)}% vs ${pct(sp.ordered)}%` : "–"}), simultaneous is at least as accurate as ordered (−0.25 pt tolerance) ` +
    `at ${won}/${n} low-cost budgets of effective expected MACs (${wonDense}/${nDense} with dense expected MACs) over ${seeds.length} seed(s); ` +
    `its early exits are at least as accurate in ${early.filter(Boolean).length}/${early.length} cases; ordered has the better final exit in ${finalOrd}/${fs.length} seed(s) — ${perSeed}`;
  return { budgetsWon: won, budgets: n, budgetsWonDense: wonDense, budgetsDense: nDense, earlyExitsSimAtLeast: early.filter(Boolean).length, earlyExits: early.length, finalExitOrderedBetter: finalOrd, reproduced, verdict };
}

if (!CNN) {
  if (parts.has("b")) doc.parts.b = await runPartB(MLP_B_MODELS, SEED);
  if (parts.has("c")) doc.parts.c = await runPartC(MLP_C_MODELS, SEED);
  if (parts.has("d")) doc.parts.d = await runPartD(MLP_D, args["ee-seeds"].split(",").map(Number));
  doc.wallMs = Math.round(performance.now() - started);
  doc.config.loadavgAtEnd = loadavg();
  mkdirSync(outDir, { recursive: true });
  // Keep parts of an earlier run that this run did not redo.
  if (existsSync(join(outDir, `${OUT}.json`)) && parts.size < 3) {
    try {
      const old = JSON.parse(readFileSync(join(outDir, `${OUT}.json`), "utf8"));
      for (const [k, v] of Object.entries(old.parts ?? {})) if (!doc.parts[k]) doc.parts[k] = { ...v, fromEarlierRun: old.date };
    } catch {
      /* ignore a broken earlier file */
    }
  }
  writeFileSync(join(outDir, `${OUT}.json`), JSON.stringify(doc, null, 2) + "\n");
  const md = render(doc);
  writeFileSync(join(outDir, `${OUT}.md`), md);
  log(`\n${md}\nwrote ${join(outDir, `${OUT}.json`)} and ${OUT}.md (${(doc.wallMs / 1000).toFixed(0)} s)`);
  if (OUT === "methods-bcd") await maybeMerge();
} else {
  // CNN mode: every part runs seed after seed; the results are written after each seed, so an
  // interrupted run keeps the seeds it finished.
  doc.mode = "cnn";
  doc.config.maxTrainExamples = MAX_TRAIN;
  doc.config.seeds = SEEDS;
  doc.config.args = args;
  const bModels = cnnBModels();
  const cModels = cnnCModels();
  const dSpec = cnnDSpec();
  for (const seed of SEEDS) {
    if (parts.has("b") && bModels.length) (doc.parts.b ??= { seeds: [] }).seeds.push({ seed, ...(await runPartB(bModels, seed)) });
    if (parts.has("c")) (doc.parts.c ??= { seeds: [] }).seeds.push({ seed, ...(await runPartC(cModels, seed)) });
    if (parts.has("d")) {
      const d = await runPartD(dSpec, [seed]);
      const prev = doc.parts.d?.seeds ?? [];
      doc.parts.d = { ...d, seeds: [...prev, ...d.seeds] };
    }
    doc.wallMs = Math.round(performance.now() - started);
    doc.config.loadavgAtEnd = loadavg();
    writeResults(doc);
  }
}

/** Model specs of part (b) in CNN mode: every --models entry that has removable blocks. */
function cnnBModels() {
  const out = [];
  for (const model of args.models.split(",").map((x) => x.trim()).filter(Boolean)) {
    const net = buildModel(model, {}, DATA.inputShape, DATA.numClasses, SEED, { positions: [], every: 0 });
    try {
      const removable = net.removableBlocks().length;
      const width = Math.max(...net.unitGroups().map((g) => g.units));
      if (removable === 0) {
        log(`(b) ${model}: no removable block, skipped (LayerPrune needs shape-preserving blocks)`);
        continue;
      }
      out.push({ label: `${model} (${net.removableBlocks().map((b) => b.name).join(", ")} removable)`, model, options: {}, width, unit: "block", kMax: Math.min(Number(args["k-max"]), removable) });
    } finally {
      net.dispose();
    }
  }
  return out;
}

/** Gate configurations of part (c) in CNN mode. */
function cnnCModels() {
  const model = args["gate-model"];
  const off = { neuron: false, filter: false, layer: false, block: false };
  const lf = [0, ...args.lambdas.split(",").map(Number)];
  const lb = args["lambdas-block"] ? [0, ...args["lambdas-block"].split(",").map(Number)] : lf;
  const known = {
    filter: { label: `${model}, filter gates`, gates: { ...off, filter: true }, lambdaKeys: ["lambdaFilter"], lambdas: lf },
    block: { label: `${model}, block gates`, gates: { ...off, block: true }, lambdaKeys: ["lambdaBlock"], lambdas: lb },
    "filter+block": { label: `${model}, filter + block gates (same λ)`, gates: { ...off, filter: true, block: true }, lambdaKeys: ["lambdaFilter", "lambdaBlock"], lambdas: lf },
  };
  return args["gate-configs"].split(",").map((c) => {
    const k = known[c.trim()];
    if (!k) throw new Error(`--gate-configs: unknown "${c}"; valid: ${Object.keys(known).join(", ")}`);
    return { ...k, model, options: {}, config: c.trim() };
  });
}

/** The early-exit net of part (d) in CNN mode. */
function cnnDSpec() {
  const positions = args["ee-positions"].split(",").map(Number);
  return { model: args["ee-model"], options: { ...EXIT_OPTIONS }, exits: { positions, every: 0 } };
}

async function maybeMerge() {
  if (!existsSync(join(outDir, "methods-a.json"))) {
    log("methods-a.json not found: skipping the merge (run node bench/methods/merge.mjs later)");
    return;
  }
  const { merge } = await import(pathToFileURL(join(here, "merge.mjs")).href);
  merge();
}

// ---------------------------------------------------------------- markdown
function render(doc) {
  const c = doc.config;
  const L = [
    `# Methods (b)-(d): structured pruning on MNIST`,
    ``,
    `${c.data?.label ?? "Built-in MNIST digits (7,000 train / 1,000 validation / 2,000 test)"}; accuracies are **test** accuracy, seed ${c.seed}${doc.parts.d ? ` (part d: seeds ${doc.parts.d.seeds.map((x) => x.seed).join(", ")})` : ""}, ` +
      `dense pretraining ${c.pretrainEpochs} epochs (Adam 0.002, batch 64), once per model (InMemoryPretrainedStore). ` +
      `Backend **${c.backend}** (${c.backendPackage}${c.backend === "wasm" ? ", SIMD, single-threaded in Node" : ""}), ${c.cpus} CPUs shared with other jobs ` +
      `(load average ${c.loadavgAtStart.map((x) => x.toFixed(1)).join("/")} at start, ${(c.loadavgAtEnd ?? []).map((x) => x.toFixed(1)).join("/")} at end), Node ${c.node}. ` +
      `Total ${(doc.wallMs / 60000).toFixed(1)} min. Produced by \`node bench/methods/structured.mjs\`.`,
    ``,
  ];
  const b = doc.parts.b;
  if (b) {
    L.push(
      `## (b) LayerPrune vs filter pruning (docs/methods.md §2)`,
      ``,
      `Criterion \`${b.criterion}\` (${b.criterionBatches} mini-batches) for both: a layer's/block's score is the mean of its units' scores and the k lowest are replaced by identities; ` +
        `filter pruning removes the lowest-scoring fraction f of every prunable neuron group, with f chosen so the dense MACs match the k-layer net. ` +
        `Both fine-tune ${b.finetuneEpochs} epochs (Adam ${c.lr}, second half ×0.1). k = 0: the same pass and fine-tuning with nothing removed. ` +
        `Latency: median ms per forward pass, re-measured on the rebuilt shapes round-robin (${c.latency.rounds} rounds × ${c.latency.runs} passes after ${c.latency.warmup} warm-up per round, median of all pooled passes; ` +
        `the trial's own \`latency_ms_b*\` in parentheses; p10 = 10th percentile of the same passes, less sensitive to preemption). Δlat = median reduction vs k = 0.`,
      ``,
    );
    for (const m of b.models) {
      L.push(`### ${m.label}`, ``, `| pruning | k / f | MACs | MACs red. | params | test acc. % | Δacc pt | lat b1 ms | Δlat b1 | lat b64 ms | Δlat b64 | p10 b1 / b64 ms |`, `|---|---|---|---|---|---|---|---|---|---|---|---|`);
      for (const r of m.rows) {
        const what = r.kind === "dense" ? "none (k=0)" : r.kind === "layer" ? `${m.unit} removal` : "filter (neurons)";
        const kf = r.kind === "filter" ? `f=${r.filterFraction.toFixed(3)} (≈k=${r.k})` : `k=${r.k}`;
        L.push(
          `| ${what} | ${kf} | ${kmacs(r.dense_macs)} | ${pct(r.macs_reduction)}% | ${r.params} | ${pct(r.accuracy, 2)} | ${r.kind === "dense" ? "–" : (100 * r.accuracy_delta).toFixed(2)} | ` +
            `${fmt(r.latency_ms_b1, 3)} (${fmt(r.latency_ms_b1_trial, 3)}) | ${r.kind === "dense" ? "–" : `${pct(r.latency_reduction_b1)}%`} | ` +
            `${fmt(r.latency_ms_b64, 2)} (${fmt(r.latency_ms_b64_trial, 2)}) | ${r.kind === "dense" ? "–" : `${pct(r.latency_reduction_b64)}%`} | ${fmt(r.latency_p10?.b1, 3)} / ${fmt(r.latency_p10?.b64, 2)} |`,
        );
      }
      const f = m.finding;
      L.push(``, `Layer faster than filter at matched MACs (median): batch 1 in ${f.layerFasterB1}/${f.n}, batch 64 in ${f.layerFasterB64}/${f.n} (p10: ${f.layerFasterP10?.b1 ?? "–"}/${f.n}, ${f.layerFasterP10?.b64 ?? "–"}/${f.n}); accuracy layer − filter: ${f.pairs.map((p) => `k=${p.k} ${(100 * p.accGap).toFixed(2)}`).join(", ")} pt.`, ``);
    }
    L.push(`**Paper's finding** (ACCV abstract): layer pruning gives a larger latency reduction than filter pruning at similar accuracy. **Ours: ${b.finding.verdict}.**`, ``);
  }
  const cc = doc.parts.c;
  if (cc) {
    L.push(
      `## (c) Learnable gates: compression vs accuracy over λ (docs/methods.md §3)`,
      ``,
      `Gates start at 1 on the pretrained net and train ${cc.gateEpochs} epochs with CE + λ Σ|g| (plain L1, gate learning-rate ×${cc.settings["gates.gateLrMult"]}, Adam ${c.lr}); ` +
        `gates below τ = ${cc.settings["gates.tau"]} are zeroed every epoch; then the zeroed neurons/blocks are removed physically, surviving gates folded, and ${cc.postExportEpochs} epoch(s) of fine-tuning. ` +
        `λ = 0 is the same schedule without a penalty; the accuracy reference (Δacc) is the better of the λ = 0 run and the dense pretrained net's test accuracy. Compression = 1 − params after / params before (all trainable parameters, input layer included).`,
      ``,
    );
    for (const m of cc.models) {
      L.push(`### ${m.label}`, ``, `Dense pretrained net: test ${pct(m.denseAccuracy, 2)}%, validation ${pct(m.pretrainValAccuracy)}%; reference for Δacc ${pct(m.finding.referenceAccuracy, 2)}%. Structural compression ceiling ${pct(m.ceiling)}% (every gated block removed, every gated group down to one unit).`, ``, `| λ | compression | params | MACs red. | gates zeroed | blocks removed | test acc. % | Δacc pt | lat b1 ms | lat b64 ms |`, `|---|---|---|---|---|---|---|---|---|---|`);
      for (const r of m.rows) {
        L.push(
          `| ${r.lambda} | ${pct(r.compression)}% | ${r.params} | ${pct(r.macs_reduction)}% | ${r.gates_zeroed}/${r.gates_total} | ${r.removed_layers} | ${pct(r.accuracy, 2)} | ${(100 * r.accuracy_delta).toFixed(2)} | ${fmt(r.latency_ms_b1, 3)} | ${fmt(r.latency_ms_b64, 2)} |`,
        );
      }
      const f = m.finding;
      const d = (x) => (x ? `${pct(x.compression)}% at λ=${x.lambda} (${pct(x.accuracy, 2)}%)` : "none");
      L.push(``, `Best compression within 1 pt of the reference: ${d(f.bestWithin1pt)}; within 0.5 pt: ${d(f.bestWithin05pt)}.`, ``);
    }
    L.push(`**Paper's finding** (abstract): 70–90 % compression with no noticeable accuracy loss. **Ours: ${cc.finding.verdict}.**`, ``);
  }
  const d = doc.parts.d;
  if (d) {
    L.push(
      `## (d) Early-exit pruning: simultaneous vs ordered (docs/methods.md §4)`,
      ``,
      `MLP 784-${d.options.hidden.join("-")}-10 with a linear exit after hidden layers 1 and 2 (3 exits incl. the final one), trained jointly (uniform exit weights). ` +
        `Both approaches: ${d.iterations} iterations of global magnitude pruning of ${pct(d.fraction, 0)}% of the remaining weights + 1 fine-tune epoch each (final sparsity ${pct(d.targetSparsity)}% for both). ` +
        `Simultaneous prunes backbone + exits together with the joint loss; ordered prunes the backbone on the final exit's loss, then re-initialises the exits, trains them ${d.exitEpochs} epochs on the frozen backbone and prunes them over ${d.iterations} more iterations. ` +
        `"Unpruned" is the jointly pretrained net without the extra fine-tuning. Expected MACs = mean cost of the exit each test sample leaves at (all earlier heads counted); effective = non-zero weights only (primary), dense = full kernels. ` +
        `Seeds: ${d.seeds.map((s) => s.seed).join(", ")} (each its own pretraining and data split).`,
      ``,
    );
    for (const S of d.seeds) {
      L.push(
        `### seed ${S.seed}`,
        ``,
        `| run | sparsity | exit-head sparsity % (exit1 / exit2 / final) | per-exit acc. % (exit1 / exit2 / final) | dense MACs | effective MACs | operating point (≤1 pt drop on val) |`,
        `|---|---|---|---|---|---|---|`,
      );
      for (const r of S.runs) {
        const es = ["exit1/kernel", "exit2/kernel", "out/kernel"].map((k) => pct(r.exitSparsities[k], 0)).join(" / ");
        L.push(`| ${r.label} | ${pct(r.sparsity)}% | ${es} | ${r.exitAccuracy.map((a) => pct(a, 2)).join(" / ")} | ${kmacs(r.dense_macs)} | ${kmacs(r.effective_macs)} | τ=${r.ee_tau ?? "–"}: ${pct(r.ee_accuracy, 2)}% at ${kmacs(r.expected_macs)} |`);
      }
      L.push(``, `Accuracy % vs expected MACs over τ (test split; acc. % @ effective / dense expected MACs):`, ``);
      L.push(`| τ | ${S.runs.map((r) => r.label).join(" | ")} |`, `|---|${S.runs.map(() => "---").join("|")}|`);
      for (const [i, t] of S.runs[0].curve.map((p) => p.tau).entries()) {
        L.push(`| ${t} | ${S.runs.map((r) => (r.curve[i] ? `${pct(r.curve[i].accuracy, 2)} @ ${kmacs(r.curve[i].expectedMacs)} / ${kmacs(r.curve[i].expectedDenseMacs)}` : "–")).join(" | ")} |`);
      }
      const f = S.finding;
      if (f.expectedMacs) {
        L.push(
          ``,
          `Low-cost comparison: best accuracy % reachable at expected effective MACs ≤ budget (7 budgets from the cheaper curve end both reach, ${kmacs(f.expectedMacs.from)}, to the middle of the joint cost range, ${kmacs(f.expectedMacs.upTo)}). ` +
            `Cheapest points: simultaneous ${pct(f.cheapest.simultaneous.accuracy, 2)}% @ ${kmacs(f.cheapest.simultaneous.expectedMacs)}, ordered ${pct(f.cheapest.ordered.accuracy, 2)}% @ ${kmacs(f.cheapest.ordered.expectedMacs)}.`,
          ``,
          `| budget | simultaneous % | ordered % |`,
          `|---|---|---|`,
          ...f.expectedMacs.lowCostBudgets.map((x) => `| ${kmacs(x.cost)} | ${pct(x.simultaneous, 2)} | ${pct(x.ordered, 2)} |`),
          ``,
          `Simultaneous at least as good at ${f.expectedMacs.simAtLeastAsGood}/${f.expectedMacs.n} budgets (effective), ${f.expectedDenseMacs.simAtLeastAsGood}/${f.expectedDenseMacs.n} (dense expected MACs).`,
          ``,
        );
      }
    }
    L.push(
      `**Paper's finding** (abstract + poster): pruning everything together is better overall and at low cost (better early exits, up to 15 % less cost), ordered is better at the deepest exit, and the two are close at high accuracy. **Ours: ${d.finding.verdict}.**`,
      ``,
    );
  }
  return L.join("\n");
}

// ---------------------------------------------------------------- CNN mode: seeds, aggregation, markdown

/** Merges CNN-mode result files (one per part/seed process) into one document. */
function combine(files) {
  const docs = files.map((f) => JSON.parse(readFileSync(f, "utf8")));
  if (docs.length === 0) throw new Error("--combine: no files");
  const out = { ...docs[0], mode: "cnn", date: new Date().toISOString(), combinedFrom: docs.flatMap((d, i) => d.combinedFrom ?? [files[i].replace(`${root}/`, "")]), parts: {} };
  out.config = { ...docs[0].config, seeds: [], loadavgAtStart: docs[0].config.loadavgAtStart, runs: docs.flatMap((d) => d.config.runs ?? [{ date: d.date, parts: Object.keys(d.parts), seeds: d.config.seeds, wallMs: d.wallMs, loadavgAtStart: d.config.loadavgAtStart, loadavgAtEnd: d.config.loadavgAtEnd, args: d.config.args }]) };
  for (const d of docs) {
    for (const [k, v] of Object.entries(d.parts)) {
      if (!out.parts[k]) out.parts[k] = { ...v, seeds: [] };
      out.parts[k].seeds.push(...v.seeds);
    }
  }
  for (const p of Object.values(out.parts)) p.seeds.sort((a, b) => a.seed - b.seed);
  out.config.seeds = [...new Set(Object.values(out.parts).flatMap((p) => p.seeds.map((s) => s.seed)))].sort((a, b) => a - b);
  out.wallMs = Math.max(...docs.map((d) => d.wallMs ?? 0));
  return out;
}

/**
 * Re-times the shapes of parts (b) and (c) of a combined document: per model, every row of every
 * seed in one round-robin (so load drift hits all alike), then recomputes what depends on latency.
 */
async function remeasureCombined(d) {
  await selectBackend(args.backend);
  const before = loadavg();
  const t0 = performance.now();
  const jobs = [];
  for (const s of d.parts.b?.seeds ?? []) for (const m of s.models) for (const r of m.rows) jobs.push({ model: m.model, options: m.options, removed: r.removed, units: r.units, set: (l) => Object.assign(r, { latency_ms_b1: l.b1, latency_ms_b64: l.b64, latency_p10: { b1: l.b1P10, b64: l.b64P10 }, latency_passes: l.passes }) });
  for (const s of d.parts.c?.seeds ?? []) for (const m of s.models) for (const r of m.rows) jobs.push({ model: m.model, options: m.options, removed: r.removedBlocks, units: r.units, set: (l) => Object.assign(r, { latency_ms_b1: l.b1, latency_ms_b64: l.b64, latency_p10: { b1: l.b1P10, b64: l.b64P10 }, latency_passes: l.passes }) });
  for (const model of [...new Set(jobs.map((j) => j.model))]) {
    const js = jobs.filter((j) => j.model === model);
    log(`re-timing ${js.length} shapes of ${model} (${LAT.rounds} rounds x ${LAT.runs} passes, priority ${getPriority()}, load ${loadavg()[0].toFixed(1)})…`);
    const lat = await remeasure(js.map((j) => ({ build: () => rebuild({ model: j.model, modelOptions: j.options, exits: { positions: [], every: 0 } }, j.removed, j.units) })));
    js.forEach((j, i) => j.set(lat[i]));
  }
  for (const s of d.parts.b?.seeds ?? []) {
    for (const m of s.models) {
      const dense = m.rows[0];
      for (const r of m.rows) {
        r.latency_reduction_b1 = 1 - r.latency_ms_b1 / dense.latency_ms_b1;
        r.latency_reduction_b64 = 1 - r.latency_ms_b64 / dense.latency_ms_b64;
        r.latency_reduction_p10 = { b1: 1 - r.latency_p10.b1 / dense.latency_p10.b1, b64: 1 - r.latency_p10.b64 / dense.latency_p10.b64 };
      }
      m.finding = findingB(m.rows);
    }
    s.finding = summariseB(s.models);
  }
  d.config.latency = { ...LAT, priority: getPriority(), loadavgBefore: before, loadavgAfter: loadavg(), wallMs: Math.round(performance.now() - t0), note: "re-timed after training by --combine --remeasure: every shape of a model, all seeds, round-robin; median of all timed passes" };
}

/** Aggregates over seeds and writes bench/results/<OUT>.{json,md}. */
function writeResults(d) {
  if (d.parts.b) d.parts.b.aggregate = aggregateB(d.parts.b);
  if (d.parts.c) d.parts.c.aggregate = aggregateC(d.parts.c);
  if (d.parts.d) {
    for (const sd of d.parts.d.seeds) sd.finding = findingD(sd.runs);
    d.parts.d.finding = summariseD(d.parts.d.seeds);
    d.parts.d.aggregate = aggregateD(d.parts.d);
  }
  mkdirSync(dirname(join(outDir, OUT)), { recursive: true });
  writeFileSync(join(outDir, `${OUT}.json`), JSON.stringify(d, null, 2) + "\n");
  writeFileSync(join(outDir, `${OUT}.md`), renderCnn(d));
  log(`wrote ${join(outDir, `${OUT}.json`)} and ${OUT}.md`);
}

function aggregateB(b) {
  const labels = [...new Set(b.seeds.flatMap((s) => s.models.map((m) => m.model)))];
  const models = labels.map((model) => {
    const per = b.seeds.map((s) => ({ seed: s.seed, m: s.models.find((m) => m.model === model) })).filter((x) => x.m);
    const keys = [...new Map(per.flatMap((x) => x.m.rows.map((r) => [`${r.kind}:${r.k}`, { kind: r.kind, k: r.k }]))).values()];
    const rows = keys.map(({ kind, k }) => {
      const rs = per.map((x) => x.m.rows.find((r) => r.kind === kind && r.k === k)).filter(Boolean);
      const st = (f) => stats(rs.map(f));
      return {
        kind,
        k,
        seeds: rs.length,
        filterFraction: rs[0].filterFraction,
        removed: rs.map((r) => r.removed),
        accuracy: st((r) => r.accuracy),
        accuracy_delta: st((r) => r.accuracy_delta),
        dense_macs: st((r) => r.dense_macs),
        macs_reduction: st((r) => r.macs_reduction),
        params: st((r) => r.params),
        latency_ms_b1: st((r) => r.latency_ms_b1),
        latency_ms_b64: st((r) => r.latency_ms_b64),
        latency_reduction_b1: st((r) => r.latency_reduction_b1),
        latency_reduction_b64: st((r) => r.latency_reduction_b64),
      };
    });
    const pairs = per.flatMap((x) => x.m.finding.pairs.map((p) => ({ seed: x.seed, ...p })));
    const byK = [...new Set(pairs.map((p) => p.k))].map((k) => {
      const ps = pairs.filter((p) => p.k === k);
      return {
        k,
        n: ps.length,
        accGap: stats(ps.map((p) => p.accGap)),
        latRedLayer: { b1: stats(ps.map((p) => p.latReductionLayer.b1)), b64: stats(ps.map((p) => p.latReductionLayer.b64)) },
        latRedFilter: { b1: stats(ps.map((p) => p.latReductionFilter.b1)), b64: stats(ps.map((p) => p.latReductionFilter.b64)) },
        layerFasterB1: ps.filter((p) => p.layerFasterB1).length,
        layerFasterB64: ps.filter((p) => p.layerFasterB64).length,
      };
    });
    return { model, label: per[0].m.label, seeds: per.map((x) => x.seed), pretrainValAccuracy: stats(per.map((x) => x.m.pretrainValAccuracy)), rows, byK, finding: summariseB(per.map((x) => x.m)) };
  });
  return { models, finding: summariseB(b.seeds.flatMap((s) => s.models)) };
}

function aggregateC(c) {
  const labels = [...new Set(c.seeds.flatMap((s) => s.models.map((m) => m.label)))];
  const models = labels.map((label) => {
    const per = c.seeds.map((s) => ({ seed: s.seed, m: s.models.find((m) => m.label === label) })).filter((x) => x.m);
    const lambdas = [...new Set(per.flatMap((x) => x.m.rows.map((r) => r.lambda)))].sort((a, b) => a - b);
    const rows = lambdas.map((lambda) => {
      const rs = per.map((x) => x.m.rows.find((r) => r.lambda === lambda)).filter(Boolean);
      const st = (f) => stats(rs.map(f));
      return {
        lambda,
        seeds: rs.length,
        compression: st((r) => r.compression),
        accuracy: st((r) => r.accuracy),
        accuracy_delta: st((r) => r.accuracy_delta),
        macs_reduction: st((r) => r.macs_reduction),
        params: st((r) => r.params),
        gates_zeroed: st((r) => r.gates_zeroed),
        gates_total: rs[0].gates_total,
        removed_layers: st((r) => r.removed_layers),
        latency_ms_b1: st((r) => r.latency_ms_b1),
        latency_ms_b64: st((r) => r.latency_ms_b64),
      };
    });
    const reference = stats(per.map((x) => x.m.finding.referenceAccuracy));
    const dense = stats(per.map((x) => x.m.denseAccuracy));
    // On the seed means: the most compressed λ whose mean accuracy is within 1 (0.5) pt of the mean reference.
    const pick = (tol) => rows.filter((r) => r.lambda > 0 && r.accuracy.mean >= reference.mean - tol - 1e-9).sort((a, b) => b.compression.mean - a.compression.mean)[0];
    const at1 = pick(0.01);
    const at05 = pick(0.005);
    const seeds70 = per.filter((x) => x.m.finding.reaches70Within1pt).length;
    return { label, model: per[0].m.model, gates: per[0].m.gates, seeds: per.map((x) => x.seed), ceiling: per[0].m.ceiling, reference, dense, rows, bestWithin1pt: at1 ? { lambda: at1.lambda, compression: at1.compression, accuracy: at1.accuracy } : null, bestWithin05pt: at05 ? { lambda: at05.lambda, compression: at05.compression, accuracy: at05.accuracy } : null, seedsReaching70Within1pt: seeds70 };
  });
  const desc = models
    .map((m) => {
      const b = m.bestWithin1pt;
      const mx = [...m.rows].sort((a, b2) => b2.compression.mean - a.compression.mean)[0];
      return (
        `${m.label}: reference ${pms(m.reference, 2)}%, structural ceiling ${pct(m.ceiling)}%; ` +
        (b ? `most compressed within 1 pt (seed means) ${pms(b.compression)}% at λ=${b.lambda} (${pms(b.accuracy, 2)}%)` : "no λ within 1 pt") +
        `; most compressed overall ${pms(mx.compression)}% at λ=${mx.lambda} (${pms(mx.accuracy, 2)}%); ≥70% within 1 pt in ${m.seedsReaching70Within1pt}/${m.seeds.length} seeds`
      );
    })
    .join("; ");
  const eligible = models.filter((m) => m.ceiling >= 0.7);
  const ok = eligible.filter((m) => m.bestWithin1pt && m.bestWithin1pt.compression.mean >= 0.7).length;
  const label = eligible.length === 0 ? "not testable at this scale (no configuration can reach 70 %)" : ok === eligible.length ? "reproduced" : ok > 0 ? "partly reproduced" : "not reproduced";
  return { models, verdict: `${label}: ${ok}/${eligible.length} configurations that can reach 70 % do so within 1 pt (seed means) — ${desc}` };
}


function aggregateD(d) {
  const approaches = [...new Set(d.seeds.flatMap((s) => s.runs.map((r) => r.label)))];
  const perRun = approaches.map((label) => {
    const rs = d.seeds.map((s) => ({ seed: s.seed, r: s.runs.find((r) => r.label === label), full: s.runs[0].dense_macs })).filter((x) => x.r);
    const exits = Math.max(...rs.map((x) => x.r.exitAccuracy.length));
    return {
      label,
      seeds: rs.length,
      sparsity: stats(rs.map((x) => x.r.sparsity)),
      exitAccuracy: Array.from({ length: exits }, (_, i) => stats(rs.map((x) => x.r.exitAccuracy[i]))),
      effectiveMacs: stats(rs.map((x) => x.r.effective_macs)),
      operating: { accuracy: stats(rs.map((x) => x.r.ee_accuracy)), expectedMacs: stats(rs.map((x) => x.r.expected_macs)) },
      budgets: D_BUDGETS.map((f) => ({ fraction: f, accuracy: stats(rs.map((x) => accAtCost(x.r.curve, f * x.full, "expectedMacs"))), reached: rs.filter((x) => Number.isFinite(accAtCost(x.r.curve, f * x.full, "expectedMacs"))).length })),
    };
  });
  const sim = perRun.find((r) => /simultaneous/.test(r.label));
  const ord = perRun.find((r) => /ordered/.test(r.label));
  let budgetCmp = [];
  if (sim && ord) {
    budgetCmp = D_BUDGETS.map((f, i) => {
      const diffs = d.seeds.map((s) => {
        const full = s.runs[0].dense_macs;
        const a = s.runs.find((r) => r.label === sim.label);
        const b = s.runs.find((r) => r.label === ord.label);
        return accAtCost(a.curve, f * full, "expectedMacs") - accAtCost(b.curve, f * full, "expectedMacs");
      });
      return { fraction: f, simMinusOrd: stats(diffs), simAtLeast: diffs.filter((x) => x >= -0.0025).length, comparable: diffs.filter(Number.isFinite).length, i };
    });
  }
  return { runs: perRun, budgetCmp };
}

/** How the latencies of a CNN-mode document were timed. */
function latencyText(l) {
  const how = `${l.rounds} rounds × ${l.runs} passes after ${l.warmup} warm-up passes per round, median of the pooled passes`;
  return l.loadavgBefore
    ? `timed after all training in one process at priority ${l.priority} (nice), every shape of a model and all its seeds round-robin (${how}; 1-min load average ${l.loadavgBefore[0].toFixed(1)} before, ${l.loadavgAfter[0].toFixed(1)} after, ${(l.wallMs / 60000).toFixed(1)} min)`
    : `timed round-robin per model and seed right after that seed's trials (${how})`;
}

/** The scale a part ran at. */
function scaleLine(p) {
  return `**Scale:** ${p.maxTrainExamples ? `${p.maxTrainExamples.toLocaleString("en")} training examples (capped)` : "all training examples"}, dense pretraining ${p.pretrainEpochs} epochs, batch 64.`;
}

function renderCnn(doc) {
  const c = doc.config;
  const seeds = c.seeds ?? [];
  const loads = (c.runs ?? [{ loadavgAtStart: c.loadavgAtStart, loadavgAtEnd: c.loadavgAtEnd }]).flatMap((r) => [...(r.loadavgAtStart ?? []).slice(0, 1), ...(r.loadavgAtEnd ?? []).slice(0, 1)]);
  const L = [
    `# Methods (b)-(d) on conv nets: structured pruning on ResNets and LeNet-5`,
    ``,
    `${c.data?.label ?? "Built-in MNIST digits (28×28×1; split 70/10/20 % of 10,000: 7,000 training examples, 1,000 validation, 2,000 test)"}, training examples capped per part as stated; accuracies are **test** accuracy. ` +
      `Seeds ${seeds.join(", ")} (which ones each model completed is stated with it): each seed is its own data split, dense pretraining (Adam 0.002, batch 64), and trials. ` +
      `Every number is **mean ± sample standard deviation over the seeds** (n per row as given). ` +
      `Backend **${c.backend}** (${c.backendPackage}${c.backend === "wasm" ? ", SIMD, single-threaded in Node" : ""}), ${c.cpus} CPUs shared with other engineers' jobs, training at nice 19 (latency re-timing as stated under (b)) ` +
      `(1-min load average at the start/end of the runs: ${loads.length ? `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}` : "–"}), Node ${c.node}. ` +
      `Produced by \`node bench/methods/structured.mjs --models … --seeds …\` (one process per part and seed, then \`--combine\`; the command lines are in the JSON). ` +
      `This is a small-scale run: few epochs on a capped training set, so absolute accuracies are far below converged ResNets; the comparisons are within one run's settings.`,
    ``,
  ];
  const b = doc.parts.b;
  if (b?.aggregate) {
    const s0 = b.seeds[0];
    L.push(
      `## (b) LayerPrune vs filter pruning at matched MACs (docs/methods.md §2)`,
      ``,
      scaleLine(s0),
      ``,
      `Criterion \`${s0.criterion}\` (${s0.criterionBatches} mini-batches) for both: a block's score is its first conv's mean filter score; the k lowest-scoring removable (non-downsampling) basic blocks become identities. ` +
        `Filter pruning removes the lowest-scoring fraction f of every prunable filter group (each basic block's inner conv; the residual stream's width is tied across blocks), f chosen so the dense MACs are closest to the k-block net's. ` +
        `Both fine-tune ${s0.finetuneEpochs} epoch(s) (Adam ${c.lr}, second half ×0.1). k = 0: the same criterion pass and fine-tuning, nothing removed. ` +
        `Latency: ms per forward pass on the real pruned shapes rebuilt from each trial's details (same blocks removed, same filter counts), ${latencyText(c.latency)}, then mean ± sd of the per-seed medians over seeds. Δlat = reduction vs k = 0 of the same seed.`,
      ``,
    );
    for (const m of b.aggregate.models) {
      L.push(`### ${m.label}`, ``, `Seeds ${m.seeds.join(", ")}; dense pretrained validation accuracy ${pms(m.pretrainValAccuracy)}%.`, ``);
      L.push(`| pruning | k / f | seeds | MACs red. % | params | test acc. % | Δacc pt | lat b1 ms | Δlat b1 % | lat b64 ms | Δlat b64 % | blocks removed (per seed) |`, `|---|---|---|---|---|---|---|---|---|---|---|---|`);
      for (const r of m.rows) {
        const what = r.kind === "dense" ? "none (k=0)" : r.kind === "layer" ? "block removal" : "filter";
        const kf = r.kind === "filter" ? `f=${r.filterFraction.toFixed(3)} (≈k=${r.k})` : `k=${r.k}`;
        L.push(
          `| ${what} | ${kf} | ${r.seeds} | ${pms(r.macs_reduction)} | ${fmt(r.params.mean, 0)} | ${pms(r.accuracy, 2)} | ${r.kind === "dense" ? "–" : `${(100 * r.accuracy_delta.mean).toFixed(2)} ± ${(100 * r.accuracy_delta.sd).toFixed(2)}`} | ` +
            `${fms(r.latency_ms_b1, 2)} | ${r.kind === "dense" ? "–" : pms(r.latency_reduction_b1)} | ${fms(r.latency_ms_b64, 1)} | ${r.kind === "dense" ? "–" : pms(r.latency_reduction_b64)} | ${r.kind === "layer" ? r.removed.map((x) => x.join("+")).join(" / ") : "–"} |`,
        );
      }
      L.push(``, `| k | acc. layer − filter pt | Δlat b1 % layer vs filter | Δlat b64 % layer vs filter | layer faster (b1 / b64, of seeds) |`, `|---|---|---|---|---|`);
      for (const p of m.byK) {
        L.push(`| ${p.k} | ${(100 * p.accGap.mean).toFixed(2)} ± ${(100 * p.accGap.sd).toFixed(2)} | ${pms(p.latRedLayer.b1)} vs ${pms(p.latRedFilter.b1)} | ${pms(p.latRedLayer.b64)} vs ${pms(p.latRedFilter.b64)} | ${p.layerFasterB1}/${p.n} · ${p.layerFasterB64}/${p.n} |`);
      }
      L.push(``);
    }
    L.push(`**Paper's finding** (ACCV abstract): layer pruning gives a larger latency reduction than filter pruning at similar accuracy. **Ours (all models, seeds and k pooled): ${b.aggregate.finding.verdict}.**`, ``);
  }
  const cc = doc.parts.c;
  if (cc?.aggregate) {
    const s0 = cc.seeds[0];
    L.push(
      `## (c) Learnable gates at filter and block granularity: compression vs accuracy over λ (docs/methods.md §3)`,
      ``,
      scaleLine(s0),
      ``,
      `Gates start at 1 on the pretrained net and train ${s0.gateEpochs} epoch(s) with CE + λ Σ|g| (plain L1, gate learning-rate ×${s0.settings["gates.gateLrMult"]}, Adam ${c.lr}); gates below τ = ${s0.settings["gates.tau"]} are zeroed every epoch; ` +
        `then zero-gated filters are removed physically and zero-gated blocks become identities, surviving gates are folded, and ${s0.postExportEpochs} epoch(s) of fine-tuning follow. ` +
        `Filter gates sit on each basic block's inner conv (after BN+ReLU); block gates scale the residual branch of each removable (non-downsampling) block. λ = 0: the same schedule without a penalty. ` +
        `Reference per seed = the better of the λ = 0 run and the dense pretrained net. Compression = 1 − params after / params before.`,
      ``,
    );
    for (const m of cc.aggregate.models) {
      L.push(
        `### ${m.label}`,
        ``,
        `Seeds ${m.seeds.join(", ")}; dense pretrained test accuracy ${pms(m.dense, 2)}%, reference ${pms(m.reference, 2)}%; structural compression ceiling ${pct(m.ceiling)}% (every gated block removed, every gated filter group down to one filter).`,
        ``,
        `| λ | seeds | compression % | MACs red. % | gates zeroed (of ${m.rows[0].gates_total}) | blocks removed | test acc. % | Δacc pt | lat b1 ms | lat b64 ms |`,
        `|---|---|---|---|---|---|---|---|---|---|`,
      );
      for (const r of m.rows) {
        L.push(
          `| ${r.lambda} | ${r.seeds} | ${pms(r.compression)} | ${pms(r.macs_reduction)} | ${fms(r.gates_zeroed, 1)} | ${fms(r.removed_layers, 1)} | ${pms(r.accuracy, 2)} | ${(100 * r.accuracy_delta.mean).toFixed(2)} ± ${(100 * r.accuracy_delta.sd).toFixed(2)} | ${fms(r.latency_ms_b1, 2)} | ${fms(r.latency_ms_b64, 1)} |`,
        );
      }
      L.push(``);
    }
    L.push(`**Paper's finding** (abstract): 70–90 % compression with no noticeable accuracy loss. **Ours: ${cc.aggregate.verdict}.**`, ``);
  }
  const d = doc.parts.d;
  if (d?.aggregate) {
    const ag = d.aggregate;
    L.push(
      `## (d) Early-exit ${d.model} pruned simultaneously vs ordered (docs/methods.md §4)`,
      ``,
      scaleLine(d),
      ``,
      `${d.model} with a linear exit (global average pooling + dense) after blocks ${d.exits.positions.join(" and ")} plus the final classifier (${ag.runs[0]?.exitAccuracy.length ?? "?"} exits), trained jointly (uniform exit weights). ` +
        `Both approaches: ${d.iterations} iterations of global magnitude pruning of ${pct(d.fraction, 0)}% of the remaining weights + 1 fine-tune epoch each (final sparsity ${pct(d.targetSparsity)}% for both). ` +
        `Simultaneous prunes backbone + exits together on the joint loss; ordered prunes the backbone on the final exit's loss, then re-initialises the exits, trains them ${d.exitEpochs} epoch(s) on the frozen backbone and prunes them over ${d.iterations} more iterations. ` +
        `"Unpruned" is the jointly pretrained net. Expected MACs = mean cost of the exit each test sample leaves at (earlier heads counted), effective = non-zero weights only. Exit rule: max-softmax ≥ τ over τ ∈ {${d.options.tauGrid.join(", ")}}.`,
      ``,
      `Per-exit accuracy % (every test sample leaves at that exit), mean ± sd over seeds ${d.seeds.map((s) => s.seed).join(", ")}:`,
      ``,
      `| run | sparsity % | ${ag.runs[0].exitAccuracy.map((_, i, arr) => (i === arr.length - 1 ? "final exit" : `exit ${i + 1}`)).join(" | ")} | operating point (≤1 pt drop on val): acc. % @ expected MACs |`,
      `|---|---|${ag.runs[0].exitAccuracy.map(() => "---").join("|")}|---|`,
    );
    for (const r of ag.runs) L.push(`| ${r.label} | ${pms(r.sparsity)} | ${r.exitAccuracy.map((x) => pms(x, 2)).join(" | ")} | ${pms(r.operating.accuracy, 2)} @ ${kmacs(r.operating.expectedMacs.mean)} |`);
    L.push(
      ``,
      `Accuracy vs expected (effective) MACs per budget: the best accuracy % on each run's τ curve at expected MACs ≤ budget, budget as a fraction of the unpruned net's full dense MACs (${kmacs(d.seeds[0].runs[0].dense_macs)}); "–" where no τ is that cheap. Last column: simultaneous − ordered, per seed then mean ± sd (pt), and in how many seeds simultaneous is at least as good (−0.25 pt tolerance).`,
      ``,
      `| budget | ${ag.runs.map((r) => r.label).join(" | ")} | sim − ord pt | sim ≥ ord |`,
      `|---|${ag.runs.map(() => "---").join("|")}|---|---|`,
    );
    const unreachable = D_BUDGETS.filter((_, i) => ag.runs.every((r) => !r.budgets[i].reached));
    D_BUDGETS.forEach((f, i) => {
      if (ag.runs.every((r) => !r.budgets[i].reached)) return;
      const cmp = ag.budgetCmp[i];
      L.push(`| ${pct(f, 0)}% | ${ag.runs.map((r) => (r.budgets[i].reached ? `${pms(r.budgets[i].accuracy, 2)}${r.budgets[i].reached < r.seeds ? ` (${r.budgets[i].reached}/${r.seeds} seeds)` : ""}` : "–")).join(" | ")} | ${cmp && cmp.comparable ? `${(100 * cmp.simMinusOrd.mean).toFixed(2)} ± ${(100 * cmp.simMinusOrd.sd).toFixed(2)}` : "–"} | ${cmp && cmp.comparable ? `${cmp.simAtLeast}/${cmp.comparable}` : "–"} |`);
    });
    if (unreachable.length) L.push(``, `No τ reaches an expected cost of ${unreachable.map((f) => `${pct(f, 0)}%`).join(", ")} of the full MACs (rows left out).`);
    L.push(
      ``,
      `**Paper's finding** (abstract + poster): pruning everything together is better overall and at low cost (better early exits, up to 15 % less cost), ordered is better at the deepest exit, and the two are close at high accuracy. **Ours: ${d.finding.verdict}.**`,
      ``,
    );
  }
  return L.join("\n");
}
