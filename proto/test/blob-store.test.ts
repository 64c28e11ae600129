/** The content-addressed blob store on a real nats-server (JetStream, temp store). */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { NatsBlobStore, blobRefsOf, sha256Hex, type BlobFile } from "@prunesweep/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "prunesweep-blobs-"));
let server: LocalNatsServer;
let nc: NatsConnection;
beforeAll(async () => {
  server = await startNatsServer({ storeDir: join(dir, "nats") });
  nc = await connect({ servers: server.url });
});
afterAll(async () => {
  await nc?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, text: string): BlobFile => ({ name, bytes: new TextEncoder().encode(text) });

describe("NatsBlobStore", () => {
  it("stores each content once by SHA-256 and gives the set back, verified, in a folder", async () => {
    const store = new NatsBlobStore(nc);
    const files = [file("model.json", '{"a":1}'), file("w/group1.bin", "weights"), file("copy.bin", "weights")];
    const refs = await store.putFiles(files);
    expect(refs).toEqual(blobRefsOf(files));
    expect(refs[1]?.sha256).toBe(sha256Hex(new TextEncoder().encode("weights")));
    expect(refs[1]?.sha256).toBe(refs[2]?.sha256);
    // Equal content is one object.
    const { Objm } = await import("@nats-io/obj");
    const { jetstream } = await import("@nats-io/jetstream");
    const os = await new Objm(jetstream(nc)).open("prunesweep_blobs");
    const names = [];
    for await (const e of await os.list()) names.push(e.name);
    expect(names.sort()).toEqual([...new Set(refs.map((r) => `sha256-${r.sha256}`))].sort());
    const out = join(dir, "download");
    await store.download(refs, out);
    expect(readFileSync(join(out, "w", "group1.bin"), "utf8")).toBe("weights");
    expect(readFileSync(join(out, "model.json"), "utf8")).toBe('{"a":1}');
  });

  it("materialises a set into a cache by hash and serves it again without the store", async () => {
    const store = new NatsBlobStore(nc);
    const refs = await store.putFiles([file("model.json", "{}"), file("group1-shard1of1.bin", "abc")]);
    const cache = join(dir, "cache");
    const a = await store.materialise(refs, cache);
    expect(readFileSync(join(a, "group1-shard1of1.bin"), "utf8")).toBe("abc");
    expect(existsSync(join(cache, "blobs", refs[1]?.sha256 ?? ""))).toBe(true);
    // From the cache only: a store on a closed connection is never asked.
    const closed = await connect({ servers: server.url });
    await closed.close();
    expect(await new NatsBlobStore(closed).materialise(refs, cache)).toBe(a);
  });

  it("names a blob the store does not hold, refuses a hash mismatch and names outside the set", async () => {
    const store = new NatsBlobStore(nc);
    const ghost = { name: "gone.bin", sha256: "0".repeat(64), size: 3 };
    await expect(store.download([ghost], join(dir, "ghost"))).rejects.toThrow(/blob gone\.bin \(sha256 0{64}\) is not in the blob store/);
    expect(() => blobRefsOf([file("../escape", "x")])).toThrow(/must be a relative path inside its set/);
  });

  it("deletes the blobs of dropped sets that kept sets do not share", async () => {
    const store = new NatsBlobStore(nc);
    const keep = await store.putFiles([file("model.json", "keep"), file("w.bin", "shared")]);
    const drop = await store.putFiles([file("model.json", "drop"), file("w.bin", "shared")]);
    expect(await store.deleteExcept(drop, keep)).toBe(1);
    expect(await store.get(drop[0] as (typeof drop)[number])).toBeUndefined();
    expect(await store.get(keep[1] as (typeof keep)[number])).toBeDefined();
  });

  it("says how to fix a replica count the server cannot hold", async () => {
    const store = new NatsBlobStore(nc, { bucket: "prunesweep_blobs_r3", replicas: 3 });
    await expect(store.putFiles([file("a", "b")])).rejects.toThrow(/--nats-replicas 3: cannot create object store prunesweep_blobs_r3 .*use --nats-replicas 1/);
  });
});
