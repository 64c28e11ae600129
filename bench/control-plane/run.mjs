#!/usr/bin/env node
// Control-plane benchmark (not a test): real nats-server, real coordinator (own process,
// JetStream event store), real gRPC; simulated workers that pull assignments and report
// synthetic metrics immediately. Prints JSON and a markdown table; writes
// bench/results/control-plane.json and .md.
//
// The resume of a 10^6-trial campaign, with and without snapshots, follows (resume-1m.mjs);
// --resume-only runs just that and updates its part of the results.
//
//   node bench/control-plane/run.mjs [--quick] [--resume-only] [--keep DIR [--resnapshot]] [--repeat N] [--no-full-replay] [--cpu-prof DIR]
//
// Iterating on the resume: --keep DIR keeps the nats-server store in DIR and the campaign
// written there, so later runs with --keep DIR skip writing the log (minutes) and time only
// the resumes (the snapshot is rewritten when the coordinator's format changed, or always
// with --resnapshot);
// --repeat N times N resumes from the snapshot (the median is reported); --no-full-replay
// skips the full replay and the layouts (nothing is written to bench/results then);
// --cpu-prof DIR writes a .cpuprofile of each resuming coordinator into DIR.
import { fork } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { silentLogger } from "@prunesweep/coordinator";
import { startNatsServer } from "@prunesweep/coordinator/cli";
import { connectWorkerNats, NatsTrialSource, GrpcReportChannel, decodeAssignment } from "@prunesweep/worker";
import { measureResume1M, resume1MMarkdown } from "./resume-1m.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const resumeOnly = process.argv.includes("--resume-only");
const noFullReplay = process.argv.includes("--no-full-replay");
/** The value after flag `name`, else undefined. */
function flagValue(name) {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`${name} needs a value`);
  return v;
}
const keep = flagValue("--keep");
const resnapshot = process.argv.includes("--resnapshot");
const cpuProf = flagValue("--cpu-prof");
const repeat = Number(flagValue("--repeat") ?? 1);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat ${flagValue("--repeat")}: a whole number of at least 1, please`);
const scenarios = quick
  ? [{ workers: 64, trials: 2_000 }, { workers: 256, trials: 2_000 }]
  : [
      { workers: 64, trials: 10_000 },
      { workers: 256, trials: 10_000 },
      { workers: 256, trials: 100_000 },
    ];

const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

function startChild(natsUrl, args, env = {}) {
  const child = fork(join(here, "coordinator-child.mjs"), [natsUrl, ...args], {
    execArgv: ["--expose-gc", ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiters = [];
  const inbox = [];
  child.on("message", (m) => {
    const i = waiters.findIndex((w) => w.t === m.t);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
    else inbox.push(m);
  });
  const next = (t) =>
    new Promise((resolve) => {
      const i = inbox.findIndex((m) => m.t === t);
      if (i >= 0) resolve(inbox.splice(i, 1)[0]);
      else waiters.push({ t, resolve });
    });
  return { child, next };
}

async function runScenario(natsUrl, { workers, trials }) {
  const { child, next } = startChild(natsUrl, [String(trials), String(workers)]);
  await next("ready");
  child.send({ t: "submit" });
  const { endpoint, campaignId } = await next("submitted");
  const nc = await connectWorkerNats({ url: natsUrl, connectTimeoutMs: 5000, name: "bench-workers" });
  const source = new NatsTrialSource(nc, silentLogger);
  // Each simulated worker is its own "process" with its own channel, as real workers are.
  const channels = Array.from({ length: workers }, () => new GrpcReportChannel({ log: silentLogger }));
  const dispatchToStart = [];
  const resultToAck = [];
  let stop = false;
  const t0 = performance.now();
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (!stop) {
      const lease = await source.next(1000);
      if (!lease) continue;
      const { request } = decodeAssignment(lease.data, lease.deliveryCount);
      const session = channels[w].open({ campaignId: request.campaignId, trialId: request.trialId, attempt: request.attempt }, endpoint);
      const answer = await session.hello(`sim-${w}`, "none", "bench");
      dispatchToStart.push(Date.now() - lease.publishedAtMs);
      if (answer === "cancel") {
        lease.reject();
        session.close();
        continue;
      }
      const r0 = performance.now();
      await session.finish({
        $case: "result",
        value: { metrics: { accuracy: Math.random(), nonzero_params: Math.round(Math.random() * 1e5) }, detailsJson: "", wallMs: 0, stoppedEarly: false, lastStep: 1 },
      });
      await lease.ack();
      resultToAck.push(performance.now() - r0);
      session.close();
    }
  });
  const fin = await next("finished");
  const wallS = (performance.now() - t0) / 1000;
  stop = true;
  source.close();
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 3000))]);
  await nc.close();
  for (const c of channels) c.close();
  child.send({ t: "exit" });
  await new Promise((r) => child.once("exit", r));
  return {
    campaignId,
    workers,
    trials,
    completed: fin.completed,
    trialsPerSecond: fin.completed / (fin.ms / 1000),
    wallSeconds: wallS,
    dispatchToStartMs: { p50: pct(dispatchToStart, 50), p99: pct(dispatchToStart, 99) },
    resultToAckMs: { p50: pct(resultToAck, 50), p99: pct(resultToAck, 99) },
    coordinatorRssMiB: fin.rss / 2 ** 20,
    bytesPerFinishedTrialRss: (fin.rss - fin.rss0) / fin.completed,
    bytesPerFinishedTrialHeap: (fin.heap - fin.heap0) / fin.completed,
  };
}

async function measureResume(natsUrl, campaignId) {
  const { child, next } = startChild(natsUrl, ["0", "1"], { BENCH_RESTORE: campaignId });
  const r = await next("restored");
  await next("ready");
  child.send({ t: "exit" });
  await new Promise((res) => child.once("exit", res));
  return { restoreMs: r.ms, campaigns: r.campaigns, rssMiB: r.rss / 2 ** 20 };
}

function markdown(out) {
  const { results, resume } = out;
  return [
    "| workers | trials | trials/s | dispatch→start p50/p99 ms | result→ack p50/p99 ms | coordinator RSS MiB | bytes/finished trial (RSS) | (heap) |",
    "|---|---|---|---|---|---|---|---|",
    ...results.map(
      (r) =>
        `| ${r.workers} | ${r.trials} | ${r.trialsPerSecond.toFixed(0)} | ${r.dispatchToStartMs.p50.toFixed(1)} / ${r.dispatchToStartMs.p99.toFixed(1)} | ${r.resultToAckMs.p50.toFixed(1)} / ${r.resultToAckMs.p99.toFixed(1)} | ${r.coordinatorRssMiB.toFixed(0)} | ${r.bytesPerFinishedTrialRss.toFixed(0)} | ${r.bytesPerFinishedTrialHeap.toFixed(0)} |`,
    ),
    "",
    `Resume (a fresh coordinator process connects, replays the ${resume.campaigns.map((c) => `${c.trials}-trial`).join(", ")} campaign from JetStream and is ready): ${resume.restoreMs.toFixed(0)} ms, RSS ${resume.rssMiB.toFixed(0)} MiB.`,
    "",
    ...(out.resume1m ? [resume1MMarkdown(out.resume1m), `(measured ${out.resume1m.date}, ${out.resume1m.machine})`, ""] : []),
  ].join("\n");
}

const resDir = join(here, "..", "results");
if (keep) mkdirSync(keep, { recursive: true });
const dir = keep ?? mkdtempSync(join(tmpdir(), "prunesweep-bench-cp-"));
const nats = await startNatsServer({ storeDir: join(dir, "nats") });
const machine = `${process.platform} ${process.arch}, node ${process.version}`;
try {
  let out;
  if (resumeOnly) {
    const file = join(resDir, "control-plane.json");
    out = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : { results: [], resume: { campaigns: [], restoreMs: NaN, rssMiB: NaN } };
  } else {
    const results = [];
    for (const s of scenarios) {
      process.stderr.write(`scenario: ${s.workers} workers, ${s.trials} trials...\n`);
      results.push(await runScenario(nats.url, s));
      process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
    }
    // Resume = a new coordinator process replaying the largest campaign from JetStream.
    const largest = results.reduce((a, b) => (b.trials > a.trials ? b : a));
    process.stderr.write(`resume: restoring campaign ${largest.campaignId} (${largest.trials} trials)...\n`);
    const resume = await measureResume(nats.url, largest.campaignId);
    out = { machine, date: new Date().toISOString(), results, resume };
  }
  const quickTrials = Number(process.env.BENCH_RESUME_TRIALS ?? 20_000);
  const sizes = quick ? { trials: quickTrials, parallelism: 64, snapshotEvery: quickTrials / 4, tailEvents: quickTrials / 4 - 100 } : {};
  const r1m = await measureResume1M(nats.url, { ...sizes, keep, resnapshot, repeat, fullReplay: !noFullReplay, cpuProf });
  out.resume1m = { machine, date: new Date().toISOString(), ...r1m };
  if (noFullReplay) {
    // Only the resumes from the snapshot were timed: no table, nothing written.
    console.log(JSON.stringify(out.resume1m, null, 2));
  } else {
    const md = markdown(out);
    console.log(JSON.stringify(out, null, 2));
    console.log(md);
  }
  mkdirSync(resDir, { recursive: true });
  if (!quick && !noFullReplay) {
    writeFileSync(join(resDir, "control-plane.json"), JSON.stringify(out, null, 2) + "\n");
    writeFileSync(join(resDir, "control-plane.md"), markdown(out));
  }
} finally {
  await nats.stop();
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
