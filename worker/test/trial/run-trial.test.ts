import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import { runTrial } from "../../src/trial/run-trial.js";
import { fakeHooks, syntheticTask, trialRequest } from "../helpers.js";
import { npyBytes, writeTree } from "../data/fixtures.js";

const METRICS = [
  "accuracy",
  "val_accuracy",
  "params",
  "nonzero_params",
  "dense_macs",
  "effective_macs",
  "sparsity",
  "wall_ms_pretrain",
  "wall_ms_prune",
  "wall_ms_finetune",
];

describe("runTrial", () => {
  it("completes with all metrics, per-epoch progress and a reused pretrained model", async () => {
    const store = new InMemoryPretrainedStore();
    const hooks = fakeHooks();
    const out = await runTrial(trialRequest({ method: "magnitude", sparsity: 0.8 }), hooks, { pretrained: store });
    expect(out.kind).toBe("completed");
    if (out.kind !== "completed") return;
    for (const m of METRICS) expect(out.metrics[m], m).toBeTypeOf("number");
    expect(out.metrics["sparsity"]).toBeCloseTo(0.8, 2);
    expect(out.metrics["accuracy"]).toBeGreaterThan(0.8);
    expect(out.metrics["params"]).toBe(8 * 16 + 16 + 16 * 3 + 3);
    expect(out.metrics["dense_macs"]).toBe(8 * 16 + 16 * 3);
    expect(out.metrics["effective_macs"]).toBeLessThan(out.metrics["dense_macs"] ?? 0);
    expect(out.stoppedEarly).toBe(false);
    expect(out.lastStep).toBe(2);
    expect(hooks.calls.map((c) => [c.step, c.phase])).toEqual([
      [1, "finetune"],
      [2, "finetune"],
    ]);
    expect(Object.keys(hooks.calls[0]?.metrics ?? {}).sort()).toEqual(["loss", "sparsity", "val_accuracy"]);
    expect(out.details["backend"]).toBe("wasm");
    // The engine: with the BLAS kernels where a BLAS loads (worker/test/backend/blas/), else stock.
    expect(out.details["engine"]).toMatch(/^wasm( \+ .+|\s\(stock kernels\))/);
    expect(out.details["engine"] === "wasm (stock kernels)").toBe(out.details["blas"] === undefined);
    expect((out.details["latency"] as { engine?: unknown } | undefined)?.engine ?? out.details["engine"]).toBe(out.details["engine"]);
    expect(Object.keys(out.details["layerSparsity"] as object)).toEqual(["fc1/kernel", "out/kernel"]);
    expect(store.size).toBe(1);

    const again = await runTrial(trialRequest({ sparsity: 0.5, "magnitude.scope": "layer" }, { trialId: "t2" }), fakeHooks(), { pretrained: store });
    expect(again.kind).toBe("completed");
    if (again.kind !== "completed") return;
    expect(again.details["pretrain"]).toMatchObject({ cached: true });
    expect(again.metrics["pretrain_val_accuracy"]).toBe(out.metrics["pretrain_val_accuracy"]);
  });

  it("leaves no tensors behind across two trials", async () => {
    const store = new InMemoryPretrainedStore();
    await runTrial(trialRequest({ sparsity: 0.5 }), fakeHooks(), { pretrained: store });
    const before = tf.memory().numTensors;
    await runTrial(trialRequest({ sparsity: 0.9 }, { trialId: "a" }), fakeHooks(), { pretrained: store });
    await runTrial(trialRequest({ sparsity: 0.7, "magnitude.mode": "iterative", "magnitude.rounds": 2 }, { trialId: "b" }), fakeHooks(), {
      pretrained: store,
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [{ sparsity: 1.5 }, "sparsity"],
    [{ method: "nope" }, "method"],
    [{ "magnitude.scope": "row" }, "magnitude.scope"],
    [{ "finetune.epochs": 1.5 }, "finetune.epochs"],
    [{ "magnitude.scop": "layer" }, "magnitude.scop"],
    [{ bogus: 1 }, "bogus"],
  ])("fails non-retryably on invalid params %j", async (params, name) => {
    const hooks = fakeHooks();
    const out = await runTrial(trialRequest(params), hooks, { pretrained: new InMemoryPretrainedStore() });
    expect(out.kind).toBe("failed");
    if (out.kind !== "failed") return;
    expect(out.retryable).toBe(false);
    expect(out.error.message).toContain(`"${name}"`);
    expect(hooks.calls).toHaveLength(0);
  });

  it("ends stopped early when progress answers stop", async () => {
    const hooks = fakeHooks((step) => (step >= 1 ? "stop" : "continue"));
    const out = await runTrial(trialRequest({ sparsity: 0.6, "finetune.epochs": 4 }), hooks, { pretrained: new InMemoryPretrainedStore() });
    expect(out.kind).toBe("completed");
    if (out.kind !== "completed") return;
    expect(out.stoppedEarly).toBe(true);
    expect(out.lastStep).toBe(1);
    expect(hooks.calls).toHaveLength(1);
    expect(out.metrics["accuracy"]).toBeTypeOf("number");
  });

  it("returns aborted when the signal fires, leaking nothing", async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const hooks = fakeHooks(() => {
      controller.abort(new Error("SIGTERM"));
      return "continue";
    }, controller);
    const out = await runTrial(trialRequest({ sparsity: 0.6, "finetune.epochs": 4 }), hooks, { pretrained: new InMemoryPretrainedStore() });
    expect(out).toEqual({ kind: "aborted", reason: "SIGTERM" });
    expect(hooks.calls).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("caps fine-tuning epochs at budget.maxSteps", async () => {
    const hooks = fakeHooks();
    const out = await runTrial(trialRequest({ sparsity: 0.6, "finetune.epochs": 5 }, { budget: { maxSteps: 2, maxWallMs: 0 } }), hooks, {
      pretrained: new InMemoryPretrainedStore(),
    });
    expect(out.kind).toBe("completed");
    if (out.kind !== "completed") return;
    expect(out.lastStep).toBe(2);
    expect(out.stoppedEarly).toBe(false);
    expect(out.details["budgetExhausted"]).toBe(true);
  });

  it("fails non-retryably on a diverging loss and on a missing dataset file, leaking nothing", async () => {
    const before = tf.memory().numTensors;
    const nan = await runTrial(
      trialRequest({ sparsity: 0.5 }, { task: syntheticTask({ pretrain: { epochs: 1, optimizer: "sgd", learningRate: 1e30, batchSize: 32 } }) }),
      fakeHooks(),
      { pretrained: new InMemoryPretrainedStore() },
    );
    expect(nan).toMatchObject({ kind: "failed", retryable: false, error: { name: "NonFiniteLossError" } });
    const missing = await runTrial(
      trialRequest({ sparsity: 0.5 }, { task: syntheticTask({ dataset: { kind: "idx", images: "/nonexistent/img.idx", labels: "/nonexistent/lbl.idx" } }) }),
      fakeHooks(),
      { pretrained: new InMemoryPretrainedStore() },
    );
    expect(missing).toMatchObject({ kind: "failed", retryable: false, error: { name: "DatasetError" } });
    if (missing.kind === "failed") expect(missing.error.message).toContain("/nonexistent/img.idx");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("fine-tunes with the recipe the trial's parameters give", async () => {
    const recipe = {
      "finetune.optimizer": "momentum",
      "finetune.schedule": "cosine",
      "finetune.warmupEpochs": 0.5,
      "finetune.weightDecay": 1e-4,
      "finetune.labelSmoothing": 0.1,
      "finetune.learningRate": 0.05,
    };
    const out = await runTrial(trialRequest({ method: "magnitude", sparsity: 0.5, ...recipe }), fakeHooks(), { pretrained: new InMemoryPretrainedStore() });
    expect(out.kind).toBe("completed");
    if (out.kind !== "completed") return;
    expect(out.details["finetune"]).toMatchObject({ learningRate: 0.05, recipe: { optimizer: "momentum", schedule: "cosine", warmupEpochs: 0.5, weightDecay: 1e-4, labelSmoothing: 0.1, augment: false } });
    expect(out.metrics["accuracy"]).toBeGreaterThan(0.8);
  });

  it("augments image data, and refuses augmentation of non-image data naming the parameter", async () => {
    const dir = await mkdtemp(join(tmpdir(), "prunesweep-augment-"));
    // 4x4 one-channel images: class 0 bright on top, class 1 bright at the bottom.
    const n = 120;
    const x = Array.from({ length: n * 16 }, (_, i) => {
      const [ex, p] = [Math.floor(i / 16), i % 16];
      return (ex % 2 === 0) === p < 8 ? 220 : 20;
    });
    await writeTree(dir, { "x.npy": npyBytes("|u1", [n, 4, 4, 1], x), "y.npy": npyBytes("<i8", [n], Array.from({ length: n }, (_, i) => i % 2)) });
    const task = syntheticTask({ dataset: { kind: "npy", x: join(dir, "x.npy"), y: join(dir, "y.npy") } });
    const params = { method: "magnitude", sparsity: 0.3, "finetune.augment": true, "finetune.cropPadding": 1 };
    const ok = await runTrial(trialRequest(params, { task }), fakeHooks(), { pretrained: new InMemoryPretrainedStore() });
    expect(ok.kind).toBe("completed");
    if (ok.kind === "completed") expect(ok.details["finetune"]).toMatchObject({ recipe: { augment: true, cropPadding: 1 } });
    const hooks = fakeHooks();
    const bad = await runTrial(trialRequest(params), hooks, { pretrained: new InMemoryPretrainedStore() });
    expect(bad).toMatchObject({ kind: "failed", retryable: false, error: { name: "InvalidParameterError" } });
    if (bad.kind === "failed") expect(bad.error.message).toMatch(/invalid parameter "finetune.augment": crops and flips need image examples \[height, width, channels\]; dataset "synthetic-600x8x3" has examples of shape \[8\]/);
    expect(hooks.calls).toHaveLength(0);
  });
});
