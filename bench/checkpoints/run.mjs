#!/usr/bin/env node
// Checkpoint cost benchmark (not a test): a real nats-server and the worker's own trial runner
// (in this process). LeNet-300-100 on the built-in MNIST digits, one-shot magnitude pruning,
// fine-tuned `EPOCHS` epochs: the same trial without checkpoints (the reference, measured in the
// same run) and with a checkpoint every epoch into the JetStream object store, interleaved,
// `RUNS` times each. Then the resume: a trial aborted after half its epochs and run again.
// Prints and writes bench/results/checkpoints.json and .md.
//
//   node bench/checkpoints/run.mjs [--quick]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsServer } from "@prunesweep/coordinator/cli";
import { connectWorkerNats, InMemoryPretrainedStore, NatsCheckpointStore, runTrial } from "@prunesweep/worker";

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes("--quick");
const RUNS = quick ? 2 : 5;
const EPOCHS = quick ? 2 : 3;

const task = {
  dataset: { kind: "builtin", name: "mnist" },
  split: { train: 0.7, validation: 0.1, test: 0.2 },
  model: "lenet-300-100",
  modelOptions: {},
  exits: { positions: [], every: 0 },
  pretrain: { epochs: 1, optimizer: "adam", learningRate: 0.001, batchSize: 64 },
  backend: "auto",
  seed: 3,
  maxTrainExamples: 0,
};
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const hooks = (onStep = () => "continue") => {
  const ac = new AbortController();
  return { ac, signal: ac.signal, progress: (step) => Promise.resolve(onStep(step, ac)), log: () => undefined };
};
const request = (trialId, every) => ({
  campaignId: "bench",
  trialId,
  attempt: 1,
  params: { sparsity: 0.9, "finetune.epochs": EPOCHS },
  task,
  budget: { maxSteps: 0, maxWallMs: 0, checkpointEvery: every },
});

const dir = mkdtempSync(join(tmpdir(), "prunesweep-bench-ckpt-"));
const nats = await startNatsServer({ storeDir: join(dir, "nats") });
const nc = await connectWorkerNats({ url: nats.url, connectTimeoutMs: 5000, name: "bench-checkpoints" });
const natsStore = new NatsCheckpointStore(nc);
// The NATS store, timing its writes (each put: encode + upload).
const putMs = [];
const checkpoints = {
  get: (name) => natsStore.get(name),
  deletePrefix: (prefix) => natsStore.deletePrefix(prefix),
  put: async (name, w) => {
    const t0 = performance.now();
    await natsStore.put(name, w);
    if (!name.endsWith("/index")) putMs.push(performance.now() - t0);
  },
};
const pretrained = new InMemoryPretrainedStore();
try {
  const warm = await runTrial(request("warm", 0), hooks(), { pretrained, checkpoints });
  if (warm.kind !== "completed") throw new Error(JSON.stringify(warm));
  const backend = warm.details.backend;
  const rows = { off: [], every1: [] };
  let bytesPerTrial = 0;
  let writes = 0;
  for (let r = 0; r < RUNS; r++) {
    // The same trial (same id, so the same shuffles) with and without checkpoints.
    for (const [name, every] of [["off", 0], ["every1", 1]]) {
      const t0 = performance.now();
      const out = await runTrial(request(`trial-${r}`, every), hooks(), { pretrained, checkpoints });
      if (out.kind !== "completed") throw new Error(JSON.stringify(out));
      rows[name].push({ trialMs: performance.now() - t0, finetuneMs: out.metrics.wall_ms_finetune, accuracy: out.metrics.accuracy });
      if (every) {
        bytesPerTrial = out.details.checkpoint.bytesWritten;
        writes = out.details.checkpoint.writes;
      }
    }
  }
  // Resume: abort after half the epochs, then the second attempt (replay + the remaining epochs).
  const resumeMs = [];
  for (let r = 0; r < RUNS; r++) {
    const id = `resume-${r}`;
    const half = Math.max(1, Math.floor(EPOCHS / 2));
    const first = await runTrial(request(id, 1), hooks((step, ac) => (step >= half && ac.abort(new Error("bench")), "continue")), { pretrained, checkpoints });
    if (first.kind !== "aborted") throw new Error(JSON.stringify(first));
    const t0 = performance.now();
    const second = await runTrial({ ...request(id, 1), attempt: 2 }, hooks(), { pretrained, checkpoints });
    if (second.kind !== "completed") throw new Error(JSON.stringify(second));
    resumeMs.push(performance.now() - t0);
  }
  const epochOff = median(rows.off.map((x) => x.finetuneMs)) / EPOCHS;
  const epochOn = median(rows.every1.map((x) => x.finetuneMs)) / EPOCHS;
  const result = {
    when: new Date().toISOString(),
    // Shared machines: the 1-minute load average at the end says how noisy the epoch times are.
    loadAverage: Number(loadavg()[0].toFixed(1)),
    backend,
    model: "lenet-300-100",
    params: 266_610,
    epochs: EPOCHS,
    runs: RUNS,
    epochMsWithout: Math.round(epochOff),
    epochMsWithCheckpointEveryEpoch: Math.round(epochOn),
    ratio: Number((epochOn / epochOff).toFixed(3)),
    checkpointWritesPerTrial: writes,
    bytesPerCheckpoint: Math.round(bytesPerTrial / Math.max(1, writes)),
    putMsMedian: Math.round(median(putMs)),
    uninterruptedTrialMs: Math.round(median(rows.every1.map((x) => x.trialMs))),
    resumedAttemptMs: Math.round(median(resumeMs)),
    accuracyEqual: rows.off.every((x, i) => x.accuracy === rows.every1[i].accuracy),
  };
  const md = [
    `# Checkpoint cost (${result.when}, backend ${backend}, ${RUNS} runs each, interleaved, medians, load average ${result.loadAverage})`,
    "",
    "| | value |",
    "|---|---|",
    `| fine-tuning epoch, no checkpoints (reference) | ${result.epochMsWithout} ms |`,
    `| fine-tuning epoch, a checkpoint every epoch | ${result.epochMsWithCheckpointEveryEpoch} ms |`,
    `| ratio | ${result.ratio} |`,
    `| bytes per checkpoint (weights + Adam state) | ${(result.bytesPerCheckpoint / 1e6).toFixed(2)} MB |`,
    `| one checkpoint object written (encode + upload to a local nats-server) | ${result.putMsMedian} ms |`,
    `| uninterrupted trial with checkpoints (pretrained weights cached) | ${result.uninterruptedTrialMs} ms |`,
    `| resumed attempt after ${Math.max(1, Math.floor(EPOCHS / 2))} of ${EPOCHS} epochs (replay, load, rest) | ${result.resumedAttemptMs} ms |`,
    `| same accuracy with and without checkpoints | ${result.accuracyEqual} |`,
    "",
  ].join("\n");
  console.log(JSON.stringify(result, null, 2));
  console.log(md);
  mkdirSync(join(here, "..", "results"), { recursive: true });
  writeFileSync(join(here, "..", "results", "checkpoints.json"), JSON.stringify(result, null, 2) + "\n");
  writeFileSync(join(here, "..", "results", "checkpoints.md"), md);
} finally {
  await nc.close();
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
}
