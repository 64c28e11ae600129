import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { summaryOf, type CampaignEvent } from "@prunesweep/coordinator";
import { startTestCluster, type TestCluster } from "../harness/cluster.js";
import { spawnWorker, stop, type Spawned } from "../harness/processes.js";
import { tinySpec } from "../fixtures/tiny-spec.js";

describe("a campaign over real NATS, gRPC and two worker processes", () => {
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

  it("runs every trial to exactly one final result and extracts a non-dominated front", async () => {
    const campaign = await cluster.coordinator.submit(tinySpec("int-basic", 6, 2), "tiny.yaml");
    const maxInFlight: number[] = [];
    campaign.onEvent(() => maxInFlight.push(campaign.inFlight().length));
    await campaign.finished;

    const trials = campaign.trials();
    expect(trials).toHaveLength(6);
    for (const t of trials) {
      expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
      expect(t.metrics["accuracy"]).toBeGreaterThan(0);
      expect(t.metrics["nonzero_params"]).toBeGreaterThan(0);
      expect(t.attempts).toBeGreaterThanOrEqual(1);
    }
    // parallelism is respected
    expect(Math.max(...maxInFlight)).toBeLessThanOrEqual(2);

    const events = (await cluster.store.load(campaign.id)) as CampaignEvent[];
    for (const t of trials) {
      const finals = events.filter((e) => (e.type === "TrialCompleted" || e.type === "TrialFailed") && e.trialId === t.id);
      expect(finals, t.id).toHaveLength(1);
    }
    // progress reports arrived (one per fine-tune epoch at least)
    expect(events.some((e) => e.type === "TrialProgress")).toBe(true);

    const front = summaryOf(campaign).front;
    expect(front.front.length).toBeGreaterThan(0);
    for (const a of front.front)
      for (const b of trials) {
        const dominates =
          b.metrics["accuracy"]! >= a.metrics["accuracy"]! &&
          b.metrics["nonzero_params"]! <= a.metrics["nonzero_params"]! &&
          (b.metrics["accuracy"]! > a.metrics["accuracy"]! || b.metrics["nonzero_params"]! < a.metrics["nonzero_params"]!);
        expect(dominates, `${b.id} dominates front member ${a.id}`).toBe(false);
      }
    expect(front.hypervolume).toBeGreaterThan(0);
  });
});
