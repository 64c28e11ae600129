import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summaryOf, type CampaignEvent } from "@prunesweep/coordinator";
import { startTestCluster, type TestCluster } from "../harness/cluster.js";
import { spawnWorker, stop, type Spawned } from "../harness/processes.js";
import { finalEventsPerTrial } from "../harness/campaign-process.js";

function spec(name: string, sampler: string, stopping: string): string {
  return `
name: ${name}
seed: 5
task:
  dataset: { synthetic: { samples: 600, features: 16, classes: 4 } }
  model: mlp
  modelOptions: { hidden: [32, 16] }
  pretrain: { epochs: 2, optimizer: adam, learningRate: 0.01, batchSize: 32 }
objectives:
  - { metric: accuracy, direction: maximize }
  - { metric: effective_macs, direction: minimize }
constraints:
  - "accuracy >= 0.3"
space:
  method: magnitude
  magnitude.sparsity: { min: 0.2, max: 0.98 }
  magnitude.scope: { values: [global, layer] }
  finetune.epochs: 4
  finetune.learningRate: { min: 1.0e-4, max: 1.0e-1, log: true }
sampler: ${sampler}
earlyStopping: ${stopping}
budget: { maxTrials: 12, parallelism: 2, maxRetries: 3 }
`;
}

describe("samplers and early stoppers inside real campaigns (NATS + gRPC + worker processes)", () => {
  let cluster: TestCluster;
  const workers: Spawned[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster();
    workers.push(spawnWorker(cluster.nats.url, "w1"), spawnWorker(cluster.nats.url, "w2"));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w)));
    await cluster?.close();
  });

  for (const [sampler, stopping] of [
    ["{ name: nsga2, populationSize: 4 }", "{ name: mo-asha, minResource: 1, reductionFactor: 3, metrics: [{ metric: val_accuracy, direction: maximize }, { metric: sparsity, direction: maximize }] }"],
    ["{ name: tpe, nStartupTrials: 4 }", "{ name: asha, minResource: 1, reductionFactor: 3, metric: val_accuracy, direction: maximize }"],
  ] as const) {
    it(`runs ${sampler} with ${stopping}: trials stop early and never enter the front`, async () => {
      const name = sampler.includes("nsga2") ? "strat-nsga2" : "strat-tpe";
      const campaign = await cluster.coordinator.submit(spec(name, sampler, stopping), `${name}.yaml`);
      await campaign.finished;
      const trials = campaign.trials();
      expect(trials).toHaveLength(12);
      for (const t of trials) expect(["completed", "stopped_early"], `${t.id}: ${t.error ?? ""}`).toContain(t.state);
      const stopped = trials.filter((t) => t.state === "stopped_early");
      expect(stopped.length).toBeGreaterThan(0);
      for (const t of stopped) expect(t.progress.length).toBeLessThan(4);
      const front = summaryOf(campaign).front.front;
      expect(front.length).toBeGreaterThan(0);
      for (const t of front) expect(t.state).toBe("completed");
      if (sampler.includes("tpe")) {
        // Constant liar: parallel suggestions differ (GA children may legitimately repeat a parent).
        const keys = new Set(trials.map((t) => JSON.stringify(t.params)));
        expect(keys.size).toBe(12);
      }
      const events = (await cluster.store.load(campaign.id)) as CampaignEvent[];
      for (const [id, n] of finalEventsPerTrial(events)) expect(n, id).toBe(1);
    });
  }
});
