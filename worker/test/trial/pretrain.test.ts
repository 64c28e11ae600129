/** Pretraining checkpoints: a pretraining aborted mid-way continues from its checkpoint to the same weights. */
import { describe, expect, it } from "vitest";
import { InMemoryCheckpointStore } from "../../src/artifacts/checkpoint-store.js";
import { InMemoryPretrainedStore } from "../../src/artifacts/pretrained-store.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { TrialAbortedError } from "../../src/errors.js";
import { buildModel } from "../../src/models/registry.js";
import { loadPretrained, type PretrainHooks } from "../../src/trial/pretrain.js";
import { selectBackend } from "../../src/backend/select-backend.js";
import { syntheticTask } from "../helpers.js";

const task = syntheticTask({ pretrain: { epochs: 4, optimizer: "adam", learningRate: 0.01, batchSize: 16 } });

async function pretrain(checkpoints: InMemoryCheckpointStore | undefined, abortAfterEpoch?: number): Promise<Float32Array[]> {
  await selectBackend(task.backend);
  const data = await loadDataset({ source: task.dataset, split: task.split, seed: task.seed, maxTrainExamples: 0 });
  const net = buildModel(task.model, task.modelOptions, data.inputShape, data.numClasses, task.seed, task.exits);
  const ac = new AbortController();
  const hooks: PretrainHooks = {
    signal: ac.signal,
    log: (message, fields) => {
      if (message === "pretrain epoch done" && fields?.["epoch"] === abortAfterEpoch) ac.abort(new Error("kill stand-in"));
    },
  };
  try {
    await loadPretrained(net, task, data, new InMemoryPretrainedStore(), hooks, checkpoints && { store: checkpoints, every: 1 });
    return (await net.getWeights()).tensors.map((t) => t.data);
  } finally {
    net.dispose();
  }
}

describe("pretraining checkpoints", () => {
  it("continue an aborted pretraining to the weights of an uninterrupted one, and are deleted once done", async () => {
    const reference = await pretrain(new InMemoryCheckpointStore());
    // Checkpoints only decide what is written: without them the weights are the same.
    expect(await pretrain(undefined)).toEqual(reference);
    const store = new InMemoryCheckpointStore();
    await expect(pretrain(store, 2)).rejects.toBeInstanceOf(TrialAbortedError);
    expect([...store.objects.keys()]).toEqual([expect.stringMatching(/^pretrain\/pretrain-[0-9a-f]{40}$/)]);
    expect(await pretrain(store)).toEqual(reference);
    expect(store.objects.size).toBe(0);
  });
});
