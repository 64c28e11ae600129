import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status } from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { bearerTokenAuthorizer, serverCredentials } from "@prunesweep/coordinator";
import { startTestCluster, type TestCluster } from "../harness/cluster.js";
import { makeCerts } from "../harness/certs.js";
import { spawnWorker, stop, type Spawned } from "../harness/processes.js";
import { exchange } from "../harness/report-client.js";
import { tinySpec } from "../fixtures/tiny-spec.js";
import { check } from "../harness/wait.js";

const TOKEN = "s3cret-token-for-tests";
const dir = mkdtempSync(join(tmpdir(), "prunesweep-sec-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("gRPC bearer-token auth", () => {
  let cluster: TestCluster;
  const workers: Spawned[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w)));
    await cluster?.close();
  });

  it("rejects reports without the token (UNAUTHENTICATED, nothing recorded) and accepts workers that have it", async () => {
    cluster = await startTestCluster("memory", { authorize: bearerTokenAuthorizer(TOKEN) });
    const campaign = await cluster.coordinator.submit(tinySpec("sec-token", 2, 1), "sec.yaml");
    const trialId = campaign.trials()[0]!.id;
    const endpoint = `127.0.0.1:${cluster.grpc.port}`;
    const hello = {
      campaignId: campaign.id,
      trialId,
      attempt: 1,
      seq: 1,
      payload: { $case: "hello" as const, value: { workerId: "intruder", backend: "x", version: "0" } },
    };
    const noToken = await exchange(endpoint, [hello]);
    expect(noToken.error?.code).toBe(status.UNAUTHENTICATED);
    const wrong = await exchange(endpoint, [hello], "wrong-token");
    expect(wrong.error?.code).toBe(status.UNAUTHENTICATED);
    expect(campaign.trial(trialId).state).toBe("waiting");
    expect(campaign.trial(trialId).workerId).toBeUndefined();

    // A worker without the token cannot report; one with it completes the campaign.
    const bad = spawnWorker(cluster.nats.url, "no-token");
    workers.push(bad);
    await check(() => bad.output().includes("UNAUTHENTICATED") || bad.output().includes("rejected"), 60_000);
    expect(campaign.counts().completed).toBe(0);
    await stop(bad);
    const good = spawnWorker(cluster.nats.url, "with-token", [], { PRUNESWEEP_TOKEN: TOKEN });
    workers.push(good);
    await campaign.finished;
    for (const t of campaign.trials()) expect(t.state, t.error).toBe("completed");
    expect(good.output()).not.toContain(TOKEN);
  });
});

describe("gRPC mTLS", () => {
  let cluster: TestCluster;
  const workers: Spawned[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w)));
    await cluster?.close();
  });

  it("runs a campaign over TLS with client certificates", async () => {
    const certs = makeCerts(dir);
    cluster = await startTestCluster("memory", {
      credentials: serverCredentials({ certFile: certs.serverCert, keyFile: certs.serverKey, caFile: certs.ca }),
    });
    const campaign = await cluster.coordinator.submit(tinySpec("sec-mtls", 2, 1), "mtls.yaml");
    const w = spawnWorker(cluster.nats.url, "tls", ["--tls-ca", certs.ca, "--tls-cert", certs.clientCert, "--tls-key", certs.clientKey]);
    workers.push(w);
    await campaign.finished;
    for (const t of campaign.trials()) expect(t.state, `${t.error ?? ""}\n${w.output()}`).toBe("completed");
  });
});
