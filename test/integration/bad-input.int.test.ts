/**
 * Bad input is refused by `prunesweep run` before anything starts (no nats-server, no out
 * dir, no trial published), with the offending value, its spec path and what is allowed; a
 * run in which no trial completed exits 1 and says why its trials failed, grouped by error.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tinySpec } from "../fixtures/tiny-spec.js";
import { NO_WEBGPU_ENV, spawnCli } from "../harness/processes.js";

const dir = mkdtempSync(join(tmpdir(), "prunesweep-bad-input-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Runs `prunesweep run <spec>` and expects exit code 2 before anything started; returns its output. */
async function refused(name: string, spec: string): Promise<string> {
  const out = join(dir, `${name}-out`);
  const run = spawnCli(["run", write(`${name}.yaml`, spec), "--workers", "1", "--out", out]);
  const code = await run.exited;
  expect(code, run.output()).toBe(2);
  expect(run.output()).not.toContain("started nats-server");
  expect(run.output()).not.toContain("coordinator gRPC at");
  expect(existsSync(out)).toBe(false);
  return run.output();
}

/** An IDX image file of `count` 4x4 images, and its label file. */
function idxPair(name: string, count: number): { images: string; labels: string } {
  const ih = Buffer.alloc(16);
  ih.writeUInt32BE(2051, 0);
  ih.writeUInt32BE(count, 4);
  ih.writeUInt32BE(4, 8);
  ih.writeUInt32BE(4, 12);
  const lh = Buffer.alloc(8);
  lh.writeUInt32BE(2049, 0);
  lh.writeUInt32BE(count, 4);
  return {
    images: write(`${name}-images.idx`, Buffer.concat([ih, Buffer.alloc(count * 16, 7)])),
    labels: write(`${name}-labels.idx`, Buffer.concat([lh, Buffer.alloc(count, 1)])),
  };
}

const withDataset = (name: string, dataset: string): string =>
  tinySpec(name, 2, 1).replace("dataset: { synthetic: { samples: 600, features: 16, classes: 4 } }", `dataset: ${dataset}`);

describe("prunesweep run: bad input before anything starts", () => {
  it("an objective metric that none of the campaign's methods and models reports", async () => {
    const out = await refused("metric", tinySpec("bad-metric", 2, 1).replace("metric: nonzero_params", "metric: gates_zeroed"));
    expect(out).toContain('objectives.1.metric: metric "gates_zeroed" is never reported: it is reported only by the method gates, and this campaign runs magnitude; reported: accuracy,');
  });

  it("a constraint metric reported only in progress reports", async () => {
    const out = await refused("constraint", tinySpec("bad-constraint", 2, 1, 'constraints: ["loss < 0.5"]'));
    expect(out).toContain('constraints.0: metric "loss" is never reported: it is reported only in progress reports');
  });

  it("model settings out of range: an exit past the last block, an option out of bounds", async () => {
    const exits = await refused("exits", tinySpec("bad-exits", 2, 1).replace("modelOptions: { hidden: [32, 16] }", "modelOptions: { hidden: [32, 16] }\n  exits: [0, 4]"));
    expect(exits).toContain('task.exits.1: exit position 4 is out of range; allowed: 0 … 1 ("mlp" has 2 blocks)');
    const opts = await refused("options", tinySpec("bad-options", 2, 1).replace("hidden: [32, 16]", "hidden: [32, 0]"));
    expect(opts).toContain("task.modelOptions.hidden.1: must be >= 1, got 0");
  });

  it("LayerPrune asked to remove more layers than the model has", async () => {
    const spec = tinySpec("bad-k", 2, 1).replace("hidden: [32, 16]", "hidden: [16, 16, 16]").replace("sparsity: { min: 0.3, max: 0.95 }", "layerprune.k: { int: [1, 4] }");
    const out = await refused("k", spec);
    expect(out).toContain('space.layerprune.k: layerprune.k 4 is more than the 3 blocks "mlp" can lose');
  });

  it("dataset files that are missing, or not in the named format, each named with its spec path", async () => {
    const missing = await refused("missing", withDataset("bad-missing", `{ idx: { images: ${join(dir, "absent-images.idx")}, labels: ${join(dir, "absent-labels.idx")} } }`));
    expect(missing).toContain(`task.dataset.idx.images: "${join(dir, "absent-images.idx")}" does not exist`);
    expect(missing).toContain(`task.dataset.idx.labels: "${join(dir, "absent-labels.idx")}" does not exist`);
    const csv = write("digits.csv", "label,pixel0,pixel1\n1,0,0\n");
    const { labels } = idxPair("fmt", 4);
    const format = await refused("format", withDataset("bad-format", `{ idx: { images: ${csv}, labels: ${labels} } }`));
    expect(format).toMatch(new RegExp(`task\\.dataset\\.idx\\.images: "${csv.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" is not an IDX image file: magic number \\d+, expected 2051`));
    const cifar = await refused("cifar", withDataset("bad-cifar", `{ cifar10: ${dir} }`).replace("model: mlp", "model: lenet5").replace("modelOptions: { hidden: [32, 16] }", ""));
    expect(cifar).toContain(`task.dataset.cifar10: "${join(dir, "data_batch_1.bin")}" does not exist (a CIFAR-10 binary directory holds data_batch_1.bin,`);
  });
});

describe("prunesweep run: no trial completed", () => {
  it("exits 1 and prints why the trials failed, grouped by error with their trial numbers", async () => {
    // The workers have no WebGPU adapter: every trial fails at its start, which no spec check sees.
    const out = join(dir, "none-out");
    const run = spawnCli(["run", write("none.yaml", tinySpec("none-completed", 2, 1)), "--workers", "1", "--out", out], { ...NO_WEBGPU_ENV, PRUNESWEEP_BACKEND: "webgpu" });
    expect(await run.exited, run.output()).toBe(1);
    expect(run.output()).toMatch(/no trial completed; the 2 failed trials failed with:\n {2}2 × [^\n]*backend "webgpu" requested but no adapter[^\n]* \(trials 0, 1\)\n/);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { trials: { state: string; error?: string }[] };
    expect(results.trials.map((t) => t.state)).toEqual(["failed", "failed"]);
  });
});
