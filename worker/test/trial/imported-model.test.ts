/** Trials on an imported model read from its path: every kind of method runs on it, and the export records what it saved. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blobRefsOf, type BlobFile } from "@prunesweep/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import type { BlobCache } from "../../src/artifacts/blob-cache.js";
import { runTrial } from "../../src/trial/run-trial.js";
import { fakeHooks, syntheticTask, trialRequest } from "../helpers.js";
import { flatInputResidualCnn, saveTfjsModel } from "../models/tfjs-fixtures.js";

let dir: string;
let modelJson: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "prunesweep-imported-trial-"));
  const m = flatInputResidualCnn();
  modelJson = await saveTfjsModel(m, join(dir, "model"));
  m.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const task = () =>
  syntheticTask({
    dataset: { kind: "synthetic", samples: 150, features: 64, classes: 3 },
    model: "tfjs",
    modelFile: { path: modelJson },
    modelOptions: {},
    pretrain: { epochs: 0, optimizer: "adam", learningRate: 0.01, batchSize: 32 },
    backend: "cpu",
  });

describe("trials on an imported model", () => {
  it.each([
    ["magnitude", { method: "magnitude", "magnitude.sparsity": 0.7, "finetune.epochs": 1 }],
    ["layerprune (block)", { method: "layerprune", "layerprune.unit": "block", "finetune.epochs": 1 }],
    ["layerprune (filter)", { method: "layerprune", "layerprune.unit": "filter", "layerprune.filterFraction": 0.5, "finetune.epochs": 1 }],
    ["gates", { method: "gates", "gates.epochs": 2, "gates.tau": 0.5, "finetune.epochs": 1 }],
  ] as const)("%s completes and saves its pruned model", async (_name, params) => {
    const puts: BlobFile[][] = [];
    const blobs: BlobCache = {
      put: (files) => {
        puts.push([...files]);
        return Promise.resolve(blobRefsOf(files));
      },
      materialise: () => Promise.reject(new Error("read from the path, not the store")),
    };
    const out = await runTrial(trialRequest({ ...params }, { task: task() }), fakeHooks(), { pretrained: new InMemoryPretrainedStore(), blobs });
    expect(out.kind, JSON.stringify(out)).toBe("completed");
    if (out.kind !== "completed") return;
    const model = out.details["model"] as { files: { name: string }[]; params: number };
    expect(model.files.map((f) => f.name)).toEqual(["model.json", "group1-shard1of1.bin"]);
    expect(model.params).toBe(out.metrics["params"]);
    if (params.method === "layerprune" && params["layerprune.unit"] === "block") expect(out.metrics["removed_layers"]).toBe(1);
    if (params.method === "layerprune" && params["layerprune.unit"] === "filter") expect(out.metrics["removed_units"]).toBeGreaterThan(0);
    expect(puts).toHaveLength(1);
  });
});
