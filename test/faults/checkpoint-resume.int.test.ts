/**
 * Fault: kill -9 of a worker mid-fine-tune, with checkpoints (README, "Checkpoints"). A real
 * nats-server, the coordinator and real worker processes; the trial is killed after at least one
 * checkpoint, another worker resumes it from there, the epochs trained add up to the spec's, and
 * the result equals that of the same trial run without interruption (same seed: the reference
 * runs the very assignment, decoded from the queue, in this process on the same backend).
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { CHECKPOINTS_BUCKET, TRIALS_STREAM, trialSubject } from "@prunesweep/proto";
import { connectNats, type CampaignEvent } from "@prunesweep/coordinator";
import { NatsPretrainedStore, decodeAssignment, runTrial, type TrialOutcome, type TrialRequest } from "@prunesweep/worker";
import { afterAll, describe, expect, it } from "vitest";
import { ProcessCampaign, finalEventsPerTrial } from "../harness/campaign-process.js";
import { check } from "../harness/wait.js";

const EPOCHS = 8;

const SPEC = `
name: fault-checkpoint
seed: 5
task:
  dataset: { synthetic: { samples: 4000, features: 48, classes: 4 } }
  model: mlp
  modelOptions: { hidden: [192, 96] }
  pretrain: { epochs: 1, optimizer: adam, learningRate: 0.01, batchSize: 32 }
  backend: wasm
objectives:
  - { metric: accuracy, direction: maximize }
  - { metric: nonzero_params, direction: minimize }
space:
  sparsity: 0.8
  finetune.epochs: ${EPOCHS}
  finetune.batchSize: 16
sampler: { name: random }
budget: { maxTrials: 1, parallelism: 1, maxRetries: 4, checkpointEvery: 1 }
`;

/** Metrics that measure time, which no two runs share. */
const untimed = (m: Readonly<Record<string, number>>): Record<string, number> => Object.fromEntries(Object.entries(m).filter(([k]) => !/wall|latency|_ms/.test(k)));

type Progress = Extract<CampaignEvent, { type: "TrialProgress" }>;

describe("fault: kill -9 of a worker mid-fine-tune, resumed from its checkpoint", () => {
  const c = new ProcessCampaign(SPEC);
  afterAll(() => c.close());

  it("another worker finishes the trial from the checkpoint, with the uninterrupted result", async () => {
    await c.start(["w1"]);
    // Progress step 2 of the first attempt: the checkpoint of epoch 1 has been written (a
    // checkpoint follows its epoch's progress report).
    await check(async () => (await c.events()).find((e): e is Progress => e.type === "TrialProgress" && e.attempt === 1 && e.step >= 2), 180_000, 100);
    // The assignment, still in the queue (it is acked only when the trial ends).
    const nc = await connectNats({ url: c.natsUrl, name: "test-reader", connectTimeoutMs: 5_000 });
    let request: TrialRequest;
    try {
      const msg = await (await jetstreamManager(nc)).streams.getMessage(TRIALS_STREAM, { last_by_subj: trialSubject(c.campaignId) });
      if (!msg) throw new Error("the assignment is not in the queue");
      request = decodeAssignment(msg.data, 1).request;
    } finally {
      await nc.close();
    }
    c.workers.get("w1")!.child.kill("SIGKILL");
    c.startWorker("w2");

    const s = await c.waitFinished(300_000);
    const [trial] = s.snapshots();
    expect(trial?.state, trial?.error).toBe("completed");
    expect(trial?.attempts).toBeGreaterThanOrEqual(2);
    const events = await c.events();
    for (const [id, n] of finalEventsPerTrial(events)) expect(n, id).toBe(1);
    const done = events.find((e) => e.type === "TrialCompleted");
    if (done?.type !== "TrialCompleted") throw new Error("no TrialCompleted event");
    const details = done.details as { epochsTrained: number; epochsThisAttempt: number; checkpoint: { resumedFrom?: { step: number; epochsTrained: number; epoch: number } } };

    // Resumed from a checkpoint taken after at least one epoch, inside the fine-tuning.
    const from = details.checkpoint.resumedFrom;
    expect(from, "resumed from a checkpoint").toBeDefined();
    expect(from!.epochsTrained).toBeGreaterThanOrEqual(1);
    expect(from!.epoch).toBeLessThan(EPOCHS);
    // Epochs counted: the checkpointed ones plus those the finishing attempt trained make the
    // spec's. A checkpoint precedes its epoch's report, so every epoch the killed attempt
    // reported is in its checkpoint (none trained twice), and each step is recorded once.
    expect(details.epochsTrained).toBe(EPOCHS);
    expect(from!.epochsTrained + details.epochsThisAttempt).toBe(EPOCHS);
    const progress = events.filter((e): e is Progress => e.type === "TrialProgress");
    const seen = JSON.stringify({ from, finishingAttempt: done.attempt, progress: progress.map((e) => [e.attempt, e.step]) });
    const killed = progress.filter((e) => e.attempt === 1).map((e) => e.step);
    expect(killed.length, seen).toBeGreaterThanOrEqual(2);
    expect(Math.max(...killed), seen).toBeLessThanOrEqual(from!.step);
    const finishing = progress.filter((e) => e.attempt === done.attempt).map((e) => e.step);
    const lastKilled = Math.max(...killed);
    expect(finishing, seen).toEqual(Array.from({ length: EPOCHS - lastKilled }, (_, i) => lastKilled + 1 + i));
    expect(progress.map((e) => e.step).sort((a, b) => a - b), seen).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));

    // Its checkpoints are gone once it completed.
    const check2 = await connectNats({ url: c.natsUrl, name: "test-reader", connectTimeoutMs: 5_000 });
    try {
      const objects = await (await new Objm(jetstream(check2)).open(CHECKPOINTS_BUCKET)).list();
      expect(objects.filter((o) => !o.deleted).map((o) => o.name), "checkpoint objects left").toEqual([]);

      // The uninterrupted run of the same assignment, on the pretrained weights the workers shared.
      const reference: TrialOutcome = await runTrial(request, { signal: new AbortController().signal, progress: () => Promise.resolve("continue"), log: () => undefined }, {
        pretrained: new NatsPretrainedStore(check2, { owner: "reference" }),
      });
      if (reference.kind !== "completed") throw new Error(`reference run: ${JSON.stringify(reference)}`);
      expect(untimed(done.metrics)).toEqual(untimed(reference.metrics));
      expect(reference.details["epochsTrained"]).toBe(EPOCHS);
    } finally {
      await check2.close();
    }
  }, 600_000);
});
