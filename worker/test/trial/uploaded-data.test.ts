import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blobRefsOf, TASK_DEFAULTS, type BlobRef } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import type { BlobCache } from "../../src/artifacts/blob-cache.js";
import { clearDatasetCache, loadDataset } from "../../src/data/load-dataset.js";
import { InvalidTaskError } from "../../src/errors.js";
import type { ImportedModel } from "../../src/models/imported.js";
import type { WorkerTask } from "../../src/trial/types.js";
import { trialDataRequest } from "../../src/trial/uploaded-data.js";

const CSV = "a,b,label\n" + Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${i % 2}`).join("\n") + "\n";

const task = (over: Partial<WorkerTask>): WorkerTask => ({
  dataset: { kind: "csv", file: "data/d.csv", label: "label" },
  split: TASK_DEFAULTS.split,
  model: "mlp",
  modelOptions: {},
  exits: { positions: [], every: 0 },
  pretrain: TASK_DEFAULTS.pretrain,
  backend: "cpu",
  maxTrainExamples: 0,
  seed: 1,
  ...over,
});

/** A blob cache over one folder (the set's files already there); records what it was asked for. */
function folderCache(dir: string, asked: BlobRef[][]): BlobCache {
  return {
    materialise: (refs) => (asked.push([...refs]), Promise.resolve(dir)),
    put: () => Promise.reject(new Error("not used")),
  };
}

describe("trialDataRequest", () => {
  it("reads an uploaded dataset from the blob cache, under the submitter's paths", async () => {
    const set = await mkdtemp(join(tmpdir(), "prunesweep-set-"));
    await writeFile(join(set, "d.csv"), CSV);
    const blobs = blobRefsOf([{ name: "d.csv", bytes: Buffer.from(CSV) }]);
    const asked: BlobRef[][] = [];
    const t = task({ datasetFiles: { cwd: "/somewhere/else", root: "/somewhere/else/data", blobs } });
    const req = await trialDataRequest(t, folderCache(set, asked), undefined);
    expect(asked).toEqual([blobs]);
    clearDatasetCache();
    const ds = await loadDataset(req);
    expect(ds.nTrain + ds.nVal + ds.nTest).toBe(20);
    expect(ds.inputShape).toEqual([2]);
  });

  it("keeps local paths without uploaded files, and refuses uploaded files on a worker without a blob store", async () => {
    const plain = await trialDataRequest(task({}), undefined, undefined);
    expect(plain.files).toBeUndefined();
    expect(plain.source).toEqual({ kind: "csv", file: "data/d.csv", label: "label" });
    const blobs = blobRefsOf([{ name: "d.csv", bytes: Buffer.from(CSV) }]);
    await expect(trialDataRequest(task({ datasetFiles: { cwd: "/", root: "/data", blobs } }), undefined, undefined)).rejects.toThrow(InvalidTaskError);
  });

  it("takes an imported model's input shape and classes", async () => {
    const imported = { plan: { inputShape: [4, 4, 1], numClasses: 3 } } as unknown as ImportedModel;
    const req = await trialDataRequest(task({}), undefined, imported);
    expect(req.inputShape).toEqual([4, 4, 1]);
    expect(req.numClasses).toBe(3);
  });
});
