/**
 * The worker's NatsTrialSource over a real nats-server: close() ends a pending long poll at
 * once (a draining worker does not wait for it to expire), and the stopped pull takes no
 * assignment away from the workers still pulling.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { silentLogger, TRIALS_CONSUMER, TRIALS_STREAM, TRIALS_SUBJECT_PREFIX } from "@prunesweep/proto";
import { NatsTrialSource } from "@prunesweep/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let server: LocalNatsServer;
let dir: string;
let nc: NatsConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "prunesweep-trial-source-"));
  server = await startNatsServer({ storeDir: join(dir, "nats") });
  nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: TRIALS_STREAM, subjects: [`${TRIALS_SUBJECT_PREFIX}.>`], retention: RetentionPolicy.Workqueue });
  await jsm.consumers.add(TRIALS_STREAM, { durable_name: TRIALS_CONSUMER, ack_policy: AckPolicy.Explicit, ack_wait: 60_000_000_000 });
});

afterAll(async () => {
  await nc?.close().catch(() => undefined);
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("NatsTrialSource", () => {
  it("close() ends a pending long poll at once, and the stopped pull takes no message", async () => {
    const log = silentLogger;
    const draining = new NatsTrialSource(nc, log);
    const started = Date.now();
    const pending = draining.next(20_000);
    await new Promise((r) => setTimeout(r, 500)); // the pull request is at the server
    draining.close();
    expect(await pending).toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await draining.next()).toBeNull();

    // Published after the stop: another worker gets it now (not after the ack wait of a lost delivery).
    await jetstream(nc).publish(`${TRIALS_SUBJECT_PREFIX}.test`, new TextEncoder().encode("assignment"));
    const other = new NatsTrialSource(nc, log);
    const lease = await other.next(10_000);
    other.close();
    expect(lease && new TextDecoder().decode(lease.data)).toBe("assignment");
    await lease?.ack();
  });
});
