import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { status } from "@grpc/grpc-js";
import { jetstream } from "@nats-io/jetstream";
import { TrialAssignment, trialSubject } from "@prunesweep/proto";
import type { CampaignEvent } from "@prunesweep/coordinator";
import { startTestCluster, type TestCluster } from "../harness/cluster.js";
import { spawnWorker, stop, type Spawned } from "../harness/processes.js";
import { exchange } from "../harness/report-client.js";
import { finalEventsPerTrial } from "../harness/campaign-process.js";
import { tinySpec } from "../fixtures/tiny-spec.js";
import { check } from "../harness/wait.js";

describe("fault: duplicated and late result messages, duplicate dispatch, garbage on the trial subject", () => {
  let cluster: TestCluster;
  const workers: Spawned[] = [];
  beforeAll(async () => {
    cluster = await startTestCluster("jetstream");
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w)));
    await cluster?.close();
  });

  it("records each trial's result exactly once and keeps going", async () => {
    const campaign = await cluster.coordinator.submit(tinySpec("fault-dup", 6, 2), "dup.yaml");
    const endpoint = `127.0.0.1:${cluster.grpc.port}`;
    const js = jetstream(cluster.nc);
    // Garbage on the trial subject: the worker terminates it, logs it, and keeps going.
    await js.publish(trialSubject(campaign.id), new TextEncoder().encode("not a protobuf assignment \u0000\u00ff"), { msgID: "garbage-1" });
    workers.push(spawnWorker(cluster.nats.url, "w1"), spawnWorker(cluster.nats.url, "w2"));

    // Once the first trial completes, replay its result as a misbehaving worker would.
    const first = await check(() => campaign.trials().find((t) => t.state === "completed"), 120_000);
    const dup = { campaignId: campaign.id, trialId: first.id, attempt: first.attempts };
    const result = (metrics: Record<string, number>, seq: number) => ({
      ...dup,
      seq,
      payload: { $case: "result" as const, value: { metrics, detailsJson: "", wallMs: 1, stoppedEarly: false, lastStep: 1 } },
    });
    const r1 = await exchange(endpoint, [result({ ...first.metrics }, 999), result({ accuracy: 0.01, nonzero_params: 1 }, 1000)]);
    expect(r1.error).toBeUndefined();
    expect(r1.replies.filter((m) => m.payload?.$case === "ack")).toHaveLength(2);
    // A late result from another attempt is a no-op as well.
    const r2 = await exchange(endpoint, [{ ...result({ accuracy: 0.02, nonzero_params: 2 }, 1), attempt: first.attempts + 5 }]);
    expect(r2.error).toBeUndefined();
    expect(campaign.trial(first.id).metrics).toEqual(first.metrics);

    // Dispatching the same trial again is deduplicated by JetStream (msgID = trialId).
    const again = await js.publish(
      trialSubject(campaign.id),
      TrialAssignment.encode(TrialAssignment.fromPartial({ campaignId: campaign.id, trialId: first.id })).finish(),
      { msgID: first.id },
    );
    expect(again.duplicate).toBe(true);

    // Reports for unknown campaigns or trials are rejected with NOT_FOUND and not recorded.
    const r3 = await exchange(endpoint, [{ ...result({ accuracy: 1 }, 1), campaignId: "nope-000000" }]);
    expect(r3.error?.code).toBe(status.NOT_FOUND);
    const r4 = await exchange(endpoint, [{ ...result({ accuracy: 1 }, 1), trialId: `${campaign.id}-99999` }]);
    expect(r4.error?.code).toBe(status.NOT_FOUND);

    await campaign.finished;
    for (const t of campaign.trials()) expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
    expect(campaign.trial(first.id).metrics).toEqual(first.metrics);
    const events = (await cluster.store.load(campaign.id)) as CampaignEvent[];
    for (const [id, n] of finalEventsPerTrial(events)) expect(n, id).toBe(1);
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
  });
});
