// Benchmark (not a test): examples/quickstart.yaml end to end (`prunesweep run`, the README's
// main command) with the BLAS kernels and with PRUNESWEEP_BLAS=off, side by side: the two
// alternate, `--runs` of each, medians and their ratio (target: >= 4x). Each run gets a
// timeline from the times its output lines appear (start-up and data check, NATS + coordinator
// + `--workers auto`, the first trial, the other trials, results and report, exit).
//
//   node bench/compute/quickstart.mjs [--runs 3] [--cache fresh|warm]
//
// --cache fresh (default): every run starts with an empty `--workers auto` cache (its own
// XDG_CACHE_HOME) and worker cache folder (PRUNESWEEP_BLOB_CACHE: the decoded built-in digits),
// as a user's first run, so the throughput measurement is in every run; warm: one unmeasured
// run per engine fills them first, as a user's later runs.
// Nothing else is cached between runs: each has its own out dir, nats-server and store, and
// loads the data itself. Writes bench/results/quickstart.{json,md}; `npm run bench:compute --
// --quickstart` runs it too (bench/compute/run.mjs).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const outDir = join(here, "..", "results");

/** Output lines that close a phase of the timeline, in order. */
const MARKS = [
  { phase: "startup", what: "CLI start-up, spec and data check", re: /^data: / },
  { phase: "plan", what: "nats-server, coordinator, campaign, --workers auto", re: /^coordinator gRPC at / },
  { phase: "firstTrial", what: "worker start-up, pretraining, first trial", re: /^trial \d+ completed/ },
  { phase: "trials", what: "the other trials", re: /^\[(\d+)\/\1\] / },
  { phase: "results", what: "results, front models, report", re: /^report: / },
];

const round = (v, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One `prunesweep run examples/quickstart.yaml`: wall time, timeline, the split it picked. */
function runOnce(engine, cacheHome) {
  const dir = mkdtempSync(join(tmpdir(), `prunesweep-bench-quickstart-${engine}-`));
  // The worker's cache folder (the decoded built-in digits) goes with the `--workers auto` cache: empty in a first run.
  const env = { ...process.env, XDG_CACHE_HOME: cacheHome, PRUNESWEEP_BLOB_CACHE: join(cacheHome, "prunesweep-blobs"), PRUNESWEEP_BLAS: engine === "stock" ? "off" : (process.env["PRUNESWEEP_BLAS"] ?? "") };
  if (engine !== "stock" && !process.env["PRUNESWEEP_BLAS"]) delete env["PRUNESWEEP_BLAS"];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(root, "bin", "prunesweep.mjs"), "run", join(root, "examples", "quickstart.yaml"), "--out", join(dir, "out")], { env, stdio: ["ignore", "pipe", "inherit"] });
    const at = {};
    let split = "";
    let next = 0;
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("--workers auto:")) split = line;
      const mark = MARKS[next];
      if (mark && mark.re.test(line)) {
        at[mark.phase] = (performance.now() - t0) / 1000;
        next++;
      }
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const wallS = (performance.now() - t0) / 1000;
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`prunesweep run exited with ${code} (${engine})`));
      const phases = {};
      let prev = 0;
      for (const m of MARKS) {
        if (at[m.phase] === undefined) continue;
        phases[m.phase] = round(at[m.phase] - prev, 2);
        prev = at[m.phase];
      }
      phases["exit"] = round(wallS - prev, 2);
      resolve({ engine, wallS: round(wallS, 2), phases, split });
    });
  });
}

/**
 * Times the quickstart `runs` times per engine, alternating BLAS and stock.
 * @returns medians, their ratio, and every run
 */
export async function measureQuickstart({ runs = 3, cache = "fresh", log = (s) => console.log(s) } = {}) {
  if (cache !== "fresh" && cache !== "warm") throw new RangeError(`--cache ${cache}: expected fresh or warm`);
  const homes = [];
  const home = () => {
    const h = mkdtempSync(join(tmpdir(), "prunesweep-bench-cache-"));
    homes.push(h);
    return h;
  };
  const warm = cache === "warm" ? home() : undefined;
  const all = [];
  try {
    if (warm) {
      for (const engine of ["blas", "stock"]) log(`warm-up run (${engine}): ${(await runOnce(engine, warm)).wallS} s, not counted`);
    }
    for (let i = 0; i < runs; i++) {
      for (const engine of ["blas", "stock"]) {
        const r = await runOnce(engine, warm ?? home());
        all.push(r);
        log(`quickstart ${engine} #${i + 1}: ${r.wallS} s (${Object.entries(r.phases).map(([k, v]) => `${k} ${v}`).join(", ")}); ${r.split}`);
      }
    }
  } finally {
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  }
  const of = (engine) => all.filter((r) => r.engine === engine);
  const summary = (engine) => {
    const rs = of(engine);
    const phases = {};
    for (const p of Object.keys(rs[0].phases)) phases[p] = round(median(rs.map((r) => r.phases[p] ?? 0)), 2);
    return { wallS: round(median(rs.map((r) => r.wallS)), 1), phases };
  };
  const blas = summary("blas");
  const stock = summary("stock");
  const speedup = round(stock.wallS / blas.wallS, 2);
  return { cache, runs, blasWallS: blas.wallS, stockWallS: stock.wallS, speedup, target: 4, met: speedup >= 4, blas, stock, all };
}

/** The markdown of a {@link measureQuickstart} result. */
export function quickstartMarkdown(q, machine) {
  const rows = [...MARKS.map((m) => [m.phase, m.what]), ["exit", "stopping workers, coordinator and nats-server"]];
  return [
    `# Quickstart end to end: BLAS vs PRUNESWEEP_BLAS=off`,
    "",
    `${machine.date}, ${machine.cpus} CPUs (${machine.cpu}), Node ${machine.node}, load average before / after ${machine.loadBefore.join(" / ")} → ${machine.loadAfter.join(" / ")} (a shared machine: other jobs ran). \`prunesweep run examples/quickstart.yaml\` (12 trials, 2 epochs of fine-tuning each after a shared 5-epoch pretraining), ${q.runs} runs per engine alternating, ${q.cache === "fresh" ? "each a first run (empty `--workers auto` cache: the throughput measurement is in every run)" : "the `--workers auto` cache filled by an uncounted run first (a user's later runs)"}; medians (bench/compute/quickstart.mjs).`,
    "",
    `**${q.blasWallS} s with BLAS, ${q.stockWallS} s with PRUNESWEEP_BLAS=off: ${q.speedup}x** (target 4x, ${q.met ? "met" : "missed"}).`,
    "",
    "| phase (ends when the line appears) | BLAS s (median) | stock s (median) |",
    "|---|---|---|",
    ...rows.map(([p, what]) => `| ${p}: ${what} | ${q.blas.phases[p] ?? ""} | ${q.stock.phases[p] ?? ""} |`),
    `| **total** | **${q.blasWallS}** | **${q.stockWallS}** |`,
    "",
    "Runs:",
    "",
    ...q.all.map((r) => `- ${r.engine}: ${r.wallS} s — ${Object.entries(r.phases).map(([k, v]) => `${k} ${v}`).join(", ")}; ${r.split || "(no --workers auto line)"}`),
    "",
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values: args } = parseArgs({ options: { runs: { type: "string", default: "3" }, cache: { type: "string", default: "fresh" } } });
  const loadBefore = loadavg().map((v) => round(v));
  const q = await measureQuickstart({ runs: Number(args.runs), cache: args.cache });
  const machine = { date: new Date().toISOString(), cpus: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown", node: process.version, loadBefore, loadAfter: loadavg().map((v) => round(v)) };
  const md = quickstartMarkdown(q, machine);
  mkdirSync(outDir, { recursive: true });
  const name = q.cache === "fresh" ? "quickstart" : "quickstart-warm";
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ ...machine, ...q }, null, 2)}\n`);
  writeFileSync(join(outDir, `${name}.md`), md);
  console.log(`\n${md}`);
}
