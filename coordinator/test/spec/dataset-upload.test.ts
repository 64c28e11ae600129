import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blobRefsOf, type BlobFile, type TaskConfig } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { DATASET_UPLOAD_MAX_BYTES, uploadDataset } from "../../src/spec/dataset-upload.js";

const task = { dataset: { kind: "npy", x: "d/x.npy", y: "d/y.npy" } } as unknown as TaskConfig;

/** An uploader that records what it was given (the blob store's refs, no store). */
function recorder(): { upload: (files: readonly BlobFile[]) => Promise<ReturnType<typeof blobRefsOf>>; calls: string[][] } {
  const calls: string[][] = [];
  return { calls, upload: (files) => (calls.push(files.map((f) => f.name)), Promise.resolve(blobRefsOf(files))) };
}

describe("uploadDataset", () => {
  it("uploads each listed file once, named relative to the folder holding them all", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "prunesweep-upload-"));
    mkdirSync(join(cwd, "d"));
    mkdirSync(join(cwd, "t"));
    writeFileSync(join(cwd, "d/x.npy"), "xx");
    writeFileSync(join(cwd, "d/y.npy"), "y");
    writeFileSync(join(cwd, "t/test.csv"), "a,b");
    const r = recorder();
    const got = await uploadDataset(task, r.upload, () => Promise.resolve(["d/x.npy", "d/y.npy", join(cwd, "t/test.csv"), "d/x.npy"]), cwd);
    expect(r.calls).toEqual([["d/x.npy", "d/y.npy", "t/test.csv"]]);
    expect(got).toEqual({ uploaded: { cwd, root: cwd, blobs: blobRefsOf([
      { name: "d/x.npy", bytes: Buffer.from("xx") },
      { name: "d/y.npy", bytes: Buffer.from("y") },
      { name: "t/test.csv", bytes: Buffer.from("a,b") },
    ]) } });
  });

  it("uploads nothing for data without files, and says why for a dataset over the limit", async () => {
    const r = recorder();
    expect(await uploadDataset(task, r.upload, () => Promise.resolve([]))).toEqual({ none: true });
    const cwd = mkdtempSync(join(tmpdir(), "prunesweep-upload-"));
    // A sparse file: its size counts, no bytes are written.
    const big = join(cwd, "big.bin");
    writeFileSync(big, "");
    truncateSync(big, DATASET_UPLOAD_MAX_BYTES + 1);
    const got = await uploadDataset(task, r.upload, () => Promise.resolve([big]), cwd);
    expect(got).toEqual({ skipped: expect.stringContaining(`hold ${DATASET_UPLOAD_MAX_BYTES + 1} bytes, more than the ${DATASET_UPLOAD_MAX_BYTES}-byte upload limit: not uploaded`) });
    expect(r.calls).toEqual([]);
  });

  it("uploads nothing, saying why, when the dataset is not on this machine (paths on the workers' volume)", async () => {
    const r = recorder();
    const got = await uploadDataset(task, r.upload, () => Promise.resolve(["/datasets/absent/x.npy"]));
    expect(got).toEqual({ skipped: expect.stringMatching(/^the dataset cannot be read here \(.*\/datasets\/absent\/x\.npy.*\): not uploaded; every worker reads it at its paths$/) });
    const failing = await uploadDataset(task, r.upload, () => Promise.reject(new Error('cannot list dataset folder "/datasets/imgs" (ENOENT)')));
    expect(got).not.toEqual(failing);
    expect(failing).toEqual({ skipped: 'the dataset cannot be read here (cannot list dataset folder "/datasets/imgs" (ENOENT)): not uploaded; every worker reads it at its paths' });
    expect(r.calls).toEqual([]);
  });
});
