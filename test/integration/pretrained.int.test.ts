/**
 * Shared pretrained models over a real nats-server: the NatsPretrainedStore contract, take-over
 * of a dead producer's claim, and a campaign on two worker processes that trains its one dense
 * model exactly once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { ARTIFACT_CLAIMS_BUCKET, ARTIFACTS_BUCKET } from "@prunesweep/proto";
import { NatsPretrainedStore, type SerializedWeights } from "@prunesweep/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describePretrainedStoreContract, weightsOf } from "../../worker/test/artifacts/pretrained-store-contract.js";
import { startTestCluster, type TestCluster } from "../harness/cluster.js";
import { spawnWorker, stop, type Spawned } from "../harness/processes.js";

let server: LocalNatsServer;
let dir: string;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "prunesweep-artifacts-"));
  server = await startNatsServer({ storeDir: join(dir, "nats") });
});

afterAll(async () => {
  await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function nc(): Promise<NatsConnection> {
  const c = await connect({ servers: server.url });
  connections.push(c);
  return c;
}

/**
 * Short periods keep the tests quick; the TTL stays 40 refresh periods long, so that a producer
 * is taken for dead only after a 2-second stall of this process (not on a loaded machine).
 */
const fast = { pollMs: 25, refreshMs: 50, claimTtlMs: 2_000 };

describePretrainedStoreContract("NatsPretrainedStore (two connections)", async () => ({
  a: new NatsPretrainedStore(await nc(), { owner: "a", ...fast }),
  b: new NatsPretrainedStore(await nc(), { owner: "b", ...fast }),
  close: () => Promise.resolve(),
}));

describe("NatsPretrainedStore claims", () => {
  it("takes over a claim whose producer died (no refreshes for claimTtlMs)", async () => {
    const c = await nc();
    const kv = await new Kvm(c).create(ARTIFACT_CLAIMS_BUCKET, { history: 1 });
    const key = `pretrain-dead-${Date.now()}`;
    await kv.create(key, JSON.stringify({ owner: "dead-worker" }));
    const store = new NatsPretrainedStore(c, { owner: "survivor", ...fast });
    const started = Date.now();
    let produced = 0;
    const r = await store.getOrCreate(key, () => Promise.resolve(weightsOf(++produced)));
    expect(r.source).toBe("produced");
    expect(produced).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(fast.claimTtlMs);
    // The claim is released after the upload.
    expect((await kv.get(key))?.operation).not.toBe("PUT");
  });

  it("waits (and never takes over) while a slow producer keeps refreshing its claim", async () => {
    const key = `pretrain-slow-${Date.now()}`;
    const a = new NatsPretrainedStore(await nc(), { owner: "slow", ...fast });
    const b = new NatsPretrainedStore(await nc(), { owner: "patient", ...fast });
    let produced = 0;
    const slow = (): Promise<SerializedWeights> => {
      produced++;
      return new Promise((r) => setTimeout(() => r(weightsOf(5)), 3 * fast.claimTtlMs));
    };
    const first = a.getOrCreate(key, slow);
    await new Promise((r) => setTimeout(r, 100));
    const second = await b.getOrCreate(key, slow);
    expect(second.source).toBe("waited");
    expect((await first).source).toBe("produced");
    expect(produced).toBe(1);
  });

  it("a waiter wakes when the producer releases its claim, not at its next poll", async () => {
    const key = `pretrain-watch-${Date.now()}`;
    const slowPoll = { ...fast, pollMs: 20_000 };
    const a = new NatsPretrainedStore(await nc(), { owner: "producer", ...slowPoll });
    const b = new NatsPretrainedStore(await nc(), { owner: "waiter", ...slowPoll });
    let release!: () => void;
    const producing = new Promise<void>((r) => (release = r));
    const first = a.getOrCreate(key, async () => {
      await producing;
      return weightsOf(7);
    });
    await new Promise((r) => setTimeout(r, 200)); // a holds the claim
    const second = b.getOrCreate(key, () => Promise.reject(new Error("the waiter must not produce")));
    await new Promise((r) => setTimeout(r, 500)); // b waits (its first poll is 20 s away)
    const released = Date.now();
    release();
    expect((await first).source).toBe("produced");
    const got = await second;
    expect(got.source).toBe("waited");
    expect(got.weights.tensors[0]?.data[0]).toBe(7);
    expect(Date.now() - released).toBeLessThan(5_000);
  });

  it("treats an unreadable stored object as missing and replaces it", async () => {
    const c = await nc();
    const os = await new Objm(c).create(ARTIFACTS_BUCKET);
    const key = `pretrain-corrupt-${Date.now()}`;
    await os.putBlob({ name: key }, new TextEncoder().encode("not weights"));
    const store = new NatsPretrainedStore(c, { owner: "fixer", ...fast });
    expect(await store.get(key)).toBeUndefined();
    expect((await store.getOrCreate(key, () => Promise.resolve(weightsOf(2)))).source).toBe("produced");
    expect((await store.get(key))?.tensors[0]?.data[0]).toBe(2);
  });
});

/** Four trials of four methods sharing one dense model (same task, same seed). */
const SPEC = `
name: shared-pretrain
seed: 3
task:
  dataset: { synthetic: { samples: 3000, features: 32, classes: 4 } }
  model: mlp
  modelOptions: { hidden: [64, 32] }
  pretrain: { epochs: 4, optimizer: adam, learningRate: 0.01, batchSize: 32 }
  backend: auto
objectives:
  - { metric: accuracy, direction: maximize }
  - { metric: nonzero_params, direction: minimize }
space:
  method: { values: [sap, lottery-ticket, one-shot, magnitude] }
  sap.rounds: 2
  sap.roundEpochs: 1
  lottery-ticket.rounds: 2
  lottery-ticket.roundEpochs: 1
  one-shot.rounds: 2
  one-shot.roundEpochs: 1
  magnitude.sparsity: { min: 0.5, max: 0.9 }
  finetune.epochs: 1
sampler: { name: random }
budget:
  maxTrials: 4
  parallelism: 2
  maxRetries: 3
`;

describe("a campaign on two workers", () => {
  let cluster: TestCluster;
  const workers: Spawned[] = [];

  beforeAll(async () => {
    cluster = await startTestCluster();
    workers.push(spawnWorker(cluster.nats.url, "pw1"), spawnWorker(cluster.nats.url, "pw2"));
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w)));
    await cluster?.close();
  });

  it("trains each distinct dense model once and shares it through the object store", async () => {
    const campaign = await cluster.coordinator.submit(SPEC, "shared.yaml");
    await campaign.finished;
    const trials = campaign.trials();
    expect(trials).toHaveLength(4);
    const pretrain = trials.map((t) => {
      expect(t.state, `${t.id}: ${t.error ?? ""}\n${workers.map((w) => w.output()).join("\n")}`).toBe("completed");
      return (t.details as { pretrain: { key: string; cached: boolean; source: string } }).pretrain;
    });
    expect(new Set(pretrain.map((p) => p.key)).size).toBe(1);
    expect(pretrain.filter((p) => p.source === "produced")).toHaveLength(1);
    expect(pretrain.filter((p) => p.cached)).toHaveLength(3);
    for (const p of pretrain) expect(["produced", "waited", "store"]).toContain(p.source);

    const os = await new Objm(cluster.nc).open(ARTIFACTS_BUCKET);
    expect(await os.info(pretrain[0]?.key ?? "")).not.toBeNull();
    const methods = new Set(trials.map((t) => t.params["method"]));
    expect(methods.size).toBeGreaterThan(1);
  });
});
