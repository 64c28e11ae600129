/**
 * Dataset upload by content hash, end to end: `prunesweep submit --nats` uploads every file of
 * an image-folder dataset and its test set to the blob store (a real nats-server), the
 * dataset's folder is then moved away, and a real worker process (which cannot see it) runs
 * every trial from its blob cache. A second submission of the same data uploads nothing new
 * (same hashes, the object store's message count unchanged), and the worker, restarted with
 * the data still moved away, reuses its cached blobs (not downloaded again). An imported model
 * fixes the data's shape and classes: `run` refuses, before anything starts, a test set with
 * classes the model cannot output.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { connectNats } from "@prunesweep/coordinator";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { BLOBS_BUCKET } from "@prunesweep/proto";
import { saveTfjsModel } from "../../worker/test/models/tfjs-fixtures.js";
import { png } from "../fixtures/png.js";
import { spawnCli, spawnWorker, stop, type Spawned } from "../harness/processes.js";
import { check } from "../harness/wait.js";

const dir = mkdtempSync(join(tmpdir(), "prunesweep-data-upload-"));
const data = join(dir, "data");
const moved = join(dir, "moved-away");
const cache = join(dir, "worker-cache");
let nats: LocalNatsServer;
let coordinator: Spawned;
let address = "";
let dashboard = "";

/** Two classes told apart by which half is bright. */
function imageFolder(sub: string, perClass: number): void {
  for (const cls of ["left", "right"]) mkdirSync(join(data, sub, cls), { recursive: true });
  for (let i = 0; i < perClass; i++) {
    writeFileSync(join(data, sub, "left", `${i}.png`), png(8, 8, 200 + (i % 50), 20 + (i % 30)));
    writeFileSync(join(data, sub, "right", `${i}.png`), png(8, 8, 20 + (i % 30), 200 + (i % 50)));
  }
}

/** Every file under `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(root, e.name)) : [join(root, e.name)]));
}

async function cli(args: readonly string[]): Promise<{ code: number | string; out: string }> {
  const p = spawnCli(args);
  const code = await p.exited;
  return { code, out: p.output() };
}

/** The blob store's objects (names) and its stream's message count (grows with every put). */
async function blobStore(): Promise<{ objects: string[]; messages: number }> {
  const nc = await connectNats({ url: nats.url, name: "test" });
  try {
    const objects = (await (await new Objm(jetstream(nc)).open(BLOBS_BUCKET)).list()).map((o) => o.name);
    const messages = (await (await jetstreamManager(nc)).streams.info(`OBJ_${BLOBS_BUCKET}`)).state.messages;
    return { objects, messages };
  } finally {
    await nc.close();
  }
}

async function finished(id: string): Promise<{ status: string; trials: { state: string; metrics: Record<string, number> }[] }> {
  let got: { campaign: { status: string }; trials: { state: string; metrics: Record<string, number> }[] } | undefined;
  await check(async () => {
    got = (await (await fetch(`${dashboard}api/campaigns/${id}`)).json()) as typeof got;
    return got?.campaign.status !== "running";
  }, 180_000, 500);
  return { status: got?.campaign.status ?? "", trials: got?.trials ?? [] };
}

beforeAll(async () => {
  imageFolder("train", 20);
  imageFolder("test", 5);
  writeFileSync(
    join(dir, "spec.yaml"),
    `name: uploaded-data
seed: 3
task:
  dataset: { images: ${join(data, "train")} }
  test: { images: ${join(data, "test")} }
  model: mlp
  modelOptions: { hidden: [16] }
  pretrain: { epochs: 2, optimizer: adam, learningRate: 0.01, batchSize: 16 }
  backend: cpu
  artifacts: none
objectives:
  - { metric: accuracy, direction: maximize }
space:
  sparsity: { values: [0.3, 0.6] }
  finetune.epochs: 1
budget: { maxTrials: 2, parallelism: 1 }
`,
  );
  nats = await startNatsServer({ storeDir: join(dir, "nats") });
  coordinator = spawnCli(["coordinator", "--nats", nats.url, "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--store", "memory", "--log-level", "warn"]);
  await check(() => /dashboard at (http:\S+)/.test(coordinator.output()), 30_000);
  address = /listening on (\S+) /.exec(coordinator.output())?.[1] ?? "";
  dashboard = /dashboard at (http:\S+)/.exec(coordinator.output())?.[1] ?? "";
});

afterAll(async () => {
  if (coordinator) await stop(coordinator);
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("dataset upload by content hash", () => {
  it("runs trials from the uploaded copy on a worker that cannot see the dataset, and a second run reuses the stored and cached blobs", async () => {
    const hashes = filesUnder(data).map((f) => createHash("sha256").update(readFileSync(f)).digest("hex"));
    expect(hashes).toHaveLength(50);

    const first = await cli(["submit", join(dir, "spec.yaml"), "--coordinator", address, "--nats", nats.url, "--json"]);
    expect(first.code, first.out).toBe(0);
    const stored = await blobStore();
    // Each distinct file once, named by its hash (the test PNGs repeat some training PNGs: equal content, one object).
    expect(new Set(stored.objects)).toEqual(new Set(hashes.map((h) => `sha256-${h}`)));
    renameSync(data, moved);

    let worker = spawnWorker(nats.url, "w-upload", [], { PRUNESWEEP_BLOB_CACHE: cache });
    const one = await finished((JSON.parse(first.out) as { id: string }).id);
    await stop(worker);
    expect(one.status, coordinator.output() + worker.output()).toBe("completed");
    expect(one.trials.map((t) => t.state)).toEqual(["completed", "completed"]);
    // 10 test images: every accuracy is a multiple of 1/10, and the task is easy.
    for (const t of one.trials) {
      expect(Math.abs((t.metrics["accuracy"] ?? 0) * 10 - Math.round((t.metrics["accuracy"] ?? 0) * 10))).toBeLessThan(1e-6);
      expect(t.metrics["accuracy"]).toBeGreaterThan(0.8);
    }
    // The worker fetched every file by its hash.
    const cached = readdirSync(join(cache, "blobs")).filter((n) => /^[0-9a-f]{64}$/.test(n));
    expect(new Set(cached)).toEqual(new Set(hashes));
    const mtimes = new Map(cached.map((n) => [n, statSync(join(cache, "blobs", n)).mtimeMs]));

    // Second run: same files, same hashes; nothing new stored, nothing downloaded again.
    expect(await blobStore()).toEqual(stored);
    renameSync(moved, data);
    const second = await cli(["submit", join(dir, "spec.yaml"), "--coordinator", address, "--nats", nats.url, "--json"]);
    expect(second.code, second.out).toBe(0);
    expect(await blobStore()).toEqual(stored);
    renameSync(data, moved);
    worker = spawnWorker(nats.url, "w-upload-2", [], { PRUNESWEEP_BLOB_CACHE: cache });
    const two = await finished((JSON.parse(second.out) as { id: string }).id);
    await stop(worker);
    expect(two.status, worker.output()).toBe("completed");
    expect(two.trials.map((t) => t.metrics["accuracy"])).toEqual(one.trials.map((t) => t.metrics["accuracy"]));
    for (const [n, m] of mtimes) expect(statSync(join(cache, "blobs", n)).mtimeMs, n).toBe(m);
  }, 420_000);

  it("refuses before anything starts an image test set with more classes than the imported model outputs", async () => {
    const m = tf.sequential();
    m.add(tf.layers.flatten({ inputShape: [4, 4, 1], name: "flat" }));
    m.add(tf.layers.dense({ units: 2, activation: "softmax", name: "out" }));
    await saveTfjsModel(m, join(dir, "model"));
    m.dispose();
    const sets = join(dir, "three");
    for (const cls of ["left", "right", "up"]) {
      mkdirSync(join(sets, "test", cls), { recursive: true });
      writeFileSync(join(sets, "test", cls, "0.png"), png(8, 8, 10, 200));
    }
    const spec = join(dir, "model-spec.yaml");
    writeFileSync(
      spec,
      readFileSync(join(dir, "spec.yaml"), "utf8")
        .replace("model: mlp", `model: { tfjs: ${join(dir, "model", "model.json")} }`)
        .replace(/ {2}modelOptions: .*\n/, "")
        .replace(/test: \{ images: .* \}/, `test: { images: ${join(sets, "test")} }`)
        .replace(join(data, "train"), join(moved, "train")),
    );
    const out = join(dir, "model-out");
    const run = spawnCli(["run", spec, "--out", out, "--workers", "1"]);
    expect(await run.exited, run.output()).toBe(2);
    expect(run.output()).toContain(`test set "${join(sets, "test")}" has 3 classes (left, right, up), but the model outputs 2`);
    expect(run.output()).not.toContain("started nats-server");
  }, 120_000);
});
