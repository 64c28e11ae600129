import { blobRefsOf, type BlobFile, type BlobRef } from "@prunesweep/proto";
import { beforeAll, describe, expect, it } from "vitest";
import type { BlobCache } from "../../src/artifacts/blob-cache.js";
import { selectBackend } from "../../src/backend/select-backend.js";
import { buildModel } from "../../src/models/registry.js";
import { saveTrialModel } from "../../src/trial/save-model.js";
import { trialRequest, syntheticTask } from "../helpers.js";

beforeAll(async () => {
  await selectBackend("cpu");
});

/** A blob cache in memory (an interface we own). */
function memoryBlobs(): BlobCache & { puts: BlobFile[][] } {
  const puts: BlobFile[][] = [];
  return {
    puts,
    put: (files) => {
      puts.push([...files]);
      return Promise.resolve(blobRefsOf(files));
    },
    materialise: (_refs: readonly BlobRef[]) => Promise.reject(new Error("not used")),
  };
}

const log = { log: () => undefined };

describe("saveTrialModel", () => {
  it("uploads the exported model and records its refs, size and params", async () => {
    const net = buildModel("mlp", { hidden: [16] }, [8], 3, 1);
    const blobs = memoryBlobs();
    const info = await saveTrialModel(net, trialRequest({ sparsity: 0.5 }), "magnitude", { accuracy: 0.5, params: net.paramCount() }, blobs, log);
    expect(info && "files" in info ? info.files.map((f) => f.name) : info).toEqual(["model.json", "group1-shard1of1.bin"]);
    expect(info && "params" in info ? info.params : 0).toBe(net.paramCount());
    const meta = JSON.parse(new TextDecoder().decode(blobs.puts[0]?.[0]?.bytes)) as { userDefinedMetadata: { prunesweep: Record<string, unknown> } };
    expect(meta.userDefinedMetadata.prunesweep).toMatchObject({ campaign: "c1", trial: "t1", method: "magnitude", params: { sparsity: 0.5 } });
    net.dispose();
  });

  it("saves nothing with artifacts none, says why over the size cap or without a store, never throws", async () => {
    const net = buildModel("mlp", { hidden: [16] }, [8], 3, 1);
    const req = (artifacts: { keep: "all" | "front" | "none"; maxBytes: number }) => trialRequest({}, { task: syntheticTask({ artifacts }) });
    const blobs = memoryBlobs();
    expect(await saveTrialModel(net, req({ keep: "none", maxBytes: 1e9 }), "magnitude", {}, blobs, log)).toBeUndefined();
    expect(await saveTrialModel(net, req({ keep: "all", maxBytes: 100 }), "magnitude", {}, blobs, log)).toEqual({ skipped: expect.stringMatching(/the model takes \d+ bytes, over the cap of 100 \(task\.artifacts\.maxMB\)/) as unknown });
    expect(await saveTrialModel(net, req({ keep: "front", maxBytes: 1e9 }), "magnitude", {}, undefined, log)).toEqual({ skipped: "this worker has no blob store" });
    expect(blobs.puts).toHaveLength(0);
    const failing: BlobCache = { put: () => Promise.reject(new Error("store down")), materialise: () => Promise.reject(new Error("x")) };
    expect(await saveTrialModel(net, req({ keep: "all", maxBytes: 1e9 }), "magnitude", {}, failing, log)).toEqual({ skipped: "store down" });
    net.dispose();
    const resA = buildModel("resnet8", { baseWidth: 4 }, [8, 8, 3], 3, 1);
    expect(await saveTrialModel(resA, req({ keep: "all", maxBytes: 1e9 }), "magnitude", {}, blobs, log)).toEqual({ skipped: expect.stringMatching(/shortcut: A/) as unknown });
    resA.dispose();
  });
});
