/**
 * `budget.trialTimeout` on real processes (nats-server, `prunesweep coordinator`, workers):
 * the worker aborts a trial that trains past the limit and reports it failed, timed out; a
 * worker that goes silent (SIGSTOP) is caught by the coordinator at the limit plus its grace.
 * Either way the trial is final after one attempt and its JetStream message is terminated,
 * not redelivered.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connectNats } from "@prunesweep/coordinator";
import { TRIALS_STREAM } from "@prunesweep/proto";
import { afterAll, describe, expect, it } from "vitest";
import { ProcessCampaign, finalEventsPerTrial } from "../harness/campaign-process.js";
import { check } from "../harness/wait.js";

/** A campaign of `epochs` values (grid order), each trial's fine-tuning as long as its value says. */
function timeoutSpec(name: string, epochs: readonly number[], timeout: string): string {
  return `
name: ${name}
seed: 5
task:
  dataset: { synthetic: { samples: 4000, features: 64, classes: 3 } }
  model: mlp
  modelOptions: { hidden: [128] }
  pretrain: { epochs: 1, optimizer: adam, learningRate: 0.01, batchSize: 32 }
objectives: [{ metric: accuracy, direction: maximize }]
space:
  sparsity: 0.5
  finetune.epochs: { values: [${epochs.join(", ")}] }
sampler: grid
budget: { maxTrials: ${epochs.length}, parallelism: ${epochs.length}, maxRetries: 3, trialTimeout: ${timeout} }
`;
}

/** Messages left in the trial work queue (acked and terminated ones are gone). */
async function queued(natsUrl: string): Promise<number> {
  const nc = await connectNats({ url: natsUrl, name: "test-queue-reader", connectTimeoutMs: 5_000 });
  try {
    return (await (await jetstreamManager(nc)).streams.info(TRIALS_STREAM)).state.messages;
  } finally {
    await nc.close();
  }
}

describe("fault: a trial past budget.trialTimeout", () => {
  const worker = new ProcessCampaign(timeoutSpec("timeout-worker", [2, 1000], "20s"));
  // A lease longer than the limit plus the grace: the coordinator, not a redelivery, ends the attempt.
  const silent = new ProcessCampaign(timeoutSpec("timeout-silent", [1000], "3s"), 15_000);
  afterAll(async () => {
    await worker.close();
    await silent.close();
  });

  it("the worker aborts it at the limit and reports it failed, timed out; the other trial completes", async () => {
    await worker.start(["w1", "w2"]);
    const s = await worker.waitFinished(120_000);
    const byEpochs = new Map(s.snapshots().map((t) => [t.params["finetune.epochs"], t]));
    const long = byEpochs.get(1000);
    expect(byEpochs.get(2)?.state, byEpochs.get(2)?.error).toBe("completed");
    expect(long?.state).toBe("failed");
    expect(long?.error).toBe("TrialTimeoutError: trial timed out after 20 s (budget.trialTimeout)");
    expect(long?.attempts).toBe(1);
    for (const [id, n] of finalEventsPerTrial(await worker.events())) expect(n, id).toBe(1);
    // Terminated, not redelivered: nothing is left in the work queue, and no second attempt started.
    await check(async () => (await queued(worker.natsUrl)) === 0, 20_000, 500);
    expect((await worker.events()).filter((e) => e.type === "TrialStarted" && e.trialId === long?.id)).toHaveLength(1);
    const out = [...worker.workers.values()].map((w) => w.output()).join("\n");
    expect(out).toContain("trial timed out; aborting it");
  });

  it("the coordinator fails a silent attempt at the limit plus its grace, and the redelivery is cancelled and terminated", async () => {
    await silent.start(["s1"]);
    const victim = await check(async () => (await silent.state()).snapshots().find((t) => t.state === "running"), 90_000, 200);
    const frozen = silent.workers.get("s1")!;
    frozen.child.kill("SIGSTOP"); // no heartbeat, no report, no abort: only the coordinator can end it
    const stoppedAt = Date.now();
    silent.startWorker("s2");
    try {
      const s = await silent.waitFinished(90_000);
      const t = s.trial(victim.id);
      expect(t.state).toBe("failed");
      expect(t.error).toBe("timed out: no result within budget.trialTimeout (3000 ms) plus a grace of 5000 ms");
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(3_000);
      // s1's lease expires, s2 gets the delivery, the coordinator answers "cancel", s2 terminates it.
      await check(async () => (await queued(silent.natsUrl)) === 0, 60_000, 500);
      const events = await silent.events();
      expect(events.filter((e) => e.type === "TrialStarted" && e.trialId === victim.id)).toHaveLength(1);
      for (const [id, n] of finalEventsPerTrial(events)) expect(n, id).toBe(1);
    } finally {
      frozen.child.kill("SIGKILL");
    }
  });
});
