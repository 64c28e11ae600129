// Resume of a 10^6-trial campaign (part of the control-plane benchmark): the campaign's log
// (CampaignCreated, then TrialCreated + TrialStarted + TrialCompleted per trial, the last
// `parallelism` trials still running) is written straight into JetStream with batched async
// publishes; then fresh coordinator processes restore it:
//   1. full replay with snapshots on: it writes a snapshot after the replay (timed);
//   2. `tailEvents` progress events are appended after the snapshot (a crash just before the
//      next snapshot is due: the worst case of the default --snapshot-every);
//   3. resume with snapshots: newest snapshot + the tail;
//   4. full replay of the same log (--snapshot-every 0: snapshots neither read nor written),
//      side by side with 3;
// and the snapshot layouts are compared on the same state (snapshot-codecs.mjs).
import { fork } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os, { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { connectNats, JetStreamCampaignStore } from "@prunesweep/coordinator";

const here = dirname(fileURLToPath(import.meta.url));

/** Node flags that write a CPU profile into `dir` when the process exits (none without a dir). */
const cpuProfFlags = (dir) => (dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : []);

function child(script, args, env, execArgv = [], cpuProf = process.env.BENCH_CPU_PROF) {
  const prof = cpuProfFlags(cpuProf);
  const c = fork(join(here, script), args, { execArgv: [...execArgv, ...prof], env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const inbox = [];
  const waiters = [];
  c.on("message", (m) => {
    if (m.t === "log") process.stderr.write(`  [coordinator] ${m.msg} ${JSON.stringify(m.fields)}\n`);
    const i = waiters.findIndex((w) => w.t === m.t);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
    else inbox.push(m);
  });
  const next = (t) =>
    new Promise((resolve, reject) => {
      const i = inbox.findIndex((m) => m.t === t);
      if (i >= 0) return resolve(inbox.splice(i, 1)[0]);
      waiters.push({ t, resolve });
      c.once("exit", (code) => reject(new Error(`${script} exited (${code}) before "${t}"`)));
    });
  const logs = () => inbox.filter((m) => m.t === "log");
  const exit = async () => {
    c.send({ t: "exit" });
    await new Promise((r) => c.once("exit", r));
  };
  return { c, next, logs, exit };
}

/** Publishes `count` events made by `make(i)` on `subject`, `window` publishes in flight. */
async function publishAll(js, subject, count, make, window = 4_000) {
  const enc = new TextEncoder();
  let inFlight = [];
  for (let i = 0; i < count; i++) {
    inFlight.push(js.publish(subject, enc.encode(JSON.stringify(make(i))), { timeout: 60_000 }));
    if (inFlight.length >= window) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
}

/** Writes the 10^6-trial log; returns the campaign id. */
async function writeCampaign(natsUrl, trials, parallelism) {
  const campaignId = `bench1m-${Math.random().toString(16).slice(2, 8)}`;
  const specYaml = `
name: bench1m
seed: 1
task: { dataset: { synthetic: { samples: 100, features: 4, classes: 2 } }, model: mlp }
objectives: [{ metric: accuracy, direction: maximize }, { metric: nonzero_params, direction: minimize }]
space: { sparsity: { min: 0.1, max: 0.9 }, finetune.epochs: 1 }
budget: { maxTrials: ${trials}, parallelism: ${parallelism}, maxRetries: 3 }
`;
  // The campaign index (KV) through the store itself; the bulk with raw publishes.
  const snc = await connectNats({ url: natsUrl, name: "bench-writer", connectTimeoutMs: 5_000 });
  const store = await JetStreamCampaignStore.create(snc);
  const t0 = Date.UTC(2026, 0, 1);
  await store.append({ type: "CampaignCreated", eventId: `${campaignId}:created`, campaignId, name: "bench1m", specYaml, at: t0 });
  await snc.close();
  const nc = await connect({ servers: natsUrl, name: "bench-writer-bulk" });
  const js = jetstream(nc);
  const subject = `prunesweep.v1.events.${campaignId}`;
  const started = performance.now();
  // Three events per trial, in the order a campaign writes them (trials overlap by `parallelism`).
  await publishAll(js, subject, 3 * trials, (k) => {
    const i = Math.floor(k / 3);
    const trialId = `${campaignId}-${String(i).padStart(5, "0")}`;
    const at = t0 + i * 10;
    switch (k % 3) {
      case 0:
        return { type: "TrialCreated", eventId: `${trialId}:created`, campaignId, trialId, number: i, params: { sparsity: 0.1 + ((i * 0.618034) % 0.8), "finetune.epochs": 1 }, at };
      case 1:
        return { type: "TrialStarted", eventId: `${trialId}:1:hello`, campaignId, trialId, attempt: 1, workerId: `sim-${i % parallelism}`, backend: "none", at: at + 2 };
      default:
        return i >= trials - parallelism
          ? { type: "TrialProgress", eventId: `${trialId}:1:p0`, campaignId, trialId, attempt: 1, step: 0, phase: "finetune", metrics: { accuracy: 0.5 }, at: at + 5 }
          : {
              type: "TrialCompleted",
              eventId: `${trialId}:1:result`,
              campaignId,
              trialId,
              attempt: 1,
              metrics: { accuracy: (i % 1000) / 1000, nonzero_params: 1000 + (i % 99_000) },
              details: {},
              wallMs: 7,
              stoppedEarly: false,
              lastStep: 1,
              at: at + 9,
            };
    }
  });
  await nc.close();
  return { campaignId, writeSeconds: (performance.now() - started) / 1000, events: 1 + 3 * trials };
}

/** Appends `n` progress events to the running trials (after the snapshot). */
async function appendTail(natsUrl, campaignId, trials, parallelism, n) {
  const nc = await connect({ servers: natsUrl, name: "bench-writer-tail" });
  const js = jetstream(nc);
  await publishAll(js, `prunesweep.v1.events.${campaignId}`, n, (k) => {
    const i = trials - parallelism + (k % parallelism);
    const step = 1 + Math.floor(k / parallelism);
    const trialId = `${campaignId}-${String(i).padStart(5, "0")}`;
    return { type: "TrialProgress", eventId: `${trialId}:1:p${step}`, campaignId, trialId, attempt: 1, step, phase: "finetune", metrics: { accuracy: 0.5 + step / 1e6 }, at: Date.UTC(2026, 1, 1) + k };
  });
  await nc.close();
}

/** One coordinator process restoring the campaign: time to ready, RSS, what it replayed. */
async function restore(natsUrl, campaignId, snapshotEvery, { waitForSnapshot = false, readTrials = false, cpuProf } = {}) {
  const p = child("coordinator-child.mjs", [natsUrl, "0", "1"], { BENCH_RESTORE: campaignId, BENCH_SNAPSHOT_EVERY: String(snapshotEvery) }, ["--expose-gc"], cpuProf);
  const r = await p.next("restored");
  await p.next("ready");
  const restoredLog = p.logs().find((m) => m.msg === "campaign restored")?.fields;
  let snapshot;
  if (waitForSnapshot) {
    p.c.send({ t: "flush" });
    await p.next("flushed");
    snapshot = p.logs().find((m) => m.msg === "campaign snapshot written")?.fields;
  }
  let firstRead;
  if (readTrials) {
    p.c.send({ t: "read-trials" });
    const x = await p.next("read-trials");
    firstRead = { ms: x.ms, cpuMs: x.cpuMs };
  }
  await p.exit();
  const c = r.campaigns[0];
  return { ms: r.ms, sinceProcessStartMs: r.sinceProcessStartMs, cpuMs: r.cpuMs, firstRead, loadAverage: loadavg()[0], rssMiB: r.rss / 2 ** 20, trials: c?.trials, counts: c?.counts, status: c?.status, restored: restoredLog, snapshot };
}

/**
 * Writes the campaign, lets a full replay write its snapshot and appends the tail (steps 1 and
 * 2). With `keep`, a directory that outlives the run (its nats-server store, see run.mjs
 * --keep), what was written is recorded there and reused by the next run with the same
 * sizes: only the snapshot is rewritten when the coordinator's format changed (resnapshot.mjs).
 */
async function prepare(natsUrl, o) {
  const { trials, parallelism, snapshotEvery, tailEvents, keep } = o;
  const record = keep && join(keep, "resume-1m.json");
  const sizes = { trials, parallelism, snapshotEvery, tailEvents };
  if (record && existsSync(record)) {
    const kept = JSON.parse(readFileSync(record, "utf8"));
    if (JSON.stringify(kept.sizes) === JSON.stringify(sizes)) {
      process.stderr.write(`resume-1m: reusing campaign ${kept.campaignId} kept in ${keep} (written ${kept.date})\n`);
      const args = [natsUrl, kept.campaignId, String(kept.firstSnapshot.write.position), ...(o.resnapshot ? ["--force"] : [])];
      const r = child("resnapshot.mjs", args, {}, ["--max-old-space-size=8192"], undefined);
      const done = await r.next("resnapshot");
      await new Promise((res) => r.c.once("exit", res));
      if (done.rebuilt) process.stderr.write(`resume-1m: snapshot rebuilt for the current format in ${(done.ms / 1000).toFixed(0)} s\n`);
      return { ...kept, reused: true };
    }
    throw new Error(`${record} holds a campaign of other sizes (${JSON.stringify(kept.sizes)}); use another --keep directory`);
  }
  process.stderr.write(`resume-1m: writing ${trials} trials (${3 * trials + 1} events) into JetStream...\n`);
  const written = await writeCampaign(natsUrl, trials, parallelism);
  process.stderr.write(`resume-1m: written in ${written.writeSeconds.toFixed(0)} s; full replay with snapshots on, then the snapshot it writes...\n`);
  const first = await restore(natsUrl, written.campaignId, snapshotEvery, { waitForSnapshot: true });
  if (!first.snapshot) throw new Error("the first full replay wrote no snapshot");
  process.stderr.write(`resume-1m: ${JSON.stringify(first)}\nresume-1m: appending ${tailEvents} events after the snapshot...\n`);
  await appendTail(natsUrl, written.campaignId, trials, parallelism, tailEvents);
  const prepared = { sizes, date: new Date().toISOString(), ...written, firstSnapshot: { fullReplayMs: first.ms, write: first.snapshot } };
  if (record) writeFileSync(record, JSON.stringify(prepared, null, 2) + "\n");
  return prepared;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * Runs the whole 10^6-trial resume measurement against a running nats-server. `repeat`
 * resumes from the snapshot are timed one after the other (the median run is reported, with
 * every run's times); `resnapshot` rewrites a kept campaign's snapshot even when it decodes
 * (after a change of what the coordinator writes); `fullReplay: false` skips the full replay and the layouts (for
 * iterating on the resume); `cpuProf` profiles the resumes from the snapshot into that folder.
 */
export async function measureResume1M(
  natsUrl,
  { trials = 1_000_000, parallelism = 256, snapshotEvery = 50_000, tailEvents = 49_000, keep, resnapshot = false, repeat = 1, fullReplay = true, cpuProf } = {},
) {
  const prepared = await prepare(natsUrl, { trials, parallelism, snapshotEvery, tailEvents, keep, resnapshot });
  const runs = [];
  for (let i = 0; i < repeat; i++) {
    runs.push(await restore(natsUrl, prepared.campaignId, snapshotEvery, { cpuProf, readTrials: true }));
    process.stderr.write(`resume-1m: from snapshot ${JSON.stringify(runs.at(-1))}\n`);
  }
  const fromSnapshot = runs.find((r) => r.ms === median(runs.map((x) => x.ms)));
  const result = {
    trials,
    events: prepared.events + tailEvents,
    snapshotEvery,
    tailEvents,
    writeSeconds: prepared.writeSeconds,
    firstSnapshot: prepared.firstSnapshot,
    ...(prepared.reused && { logWrittenAt: prepared.date }),
    fromSnapshot,
    fromSnapshotRuns: runs.map((r) => ({ ms: r.ms, sinceProcessStartMs: r.sinceProcessStartMs, cpuMs: r.cpuMs, firstRead: r.firstRead, loadAverage: r.loadAverage, loadMs: r.restored?.loadMs, rebuildMs: r.restored?.rebuildMs })),
  };
  if (!fullReplay) return result;
  process.stderr.write(`resume-1m: full replay of the same log...\n`);
  const full = await restore(natsUrl, prepared.campaignId, 0);
  process.stderr.write(`resume-1m: full ${JSON.stringify(full)}\nresume-1m: snapshot layouts...\n`);
  const codecs = child("snapshot-codecs.mjs", [natsUrl, prepared.campaignId], {}, ["--max-old-space-size=8192"], undefined);
  const layouts = (await codecs.next("layouts")).layouts;
  await new Promise((r) => codecs.c.once("exit", r));
  const same = JSON.stringify(fromSnapshot.counts) === JSON.stringify(full.counts) && fromSnapshot.trials === full.trials;
  return { ...result, fullReplay: full, sameCounts: same, speedup: full.ms / fromSnapshot.ms, layouts };
}

/** The markdown of {@link measureResume1M}'s result. */
export function resume1MMarkdown(r) {
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  return [
    `### Resume of a ${r.trials.toLocaleString("en")}-trial campaign`,
    "",
    `${r.events.toLocaleString("en")} events in \`PRUNESWEEP_EVENTS\`; the newest snapshot (\`--snapshot-every ${r.snapshotEvery}\`) is followed by ${r.tailEvents.toLocaleString("en")} events (a crash just before the next snapshot is due). Time from the coordinator's start (its modules loaded) to restored and ready (NATS connect, store open, snapshot fetch and decode, events after it read and applied, dispatch resumed), one fresh coordinator process each, same log, measured one after the other:`,
    "",
    "| resume | time (wall) | coordinator CPU time | load average (1 min) | RSS | events replayed |",
    "|---|---|---|---|---|---|",
    ...[
      [r.fromSnapshotRuns?.length > 1 ? `newest snapshot + events after it (median of ${r.fromSnapshotRuns.length} runs)` : "newest snapshot + events after it", r.fromSnapshot],
      ["full replay (`--snapshot-every 0`)", r.fullReplay],
    ].map(([name, x]) => `| ${name} | ${s(x.ms)} | ${x.cpuMs ? s(x.cpuMs) : "?"} | ${x.loadAverage?.toFixed(1) ?? "?"} | ${x.rssMiB.toFixed(0)} MiB | ${x.restored?.eventsReplayed ?? "?"} |`),
    "",
    ...(r.fromSnapshotRuns?.length > 1 ? [`Every resume from the snapshot, wall (CPU): ${r.fromSnapshotRuns.map((x) => `${s(x.ms)} (${s(x.cpuMs)})`).join(", ")}.`, ""] : []),
    ...(r.fromSnapshot.sinceProcessStartMs ? [`Counted from the process's own start (Node started, modules loaded), the median resume from the snapshot is ready after ${s(r.fromSnapshot.sinceProcessStartMs)}.`, ""] : []),
    ...(r.fromSnapshot.firstRead
      ? [
          `A resume from the snapshot builds only the trials not final; the finished ones stay in the decoded columns until first read. That first read of all ${r.trials.toLocaleString("en")} trials (a list of every trial, a sampler that reads the history, or the next snapshot, which builds them 20,000 at a time between events) then took ${s(r.fromSnapshot.firstRead.ms)} (${s(r.fromSnapshot.firstRead.cpuMs)} CPU), once.`,
          "",
        ]
      : []),
    `CPU time is the coordinator process's own (user + system) from its start to ready: on a shared machine it is what the resume costs, while the wall time also counts waiting for the CPU (the load average over ${os.cpus().length} cores).`,
    "",
    `Snapshot resume is ${r.speedup.toFixed(1)}x faster (wall), ${r.fullReplay.cpuMs && r.fromSnapshot.cpuMs ? (r.fullReplay.cpuMs / r.fromSnapshot.cpuMs).toFixed(1) : "?"}x (CPU); both give the same trial counts: ${r.sameCounts ? "yes" : "NO"}. The snapshot: ${r.firstSnapshot.write ? `${mib(r.firstSnapshot.write.bytes)}, written in ${s(r.firstSnapshot.write.ms)} (encode + gzip + object store upload, off the request path)` : "not written"}. Writing the log took ${r.writeSeconds.toFixed(0)} s (batched async publishes).${r.logWrittenAt ? ` The log, that first snapshot and the events after it were written on ${r.logWrittenAt} and kept for this run (run.mjs --keep), the snapshot then rewritten in the current format at the same log position; the write figures above are from that first run.` : ""}`,
    "",
    `Snapshot layouts on the same ${r.trials.toLocaleString("en")}-trial state (one encode and one decode each, in one process, one after the other):`,
    "",
    "| layout | size | encode wall (CPU) | decode wall (CPU) |",
    "|---|---|---|---|",
    ...r.layouts.map((l) => `| ${l.name} | ${mib(l.bytes)} | ${s(l.encodeMs)} (${l.encodeCpuMs ? s(l.encodeCpuMs) : "?"}) | ${s(l.decodeMs)} (${l.decodeCpuMs ? s(l.decodeCpuMs) : "?"}) |`),
    "",
    "CPU time includes the garbage collector's; gzip runs on libuv's thread pool, outside the main thread but inside the process, so it counts. Decoding builds every trial in each row (as JSON.parse does). The rows run in sequence in one process that already holds the decoded state, so later rows pay for a larger heap: the resume above (a fresh process: fetch, decode, state rebuilt and the events after the snapshot replayed, all within its CPU time) is the reference for decode cost. JSON of a million trials is also close to V8's largest string (about 512 MiB): a campaign twice this size, or with progress points, cannot be written as one JSON string at all.",
    "",
  ].join("\n");
}
