// The coordinator of the control-plane benchmark, in its own process so that its memory can
// be measured alone. Talks to the parent over IPC.
//   BENCH_RESTORE=<id>          restore that campaign at start and report the time ("restored")
//   BENCH_SNAPSHOT_EVERY=<n>    --snapshot-every (default: the coordinator's)
import { loadCoordinatorConfig, startCoordinatorService, silentLogger } from "@prunesweep/coordinator";

const [natsUrl, trials, parallelism] = process.argv.slice(2);
const config = loadCoordinatorConfig(
  { nats: natsUrl, host: "127.0.0.1", port: "0", httpPort: "-1", store: "jetstream", ackWaitMs: "60000", snapshotEvery: process.env.BENCH_SNAPSHOT_EVERY },
  {},
);
const send = (m) => process.send?.(m);
// Forwards what the coordinator says about restores and snapshots.
const log = {
  ...silentLogger,
  info: (msg, fields) => {
    if (msg === "campaign restored" || msg === "campaign snapshot written") send({ t: "log", msg, fields });
  },
  warn: (msg, fields) => send({ t: "log", msg, fields }),
};
const tStart = performance.now();
const cpu0 = process.cpuUsage();
const svc = await startCoordinatorService(config, log, { restore: process.env.BENCH_RESTORE ? [process.env.BENCH_RESTORE] : "none" });

process.on("message", async (m) => {
  if (m.t === "submit") {
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const heap0 = process.memoryUsage().heapUsed;
    const spec = `
name: bench
seed: 1
task: { dataset: { synthetic: { samples: 100, features: 4, classes: 2 } }, model: mlp }
objectives: [{ metric: accuracy, direction: maximize }, { metric: nonzero_params, direction: minimize }]
space: { sparsity: { min: 0.1, max: 0.9 }, finetune.epochs: 1 }
budget: { maxTrials: ${trials}, parallelism: ${parallelism}, maxRetries: 3 }
`;
    const t0 = performance.now();
    const campaign = await svc.coordinator.submit(spec, "bench.yaml");
    send({ t: "submitted", campaignId: campaign.id, endpoint: svc.endpoint });
    const tick = setInterval(() => send({ t: "tick", done: campaign.counts().completed }), 1000);
    await campaign.finished;
    clearInterval(tick);
    const t1 = performance.now();
    global.gc?.();
    await new Promise((r) => setTimeout(r, 200));
    global.gc?.();
    const mem = process.memoryUsage();
    send({ t: "finished", ms: t1 - t0, completed: campaign.counts().completed, rss0, heap0, rss: mem.rss, heap: mem.heapUsed });
  } else if (m.t === "flush") {
    // Waits for the snapshot a long replay calls for.
    await svc.coordinator.flush();
    send({ t: "flushed" });
  } else if (m.t === "read-trials") {
    // The first read of every trial after a resume (finished trials are built then).
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const n = svc.coordinator.campaigns().reduce((k, c) => k + c.trials().length, 0);
    const c = process.cpuUsage(c0);
    send({ t: "read-trials", trials: n, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 });
  } else if (m.t === "exit") {
    await svc.shutdown();
    process.exit(0);
  }
});
if (process.env.BENCH_RESTORE) {
  const ms = performance.now() - tStart;
  const cpu = process.cpuUsage(cpu0);
  global.gc?.();
  const mem = process.memoryUsage();
  send({ t: "restored", ms, sinceProcessStartMs: performance.now(), campaigns: svc.coordinator.campaigns().map((c) => ({ id: c.id, trials: c.trialCount, status: c.status, counts: c.counts() })), rss: mem.rss, heap: mem.heapUsed, cpuMs: (cpu.user + cpu.system) / 1000 });
}
send({ t: "ready" });
