// Benchmark (not a test): training throughput of the wasm backend with its stock kernels vs the
// BLAS-backed ones (worker/src/backend/blas), against the machine's sgemm peak measured in the
// same run through the same BLAS and thread count.
//
//   npm run bench:compute [-- --threads 1] [--budget-s 4] [--quickstart] [--only lenet5]
//
// Each configuration runs in its own process (step.mjs), stock with PRUNESWEEP_BLAS=off. The
// targets are ratios from this one run: LeNet-300-100 at batch 64 at >= 15 % of the sgemm
// peak, LeNet-5 and ResNet-8 at >= 10 %. `--quickstart` also times examples/quickstart.yaml
// end to end with BLAS and with PRUNESWEEP_BLAS=off, side by side (target: >= 4x).
// Writes bench/results/compute.json and bench/results/compute.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadBlas } from "@prunesweep/worker";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const outDir = join(here, "..", "results");

const { values: args } = parseArgs({
  options: {
    threads: { type: "string", default: "1" },
    "budget-s": { type: "string", default: "4" },
    repeats: { type: "string", default: "3" },
    quickstart: { type: "boolean", default: false },
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

const peak = {
  square2048: sgemmGflops(2048, 2048, 2048, 5),
  lenetLayer64x784x300: sgemmGflops(64, 300, 784, 200),
};
// The peak the ratios use: the best rate sgemm reached here (on a shared machine the big
// product is the one most likely to be interrupted).
peak.best = Math.max(peak.square2048, peak.lenetLayer64x784x300);
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
for (const cfg of configs) {
  const stock = step(cfg, "stock");
  const fast = step(cfg, "blas");
  const ofPeak = fast.gflops / peak.best;
  const row = {
    model: cfg.model,
    batch: cfg.batch,
    stock,
    blas: fast,
    speedup: Math.round((stock.msPerStep / fast.msPerStep) * 100) / 100,
    fractionOfPeak: Math.round(ofPeak * 1000) / 1000,
    ...(cfg.target !== undefined && { target: cfg.target, met: ofPeak >= cfg.target }),
  };
  rows.push(row);
  console.log(`${cfg.model} b${cfg.batch}: stock ${stock.msPerStep} ms/step, BLAS ${fast.msPerStep} ms/step (${row.speedup}x), ${fast.gflops} GFLOP/s = ${(ofPeak * 100).toFixed(1)} % of peak`);
}

let quickstart;
if (args.quickstart) {
  const time = (engine) => {
    const dir = join(tmpdir(), `prunesweep-bench-quickstart-${engine}-${process.pid}`);
    rmSync(dir, { recursive: true, force: true });
    const env = { ...process.env, PRUNESWEEP_BLAS: engine === "stock" ? "off" : (process.env["PRUNESWEEP_BLAS"] ?? "") };
    const t0 = performance.now();
    execFileSync(process.execPath, [join(root, "bin", "prunesweep.mjs"), "run", join(root, "examples", "quickstart.yaml"), "--out", dir], { env, stdio: ["ignore", "ignore", "inherit"] });
    const s = (performance.now() - t0) / 1000;
    rmSync(dir, { recursive: true, force: true });
    return Math.round(s * 10) / 10;
  };
  const blasS = time("blas");
  const stockS = time("stock");
  quickstart = { blasWallS: blasS, stockWallS: stockS, speedup: Math.round((stockS / blasS) * 100) / 100, target: 4, met: stockS / blasS >= 4 };
  console.log(`quickstart: ${blasS} s with BLAS, ${stockS} s with PRUNESWEEP_BLAS=off (${quickstart.speedup}x)`);
}

const result = {
  date: new Date().toISOString(),
  machine: { cpus: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown", node: process.version },
  blas: { library: blas.name, path: blas.path, threads },
  sgemmPeakGflops: peak,
  rows,
  ...(quickstart && { quickstart }),
};
const pct = (v) => `${(v * 100).toFixed(1)} %`;
const md = [
  `# Training throughput on wasm: stock kernels vs BLAS (${blas.name}, ${threads} thread(s))`,
  "",
  `${result.date}, ${result.machine.cpus} CPUs (${result.machine.cpu}), Node ${result.machine.node}. sgemm in the same run: ${peak.square2048} GFLOP/s at 2048³, ${peak.lenetLayer64x784x300} GFLOP/s at 64×784×300; the ratios use the better, ${peak.best}. Each figure is the median of ${args.repeats} timed runs after a warm-up; masked Adam on the built-in digits (bench/compute/step.mjs).`,
  "",
  "| model | batch | stock ms/step | BLAS ms/step | speed-up | stock samples/s | BLAS samples/s | BLAS GFLOP/s | of sgemm peak | target |",
  "|---|---|---|---|---|---|---|---|---|---|",
  ...rows.map(
    (r) =>
      `| ${r.model} | ${r.batch} | ${r.stock.msPerStep} | ${r.blas.msPerStep} | ${r.speedup}x | ${r.stock.samplesPerSec} | ${r.blas.samplesPerSec} | ${r.blas.gflops} | ${pct(r.fractionOfPeak)} | ${r.target === undefined ? "" : `${pct(r.target)} ${r.met ? "met" : "missed"}`} |`,
  ),
  ...(quickstart
    ? ["", `Quickstart (examples/quickstart.yaml) wall time: ${quickstart.blasWallS} s with BLAS, ${quickstart.stockWallS} s with PRUNESWEEP_BLAS=off: ${quickstart.speedup}x (target 4x, ${quickstart.met ? "met" : "missed"}).`]
    : []),
  "",
];
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "compute.json"), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(outDir, "compute.md"), md.join("\n"));
console.log(`\n${md.join("\n")}`);
