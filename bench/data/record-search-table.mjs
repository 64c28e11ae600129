#!/usr/bin/env node
// Records the search-efficiency table: real trials of the worker (runTrial, the code a worker
// process runs) over a grid of pruning configurations of LeNet-5 on the built-in MNIST digits,
// each with its full curve (one entry per progress step: validation accuracy, remaining
// weights, loss, wall time) and its final metrics. The grid covers five methods and their
// parameters; each configuration is trained to the largest fidelity (4 fine-tune epochs or 4
// pruning rounds of one epoch), and shorter fine-tune lengths are prefixes of its curve (the
// shuffle and method seeds depend on the configuration only, not on its length).
// Output: one JSON line per configuration in bench/data/search-table.<shard>.jsonl, resumable
// (configurations already in the table or any shard are skipped, also those another shard
// records meanwhile); run several shards side by side with --shard i/n, and --reverse to take a
// shard's configurations from its end, --start 0.5 to begin in its middle. --pack merges the shards into the committed table,
// bench/data/search-table.jsonl.gz.
//   npm run build && nice -n 10 node bench/data/record-search-table.mjs --shard 0/2 &
//   nice -n 10 node bench/data/record-search-table.mjs --shard 1/2 &
//   node bench/data/record-search-table.mjs --pack
//   node bench/data/record-search-table.mjs --verify-prefix 5   # reruns one configuration per method at 2 steps
import { appendFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { InMemoryPretrainedStore, runTrial } from "@prunesweep/worker";
import { FIDELITY, SEARCH_TASK, TABLE_FILE, readRecordedLines, searchGrid } from "./search-space.mjs";

const { values: args } = parseArgs({
  options: {
    shard: { type: "string", default: "0/1" },
    limit: { type: "string", default: "0" },
    reverse: { type: "boolean", default: false },
    start: { type: "string", default: "0" },
    pack: { type: "boolean", default: false },
    "verify-prefix": { type: "string", default: "0" },
  },
});
const [shard, shards] = args.shard.split("/").map(Number);
if (!(shards >= 1 && shard >= 0 && shard < shards)) throw new Error(`--shard must be i/n with 0 <= i < n, got ${args.shard}`);
const dir = fileURLToPath(new URL(".", import.meta.url));
const out = `${dir}search-table.${shard}${args.reverse ? "r" : ""}${Number(args.start) > 0 ? "m" : ""}.jsonl`;
const recorded = () => new Set(readRecordedLines().map((l) => l.id));
if (args.pack) {
  const lines = readRecordedLines();
  writeFileSync(TABLE_FILE, gzipSync(lines.map((l) => JSON.stringify(l)).join("\n") + "\n", { level: 9 }));
  process.stderr.write(`packed ${lines.length} configurations into ${TABLE_FILE}\n`);
  process.exit(0);
}
const done = recorded();
const grid = searchGrid().filter((_, i) => i % shards === shard);
if (args.reverse) grid.reverse();
// --start f: begin at that fraction of the shard (a further recorder joining late takes the middle).
const from = Math.floor(Number(args.start) * grid.length);
grid.push(...grid.splice(0, from));
const todo = grid.filter((c) => !done.has(c.id));
const limit = Number(args.limit) || todo.length;
process.stderr.write(`shard ${shard}/${shards}: ${grid.length} configurations, ${done.size} recorded, ${Math.min(limit, todo.length)} to go\n`);
const pretrained = new InMemoryPretrainedStore();

/** Runs one configuration through the worker's trial runner, collecting its progress reports. */
async function record(id, params) {
  const started = performance.now();
  const curve = [];
  const outcome = await runTrial(
    { campaignId: "search-table", trialId: id, attempt: 1, params, task: SEARCH_TASK, budget: { maxSteps: 0, maxWallMs: 0 } },
    {
      signal: new AbortController().signal,
      progress: async (step, phase, m) => {
        curve.push({ step, phase, ms: Math.round(performance.now() - started), ...pick(m, ["val_accuracy", "remaining", "sparsity", "loss"]) });
        return "continue";
      },
      log: () => undefined,
    },
    { pretrained },
  );
  return { outcome, curve };
}

if (Number(args["verify-prefix"]) > 0) {
  // A shorter fine-tune length must replay the first steps of the recorded curve exactly.
  const lines = readRecordedLines();
  const byMethod = new Map();
  for (const l of lines) if (!byMethod.has(l.method)) byMethod.set(l.method, l);
  const picked = [...byMethod.values()].slice(0, Number(args["verify-prefix"]));
  const checks = [];
  for (const l of picked) {
    const steps = 2;
    const { outcome, curve } = await record(l.id, { ...l.params, [FIDELITY[l.method]]: steps });
    const same = outcome.kind === "completed" && curve.length === steps && curve.every((c, i) => c.val_accuracy === l.curve[i]?.val_accuracy && c.remaining === l.curve[i]?.remaining);
    checks.push({ id: l.id, steps, same, short: curve.map((c) => c.val_accuracy), recorded: l.curve.slice(0, steps).map((c) => c.val_accuracy) });
    process.stderr.write(`${l.id}: ${steps} steps ${same ? "match" : "DIFFER from"} the recorded curve\n`);
  }
  writeFileSync(`${dir}search-table-prefix-check.json`, JSON.stringify({ checkedAt: new Date().toISOString(), checks }, null, 1) + "\n");
  process.exit(checks.every((c) => c.same) ? 0 : 1);
}
const t0 = performance.now();
let n = 0;
for (const c of todo.slice(0, limit)) {
  if (recorded().has(c.id)) continue;
  const { outcome, curve } = await record(c.id, c.params);
  if (outcome.kind !== "completed") {
    process.stderr.write(`${c.id} ${outcome.kind}: ${JSON.stringify(outcome).slice(0, 300)}\n`);
    continue;
  }
  const m = outcome.metrics;
  const line = {
    id: c.id,
    method: c.params.method,
    params: c.params,
    curve,
    final: pick(m, ["accuracy", "val_accuracy", "effective_macs", "nonzero_params", "params", "sparsity", "remaining", "latency_ms_b1", "wall_ms_pretrain", "wall_ms_prune", "wall_ms_finetune"]),
    prunableParams: outcome.details.prunableParams ?? null,
    backend: outcome.details.backend,
    wallMs: outcome.wallMs,
  };
  appendFileSync(out, JSON.stringify(line) + "\n");
  n++;
  if (n % 10 === 0) process.stderr.write(`shard ${shard}: ${n} done in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
process.stderr.write(`shard ${shard}: recorded ${n} configurations in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
process.exit(0);

function pick(m, keys) {
  const o = {};
  for (const k of keys) if (m[k] !== undefined && Number.isFinite(m[k])) o[k] = m[k];
  return o;
}
