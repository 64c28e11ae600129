/** NatsCheckpointStore over a real nats-server: objects round-trip, deletion by prefix, unreadable objects, replicas refused. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { CHECKPOINTS_BUCKET } from "@prunesweep/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NatsSetupError } from "../../src/errors.js";
import { CHECKPOINT_TTL_MS, NatsCheckpointStore } from "../../src/transport/nats-checkpoint-store.js";

let server: LocalNatsServer;
let dir: string;
let nc: NatsConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "prunesweep-checkpoints-"));
  server = await startNatsServer({ storeDir: join(dir, "nats") });
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const weights = (v: number) => ({ tensors: [{ name: "w", shape: [2], data: Float32Array.from([v, -v]) }], meta: { checkpoint: `{"v":${v}}` } });

describe("NatsCheckpointStore", () => {
  it("stores, replaces and deletes checkpoints by trial prefix, with a TTL on the bucket", async () => {
    const store = new NatsCheckpointStore(nc);
    await store.put("c/t1/call-0", weights(1));
    await store.put("c/t1/call-0", weights(2));
    await store.put("c/t1/index", weights(3));
    await store.put("c/t10/call-0", weights(4));
    expect(await store.get("c/t1/call-0")).toEqual(weights(2));
    expect(await store.get("c/t1/call-9")).toBeUndefined();
    await store.deletePrefix("c/t1/");
    expect(await store.get("c/t1/call-0")).toBeUndefined();
    expect(await store.get("c/t1/index")).toBeUndefined();
    expect(await store.get("c/t10/call-0")).toEqual(weights(4));
    const status = await (await new Objm(jetstream(nc)).open(CHECKPOINTS_BUCKET)).status();
    expect(status.ttl).toBe(CHECKPOINT_TTL_MS * 1_000_000);
  });

  it("reads an object that is not PSW1 as absent, with a warning naming it", async () => {
    const warnings: string[] = [];
    const log = { debug: () => undefined, info: () => undefined, warn: (m: string, f?: Readonly<Record<string, unknown>>) => warnings.push(`${m} ${JSON.stringify(f)}`), error: () => undefined };
    const store = new NatsCheckpointStore(nc, { log });
    await (await new Objm(jetstream(nc)).open(CHECKPOINTS_BUCKET)).putBlob({ name: "c/bad/index" }, new TextEncoder().encode("not weights"));
    expect(await store.get("c/bad/index")).toBeUndefined();
    expect(warnings.join("\n")).toMatch(/checkpoint object unreadable.*c\/bad\/index.*bad magic/);
  });

  it("refuses more replicas than a single server holds, naming --nats-replicas", async () => {
    const store = new NatsCheckpointStore(nc, { bucket: "prunesweep_checkpoints_r3", replicas: 3 });
    const err = await store.ready().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsSetupError);
    expect(String((err as Error).message)).toMatch(/--nats-replicas 3: cannot create object store prunesweep_checkpoints_r3/);
  });
});
