// The coordinator of the control-plane benchmark, in its own process so that its memory can
// be measured alone. Talks to the parent over IPC.
import { loadCoordinatorConfig, startCoordinatorService, silentLogger } from "@prunesweep/coordinator";

const [natsUrl, trials, parallelism] = process.argv.slice(2);
const config = loadCoordinatorConfig({ nats: natsUrl, host: "127.0.0.1", port: "0", httpPort: "-1", store: "jetstream", ackWaitMs: "60000" }, {});
const tStart = performance.now();
const svc = await startCoordinatorService(config, silentLogger, { restore: process.env.BENCH_RESTORE ? [process.env.BENCH_RESTORE] : "none" });
const send = (m) => process.send?.(m);

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
  } else if (m.t === "restore") {
    // (restore mode) nothing: restoration happened at start
  } else if (m.t === "exit") {
    await svc.shutdown();
    process.exit(0);
  }
});
if (process.env.BENCH_RESTORE) {
  global.gc?.();
  const mem = process.memoryUsage();
  send({ t: "restored", ms: performance.now() - tStart, campaigns: svc.coordinator.campaigns().map((c) => ({ id: c.id, trials: c.trialCount })), rss: mem.rss, heap: mem.heapUsed });
}
send({ t: "ready" });
