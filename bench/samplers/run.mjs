#!/usr/bin/env node
/**
 * Sampler benchmark (not a test): final hypervolume and hypervolume at checkpoints of our
 * random, Sobol', TPE and NSGA-II samplers on ZDT1-3, DTLZ2 and the tabular pruning problem,
 * at parallelism 1 and 16, over several seeds; Optuna's TPESampler and NSGAIISampler
 * (population 50) on the same problems when `/usr/bin/python3 -c "import optuna"` works; and
 * ask+tell time per trial at 1,000 and 10,000 trials.
 *
 * Usage (after `npx tsc -b coordinator` or `npm run build`):
 *   node bench/samplers/run.mjs [--seeds 10] [--budget 1000] [--problems ZDT1,ZDT2,ZDT3,DTLZ2,pruning-table]
 *     [--samplers random,sobol,tpe,nsga2,nsga2-sbx] [--parallelism 1,16] [--optuna auto|skip|only]
 *     [--optuna-jobs 1] [--optuna-cached-only] [--no-timing | --timing-only] [--out bench/results]
 *
 * Budgets 200 and 1,000 are read from one 1,000-evaluation run: the samplers do not know the
 * budget and trials complete first-in first-out, so the first 200 completions of a 1,000 run
 * are exactly a 200 run. Optuna results are cached in <out>/optuna/ (one file per problem,
 * sampler, parallelism and seed) because Optuna's TPE needs minutes per run; delete the
 * folder to recompute. `--optuna-cached-only` reports the cached Optuna runs without starting
 * new ones (the tables then show how many seeds each cell has). `--no-timing` keeps the
 * timings of the previous samplers.json and `--timing-only` its hypervolumes, so the two
 * parts can be measured separately (e.g. timings on an otherwise idle machine).
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { RandomSampler, Nsga2Sampler, SobolSampler, TpeSampler, hypervolume } from "./coordinator-api.mjs";
import { runSampler, timeAskTell } from "./harness.mjs";
import { SYNTHETIC, loadPruningTable, zdt1, dtlz2 } from "./problems.mjs";
import { renderMarkdown } from "./report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const PYTHON = "/usr/bin/python3";
const CHECKPOINTS = [50, 100, 200, 500, 1000];

function parseArgs(argv) {
  const a = {
    seeds: 10,
    budget: 1000,
    problems: ["ZDT1", "ZDT2", "ZDT3", "DTLZ2", "pruning-table"],
    samplers: ["random", "sobol", "tpe", "nsga2", "nsga2-sbx"],
    parallelism: [1, 16],
    optuna: "auto",
    optunaJobs: 1,
    timing: true,
    out: join(root, "bench", "results"),
  };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i] ?? "";
    if (k === "--seeds") a.seeds = Number(v());
    else if (k === "--budget") a.budget = Number(v());
    else if (k === "--problems") a.problems = v().split(",");
    else if (k === "--samplers") a.samplers = v().split(",");
    else if (k === "--parallelism") a.parallelism = v().split(",").map(Number);
    else if (k === "--optuna") a.optuna = v();
    else if (k === "--optuna-jobs") a.optunaJobs = Number(v());
    else if (k === "--no-timing") a.timing = false;
    else if (k === "--timing-only") a.timingOnly = true;
    else if (k === "--optuna-cached-only") a.optunaCachedOnly = true;
    else if (k === "--out") a.out = v();
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

/** Factories of our samplers (per seed). */
const OURS = {
  random: (p) => new RandomSampler(p.space),
  sobol: (p, seed) => new SobolSampler(p.space, { seed }),
  tpe: (p) => new TpeSampler(p.space),
  nsga2: (p) => new Nsga2Sampler(p.space, { populationSize: 50 }),
  // The brief's operators (SBX η_c 20 + polynomial mutation η_m 20), for comparison.
  "nsga2-sbx": (p) => new Nsga2Sampler(p.space, { populationSize: 50, crossover: "sbx", crossoverEta: 20, mutationEta: 20 }),
};

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
const std = (xs) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};

/** {checkpoint: {mean, std, min, max}} over seeds. */
function summarize(runs, checkpoints) {
  const out = {};
  for (const c of checkpoints) {
    const xs = runs.map((r) => r.hv[c]).filter((x) => x !== undefined);
    if (xs.length > 0) out[c] = { mean: mean(xs), std: std(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
  }
  return out;
}

function hvHistory(losses, reference, checkpoints) {
  const hv = {};
  for (const c of checkpoints) if (c <= losses.length) hv[c] = hypervolume(losses.slice(0, c), reference);
  return hv;
}

function optunaAvailable() {
  try {
    return execFileSync(PYTHON, ["-c", "import optuna; print(optuna.__version__)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

const run = promisify(execFile);

/** One Optuna run (problem, sampler, parallelism, seed), from the cache or computed. */
async function optunaRun(problem, sampler, parallelism, seed, args, version, limit) {
  const dir = join(args.out, "optuna");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${problem.name}-${sampler}-p${parallelism}-s${seed}.json`);
  if (existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, "utf8"));
    if (cached.budget >= args.budget && cached.optuna === version) return cached;
  }
  if (args.optunaCachedOnly) return undefined;
  const { stdout } = await limit(() =>
    run(PYTHON, [join(here, "optuna_runner.py"), "--problem", problem.name, "--sampler", sampler, "--seed", String(seed), "--budget", String(args.budget), "--parallelism", String(parallelism)], {
      maxBuffer: 256 * 1024 * 1024,
    }),
  );
  const r = JSON.parse(stdout);
  const entry = { optuna: r.optuna, budget: args.budget, seconds: r.seconds, hv: hvHistory(r.losses, problem.reference, CHECKPOINTS) };
  writeFileSync(file, JSON.stringify(entry) + "\n");
  process.stderr.write(`  optuna ${sampler} ${problem.name} p${parallelism} seed ${seed}: ${r.seconds.toFixed(0)} s\n`);
  return entry;
}

/** A concurrency limiter for child processes. */
function limiter(n) {
  let active = 0;
  const queue = [];
  const next = () => {
    if (active >= n || queue.length === 0) return;
    active++;
    const { fn, resolve, reject } = queue.shift();
    fn().then(resolve, reject).finally(() => {
      active--;
      next();
    });
  };
  return (fn) => new Promise((resolve, reject) => {
    queue.push({ fn, resolve, reject });
    next();
  });
}

async function main() {
  const args = parseArgs(process.argv);
  const checkpoints = CHECKPOINTS.filter((c) => c <= args.budget);
  const problems = [];
  const skipped = [];
  for (const name of args.problems) {
    if (name === "pruning-table") {
      const t = loadPruningTable();
      if (t) problems.push(t);
      else skipped.push({ problem: name, reason: "bench/data/pruning-table.json is absent (produce it with the worker over a grid of pruning settings)" });
    } else {
      const p = SYNTHETIC.find((x) => x.name === name);
      if (!p) throw new Error(`unknown problem ${name}`);
      problems.push(p);
    }
  }
  for (const s of skipped) console.log(`skipped ${s.problem}: ${s.reason}`);
  checkProblems();

  const version = args.optuna === "skip" ? undefined : optunaAvailable();
  if (args.optuna !== "skip" && !version) console.log(`skipped Optuna: ${PYTHON} -c "import optuna" failed (apt-get install -y python3-optuna)`);
  const results = { generatedAt: new Date().toISOString(), node: process.version, optuna: version ?? null, budget: args.budget, seeds: args.seeds, checkpoints, skipped, quality: [], timing: [] };

  const limit = limiter(args.optunaJobs);
  const optunaPromises = [];
  if (version && !args.timingOnly) {
    // Queue order: NSGA-II (seconds per run) before TPE (minutes per run); parallelism 1
    // before 16; seeds in the outer loop, so an interrupted run still covers every problem.
    const groups = new Map();
    for (const sampler of ["nsga2", "tpe"].filter((x) => args.samplers.includes(x))) {
      for (const par of args.parallelism) {
        for (let seed = 0; seed < args.seeds; seed++) {
          for (const p of problems.filter((x) => x.name !== "pruning-table")) {
            const key = `${p.name}|${sampler}|${par}`;
            if (!groups.has(key)) groups.set(key, { problem: p.name, sampler, par, runs: [] });
            optunaPromises.push(optunaRun(p, sampler, par, seed, args, version, limit).then((r) => r && groups.get(key).runs.push(r)));
          }
        }
      }
    }
    results.optunaGroups = groups;
  }

  if (args.optuna !== "only" && !args.timingOnly) {
    for (const p of problems) {
      for (const sampler of args.samplers) {
        for (const par of args.parallelism) {
          const runs = [];
          const t0 = performance.now();
          for (let seed = 0; seed < args.seeds; seed++) {
            runs.push(runSampler({ problem: p, sampler: OURS[sampler](p, seed), budget: args.budget, parallelism: par, seed, checkpoints }));
          }
          const secondsPerRun = (performance.now() - t0) / 1000 / args.seeds;
          const hv = summarize(runs, checkpoints);
          results.quality.push({ problem: p.name, sampler, impl: "ours", parallelism: par, hv, secondsPerRun, waits: mean(runs.map((r) => r.waits)) });
          const last = hv[args.budget];
          console.log(`${p.name.padEnd(13)} ${sampler.padEnd(6)} p${String(par).padEnd(3)} HV@${args.budget} ${last.mean.toFixed(4)} ± ${last.std.toFixed(4)}  (${secondsPerRun.toFixed(2)} s/run)`);
          await new Promise((r) => setImmediate(r)); // let finished Optuna jobs record their results
        }
      }
    }
  }

  if (args.timing && args.optuna !== "only") {
    const zdt = SYNTHETIC.find((x) => x.name === "ZDT1");
    for (const history of [1000, 10000]) {
      for (const sampler of args.samplers.filter((x) => x !== "nsga2-sbx")) {
        const t = timeAskTell({ problem: zdt, makeSampler: () => OURS[sampler](zdt, 1), randomSampler: new RandomSampler(zdt.space), history });
        results.timing.push({ sampler, impl: "ours", problem: "ZDT1", history, msPerTrial: t.wallMs, cpuMsPerTrial: t.cpuMs });
        console.log(`timing ours   ${sampler.padEnd(6)} at ${history} trials: ${t.wallMs.toFixed(3)} ms wall, ${t.cpuMs.toFixed(3)} ms CPU per ask+tell`);
      }
    }
  }
  if (args.timing && version) {
    for (const history of [1000, 10000]) {
      for (const sampler of ["random", "tpe", "nsga2"].filter((s) => args.samplers.includes(s))) {
        // Optuna 3.1's TPE costs O(n²) per parameter; at 10,000 trials a few asks take minutes.
        const measure = sampler === "tpe" ? (history >= 10000 ? 2 : 5) : 20;
        const { stdout } = await limit(() =>
          run(PYTHON, [join(here, "optuna_runner.py"), "--mode", "timing", "--problem", "ZDT1", "--sampler", sampler, "--history", String(history), "--warmup", "1", "--measure", String(measure)], { maxBuffer: 1 << 24 }),
        );
        const r = JSON.parse(stdout);
        results.timing.push({ sampler, impl: "optuna", problem: "ZDT1", history, msPerTrial: r.ms_per_trial, cpuMsPerTrial: r.cpu_ms_per_trial, measured: measure });
        console.log(`timing optuna ${sampler.padEnd(6)} at ${history} trials: ${r.ms_per_trial.toFixed(3)} ms wall, ${r.cpu_ms_per_trial.toFixed(3)} ms CPU per ask+tell`);
      }
    }
  }

  await Promise.all(optunaPromises);
  const previousFile = join(args.out, "samplers.json");
  const previous = existsSync(previousFile) ? JSON.parse(readFileSync(previousFile, "utf8")) : undefined;
  if (previous && !args.timing) results.timing = previous.timing ?? [];
  for (const g of results.optunaGroups?.values() ?? []) {
    if (g.runs.length === 0) continue;
    results.quality.push({ problem: g.problem, sampler: g.sampler, impl: "optuna", parallelism: g.par, hv: summarize(g.runs, checkpoints), secondsPerRun: mean(g.runs.map((r) => r.seconds)) });
  }
  delete results.optunaGroups;
  // Rows this run did not measure (another problem set, `--optuna only`, `--timing-only`)
  // are kept from the previous samplers.json.
  const key = (q) => `${q.problem}|${q.sampler}|${q.impl}|${q.parallelism}`;
  const fresh = new Set(results.quality.map(key));
  for (const q of previous?.quality ?? []) if (!fresh.has(key(q))) results.quality.push(q);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, "samplers.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(args.out, "samplers.md"), renderMarkdown(results));
  console.log(`wrote ${join(args.out, "samplers.json")} and samplers.md`);
}

/** Sanity checks of the problem definitions against closed forms. */
function checkProblems() {
  const near = (a, b) => Math.abs(a - b) < 1e-12;
  const x = new Array(30).fill(0);
  x[0] = 0.25;
  const f = zdt1(x); // on the front: f2 = 1 − √f1
  if (!near(f[1], 1 - Math.sqrt(0.25))) throw new Error("ZDT1 is wrong");
  const y = new Array(12).fill(0.5);
  y[0] = 0.3;
  y[1] = 0.7;
  const g = dtlz2(y); // on the front: Σ f² = 1
  if (!near(g.reduce((s, v) => s + v * v, 0), 1)) throw new Error("DTLZ2 is wrong");
}

await main();
