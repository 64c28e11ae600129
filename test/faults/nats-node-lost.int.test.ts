/**
 * A NATS node lost: a 3-node JetStream cluster, the coordinator and two workers connected to
 * all three servers with --nats-replicas 3. Mid-campaign the JetStream meta leader, made the
 * leader of the event log's and the work queue's streams too, is killed with SIGKILL; trials keep completing on the two others; later it restarts
 * with the same store and cluster configuration and catches up. The campaign completes with
 * every trial recorded exactly once, in the event log and in the results the coordinator serves.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACT_CLAIMS_BUCKET, ARTIFACTS_BUCKET, CAMPAIGNS_BUCKET, EVENTS_STREAM, TRIALS_CONSUMER, TRIALS_STREAM } from "@prunesweep/proto";
import { ProcessCampaign, finalEventsPerTrial } from "../harness/campaign-process.js";
import { NatsCluster } from "../harness/nats-cluster.js";
import { spawnCli, spawnWorker } from "../harness/processes.js";
import { check } from "../harness/wait.js";
import { faultSpec } from "../fixtures/fault-spec.js";

const TRIALS = 10;
const REPLICAS = 3;
/** Every stream the coordinator and the workers create, by its JetStream stream name. */
const STREAMS = [TRIALS_STREAM, EVENTS_STREAM, `KV_${CAMPAIGNS_BUCKET}`, `KV_${ARTIFACT_CLAIMS_BUCKET}`, `OBJ_${ARTIFACTS_BUCKET}`];

describe("fault: a NATS node lost (3-node JetStream cluster, replicas 3)", () => {
  let cluster: NatsCluster | undefined;
  let c: ProcessCampaign | undefined;
  afterAll(async () => {
    await c?.close();
    await cluster?.close();
  });

  it("refuses --nats-replicas 5 on 3 servers, in the coordinator and in a worker, naming the flag", async () => {
    cluster = await NatsCluster.start(mkdtempSync(join(tmpdir(), "prunesweep-nats-cluster-")), 3);
    const coordinator = spawnCli(["coordinator", "--nats", cluster.url, "--nats-replicas", "5", "--port", "0", "--http-port", "-1", "--log-level", "warn"]);
    expect(await coordinator.exited, coordinator.output()).toBe(2);
    expect(coordinator.output()).toContain("--nats-replicas 5: cannot create stream PRUNESWEEP_EVENTS");
    expect(coordinator.output()).toContain("fewer than 5 servers up");
    const worker = spawnWorker(cluster.url, "r5", ["--nats-replicas", "5"]);
    expect(await worker.exited, worker.output()).toBe(1);
    expect(worker.output()).toContain(`--nats-replicas 5: cannot create object store ${ARTIFACTS_BUCKET}`);
  });

  it("keeps going on two servers when the leader is killed, and records every trial once", async () => {
    cluster ??= await NatsCluster.start(mkdtempSync(join(tmpdir(), "prunesweep-nats-cluster-")), 3);
    c = new ProcessCampaign(faultSpec("fault-nats-node-lost", TRIALS, 2), 4_000, [], { url: cluster.url, replicas: REPLICAS });
    await c.start(["w1", "w2"]);
    const nodes = cluster.nodes.map((n) => n.name).sort();

    // Every stream, KV bucket and object store has a copy on each of the three servers (the
    // workers create the artifact buckets as they start).
    for (const stream of STREAMS) {
      const si = await cluster.waitStreamCurrent(stream);
      expect(si.config.num_replicas, stream).toBe(REPLICAS);
      expect([si.cluster?.leader, ...(si.cluster?.replicas ?? []).map((r) => r.name)].sort(), stream).toEqual(nodes);
    }

    await check(async () => {
      const n = (await c!.state()).counts();
      return n.completed >= 2 && n.running >= 1;
    }, 180_000, 200);
    // The victim leads the most: the JetStream meta group, the event log and the work queue.
    const victim = await cluster.waitReady();
    await cluster.moveStreamLeader(EVENTS_STREAM, victim);
    await cluster.moveStreamLeader(TRIALS_STREAM, victim);
    expect(await cluster.waitReady()).toBe(victim);
    expect((await cluster.streamInfo(EVENTS_STREAM)).cluster?.leader).toBe(victim);
    expect((await cluster.streamInfo(TRIALS_STREAM)).cluster?.leader).toBe(victim);
    const consumerLeader = (await cluster.consumerInfo(TRIALS_STREAM, TRIALS_CONSUMER)).cluster?.leader;
    process.stderr.write(
      `nats-node-lost: killing ${victim}: meta leader, ${EVENTS_STREAM} and ${TRIALS_STREAM} leader${consumerLeader === victim ? ", work-queue consumer leader" : ""}\n`,
    );
    // Reads go through check(): a JetStream API call may time out while leaders change.
    const completedAtKill = (await check(() => c!.state(), 60_000)).counts().completed;
    await cluster.kill(victim);

    // The two others elect new leaders and the campaign goes on without the lost server.
    const newLeader = await check(async () => {
      const l = (await cluster!.streamInfo(EVENTS_STREAM)).cluster?.leader;
      return l && l !== victim ? l : undefined;
    }, 60_000, 200);
    expect(newLeader).not.toBe(victim);
    const whileDown = await check(async () => {
      const n = (await c!.state()).counts().completed;
      return n >= Math.min(completedAtKill + 2, TRIALS) ? n : undefined;
    }, 180_000, 500);
    expect(whileDown).toBeGreaterThan(completedAtKill);

    // Back with the same store: it rejoins and catches up with every stream.
    await cluster.restart(victim);
    await cluster.waitReady();
    for (const stream of STREAMS) await cluster.waitStreamCurrent(stream);

    const s = await c.waitFinished(240_000);
    expect(s.trialCount).toBe(TRIALS);
    for (const t of s.snapshots()) expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
    const events = await check(() => c!.events(), 60_000);
    const finals = finalEventsPerTrial(events);
    expect(finals.size).toBe(TRIALS);
    for (const [id, n] of finals) expect(n, `final events of ${id}`).toBe(1);
    expect(new Set(events.map((e) => e.eventId)).size, "an event appended twice").toBe(events.length);

    // The results the coordinator serves: each trial once, with the metrics of its one result.
    const exported = spawnCli(["export", c.campaignId, "--coordinator", `127.0.0.1:${c.port}`, "--format", "json"]);
    expect(await exported.exited, exported.output()).toBe(0);
    const results = JSON.parse(exported.output()) as { trials: { id: string; state: string; metrics: Record<string, number> }[] };
    expect(results.trials.map((t) => t.id).sort()).toEqual(s.snapshots().map((t) => t.id).sort());
    for (const t of results.trials) {
      expect(t.state).toBe("completed");
      expect(t.metrics).toEqual(s.trial(t.id).metrics);
    }
    // The restarted server holds the whole event log again.
    const events2 = await cluster.waitStreamCurrent(EVENTS_STREAM);
    expect(events2.state.messages).toBe(events.length);
  });
});
