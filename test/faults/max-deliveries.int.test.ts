import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { TRIALS_CONSUMER, TRIALS_STREAM } from "@prunesweep/proto";
import {
  loadCoordinatorConfig,
  silentLogger,
  startCoordinatorService,
  type CoordinatorService,
} from "@prunesweep/coordinator";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { tinySpec } from "../fixtures/tiny-spec.js";
import { check } from "../harness/wait.js";

describe("fault: an assignment that is never acknowledged", () => {
  const dir = mkdtempSync(join(tmpdir(), "prunesweep-maxdel-"));
  let nats: LocalNatsServer;
  let svc: CoordinatorService;
  afterAll(async () => {
    await svc?.shutdown();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is recorded failed after max_deliver deliveries (MAX_DELIVERIES advisory) and deleted from the queue", async () => {
    nats = await startNatsServer({ storeDir: join(dir, "nats") });
    const config = loadCoordinatorConfig(
      { nats: nats.url, host: "127.0.0.1", port: "0", httpPort: "-1", store: "memory", ackWaitMs: "1000", maxDeliver: "2" },
      {},
    );
    svc = await startCoordinatorService(config, silentLogger);
    // budget.maxRetries above the consumer's max_deliver: the advisory is what fails the trial.
    const campaign = await svc.coordinator.submit(tinySpec("maxdel", 1, 1).replace("maxRetries: 3", "maxRetries: 10"), "maxdel.yaml");
    const trialId = campaign.trials()[0]!.id;

    // A "worker" that takes the assignment and dies silently every time (never acks, never reports).
    const consumer = await jetstream(svc.nc).consumers.get(TRIALS_STREAM, TRIALS_CONSUMER);
    let deliveries = 0;
    const deadline = Date.now() + 20_000;
    while (deliveries < 2 && Date.now() < deadline) {
      const m = await consumer.next({ expires: 2_000 });
      if (m) deliveries = m.info.deliveryCount;
    }
    expect(deliveries).toBe(2);
    // Pull again so the server evaluates the exhausted message (nats-server #1716).
    await consumer.next({ expires: 2_000 });

    const t = await check(() => {
      const s = campaign.trial(trialId);
      return s.state === "failed" ? s : undefined;
    }, 20_000);
    expect(t.error).toContain("max_deliver");
    const jsm = await jetstreamManager(svc.nc);
    await check(async () => (await jsm.streams.info(TRIALS_STREAM)).state.messages === 0, 10_000);
    await campaign.finished;
    expect(campaign.status).toBe("completed");
  });
});
