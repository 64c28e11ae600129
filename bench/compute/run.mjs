// Benchmark (not a test): training throughput of the wasm backend with its stock kernels vs the
// BLAS-backed ones (worker/src/backend/blas), against the machine's sgemm peak measured in the
// same run through the same BLAS and thread count.
//
//   npm run bench:compute [-- --threads 1] [--budget-s 4] [--quickstart [--quickstart-runs 3]] [--only lenet5]
//
// Each configuration runs in its own process (step.mjs), stock with PRUNESWEEP_BLAS=off. The
// targets are ratios from this one run: LeNet-300-100 at batch 64 at >= 15 % of the sgemm
// peak, LeNet-5 and ResNet-8 at >= 10 %. `--quickstart` also times examples/quickstart.yaml
// end to end with BLAS and with PRUNESWEEP_BLAS=off, side by side (target: >= 4x), by
// bench/compute/quickstart.mjs (which also runs alone).
// Writes bench/results/compute.json and bench/results/compute.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadBlas } from "@prunesweep/worker";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "..", "results");

const { values: args } = parseArgs({
  options: {
    threads: { type: "string", default: "1" },
    "budget-s": { type: "string", default: "4" },
    repeats: { type: "string", default: "5" },
    quickstart: { type: "boolean", default: false },
    "quickstart-runs": { type: "string", default: "3" },
    only: { type: "string", default: "" },
  },
});
const threads = Number(args.threads);
const blas = loadBlas({ setting: process.env["PRUNESWEEP_BLAS"] ?? "", threads });
if (typeof blas === "string") {
  console.error(`bench:compute needs a BLAS: ${blas}`);
  process.exit(1);
}

/** Best GFLOP/s of `reps` sgemm calls of m×k by k×n (transposes as given). */
function sgemmGflops(m, n, k, reps, ta = false, tb = false) {
  const a = new Float32Array(m * k).fill(0.5);
  const b = new Float32Array(k * n).fill(0.25);
  const c = new Float32Array(m * n);
  blas.sgemm(ta, tb, m, n, k, 1, a, ta ? m : k, b, tb ? k : n, 0, c, n);
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    blas.sgemm(ta, tb, m, n, k, 1, a, ta ? m : k, b, tb ? k : n, 0, c, n);
    best = Math.min(best, performance.now() - t0);
  }
  return Math.round(((2 * m * n * k) / best / 1e6) * 10) / 10;
}

const peak = { square2048: 0, lenetLayer64x784x300: 0, best: 0 };
/** Measures the peak (again): the best rate sgemm reached in this run, before and after the training runs. */
function measurePeak() {
  peak.square2048 = Math.max(peak.square2048, sgemmGflops(2048, 2048, 2048, 5));
  peak.lenetLayer64x784x300 = Math.max(peak.lenetLayer64x784x300, sgemmGflops(64, 300, 784, 200));
  peak.best = Math.max(peak.square2048, peak.lenetLayer64x784x300);
}
measurePeak();
console.log(`sgemm peak (${blas.name}, ${threads} thread(s)): ${peak.square2048} GFLOP/s at 2048³, ${peak.lenetLayer64x784x300} at 64×784×300`);

const configs = [
  { model: "lenet-300-100", batch: 64, target: 0.15 },
  { model: "lenet-300-100", batch: 256 },
  { model: "lenet5", batch: 64, target: 0.1 },
  { model: "resnet8", batch: 64, target: 0.1 },
].filter((c) => args.only === "" || args.only.split(",").includes(c.model));

function step(cfg, engine) {
  const env = { ...process.env, PRUNESWEEP_THREADS: String(threads), PRUNESWEEP_BLAS: engine === "stock" ? "off" : (process.env["PRUNESWEEP_BLAS"] ?? "") };
  const out = execFileSync(process.execPath, [join(here, "step.mjs"), "--model", cfg.model, "--batch", String(cfg.batch), "--budget-s", args["budget-s"], "--repeats", args.repeats], { env, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1));
}

const rows = [];
let quickstart;

/** Writes bench/results/compute.{json,md} from what has been measured so far (after each part). */
function write() {
  const rowOf = (r) => {
    const ofPeak = r.blas.gflopsBest / peak.best;
    return {
      ...r,
      speedupMedian: Math.round((r.stock.msPerStep / r.blas.msPerStep) * 100) / 100,
      speedupBest: Math.round((r.stock.msPerStepBest / r.blas.msPerStepBest) * 100) / 100,
      fractionOfPeak: Math.round(ofPeak * 1000) / 1000,
      ...(r.target !== undefined && { met: ofPeak >= r.target }),
    };
  };
  const table = rows.map(rowOf);
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown", node: process.version, loadAverage: loadavg().map((v) => Math.round(v * 10) / 10) },
    blas: { library: blas.name, path: blas.path, threads },
    sgemmPeakGflops: peak,
    rows: table,
    ...(quickstart && { quickstart }),
  };
  const pct = (v) => `${(v * 100).toFixed(1)} %`;
  const md = [
    `# Training throughput on wasm: stock kernels vs BLAS (${blas.name}, ${threads} thread(s))`,
    "",
    `${result.date}, ${result.machine.cpus} CPUs (${result.machine.cpu}), Node ${result.machine.node}, load average ${result.machine.loadAverage.join(" / ")} (a shared machine: other jobs ran). sgemm in the same run, best of before and after the training runs: ${peak.square2048} GFLOP/s at 2048³, ${peak.lenetLayer64x784x300} GFLOP/s at 64×784×300; the ratios use the better, ${peak.best}. Each configuration: ${args.repeats} timed runs after a warm-up, median and best (the machine's capability when nothing else interrupted it; the targets use it); masked Adam on the built-in digits (bench/compute/step.mjs).`,
    "",
    "| model | batch | stock ms/step (median / best) | BLAS ms/step (median / best) | speed-up (median / best) | BLAS samples/s (best) | BLAS GFLOP/s (best) | of sgemm peak | target |",
    "|---|---|---|---|---|---|---|---|---|",
    ...table.map(
      (r) =>
        `| ${r.model} | ${r.batch} | ${r.stock.msPerStep} / ${r.stock.msPerStepBest} | ${r.blas.msPerStep} / ${r.blas.msPerStepBest} | ${r.speedupMedian}x / ${r.speedupBest}x | ${Math.round((r.batch / r.blas.msPerStepBest) * 1000)} | ${r.blas.gflopsBest} | ${pct(r.fractionOfPeak)} | ${r.target === undefined ? "" : `${pct(r.target)} ${r.met ? "met" : "missed"}`} |`,
    ),
    ...(quickstart
      ? ["", `Quickstart (examples/quickstart.yaml, \`prunesweep run\` end to end) wall time, medians of ${quickstart.runs} alternating first runs each (bench/results/quickstart.md has the timeline): ${quickstart.blasWallS} s with BLAS, ${quickstart.stockWallS} s with PRUNESWEEP_BLAS=off: ${quickstart.speedup}x (target 4x, ${quickstart.met ? "met" : "missed"}).`]
      : []),
    "",
  ];
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "compute.json"), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, "compute.md"), md.join("\n"));
  return md.join("\n");
}

for (const cfg of configs) {
  const stock = step(cfg, "stock");
  const fast = step(cfg, "blas");
  rows.push({ model: cfg.model, batch: cfg.batch, stock, blas: fast, ...(cfg.target !== undefined && { target: cfg.target }) });
  console.log(`${cfg.model} b${cfg.batch}: stock ${stock.msPerStep} (best ${stock.msPerStepBest}) ms/step, BLAS ${fast.msPerStep} (best ${fast.msPerStepBest}) ms/step, ${fast.gflopsBest} GFLOP/s at best`);
}
measurePeak();
console.log(`sgemm peak after: ${peak.square2048} / ${peak.lenetLayer64x784x300} GFLOP/s`);
write();

if (args.quickstart) {
  // Alternating first runs, medians, a timeline per run (quickstart.mjs run alone also writes bench/results/quickstart.{json,md}).
  const { measureQuickstart } = await import("./quickstart.mjs");
  const q = await measureQuickstart({ runs: Number(args["quickstart-runs"]) });
  quickstart = { blasWallS: q.blasWallS, stockWallS: q.stockWallS, speedup: q.speedup, target: q.target, met: q.met, runs: q.runs, cache: q.cache, blasPhases: q.blas.phases, stockPhases: q.stock.phases };
  console.log(`quickstart: ${q.blasWallS} s with BLAS, ${q.stockWallS} s with PRUNESWEEP_BLAS=off (${q.speedup}x; medians of ${q.runs} first runs each)`);
}
console.log(`\n${write()}`);
