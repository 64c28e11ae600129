/**
 * Obtaining the pretrained dense weights of a task: from the {@link PretrainedStore} by
 * {@link pretrainKey}, else by pretraining once per key across every worker sharing the store
 * (claim or wait, {@link PretrainedStore.getOrCreate}).
 */
import { pretrainKey } from "./pretrain-key.js";
import type { PretrainedResult, PretrainedSource, PretrainedStore } from "../artifacts/pretrained-store.js";
import { WeightsMismatchError, throwIfAborted } from "../errors.js";
import { Rng } from "../data/rng.js";
import { splitOf, type Dataset } from "../data/types.js";
import { evaluateAccuracy } from "../metrics/accuracy.js";
import type { Net } from "../models/net.js";
import { buildModel } from "../models/registry.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import { createOptimizer } from "../training/optimizers.js";
import { trainEpoch } from "../training/train.js";
import type { WorkerTask } from "./types.js";

/** Logging and cancellation for pretraining. */
export interface PretrainHooks {
  readonly signal: AbortSignal;
  log(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Where the weights came from and what they cost. */
export interface PretrainedWeightsInfo {
  readonly key: string;
  /** True when the weights came from the store (no training in this trial). */
  readonly cached: boolean;
  /** Stored already, trained by this trial, or trained by another trial this one waited for. */
  readonly source: PretrainedSource;
  /** Wall time spent obtaining the weights in this trial (download or training). */
  readonly wallMs: number;
  /** Validation accuracy of the dense net (NaN without a validation split). */
  readonly valAccuracy: number;
}

/**
 * Trains a freshly initialised model of `task` for `task.pretrain.epochs` epochs and returns
 * its weights (meta: `valAccuracy`, `epochs`, `wallMs`). Disposes everything it creates.
 */
async function pretrainWeights(task: WorkerTask, data: Dataset, hooks: PretrainHooks): Promise<SerializedWeights> {
  const started = performance.now();
  const { epochs, optimizer: optName, learningRate, batchSize } = task.pretrain;
  const net = buildModel(task.model, task.modelOptions, data.inputShape, data.numClasses, task.seed, task.exits);
  const optimizer = createOptimizer(optName, learningRate, "pretrain.optimizer");
  try {
    const rng = Rng.derive(task.seed, "pretrain-shuffle");
    let valAccuracy = Number.NaN;
    for (let e = 1; e <= epochs; e++) {
      throwIfAborted(hooks.signal);
      const r = await trainEpoch(net, splitOf(data, "train"), { optimizer, batchSize, rng, signal: hooks.signal });
      valAccuracy = await evaluateAccuracy(net, splitOf(data, "validation"));
      hooks.log("pretrain epoch done", { epoch: e, epochs, loss: r.loss, val_accuracy: valAccuracy, epochMs: Math.round(r.wallMs) });
    }
    if (epochs === 0) valAccuracy = await evaluateAccuracy(net, splitOf(data, "validation"));
    const w = await net.getWeights();
    return { tensors: w.tensors, meta: { valAccuracy, epochs, wallMs: Math.round(performance.now() - started) } };
  } finally {
    optimizer.dispose();
    net.dispose();
  }
}

/**
 * Loads the task's pretrained dense weights into `net`: from the store, or produced once per
 * key across everyone sharing the store ({@link PretrainedStore.getOrCreate}: this trial
 * pretrains, or waits for the trial that does). When the store itself fails, or holds weights
 * that do not fit the model, the trial pretrains locally.
 * @throws TrialAbortedError when aborted while pretraining or waiting; errors of pretraining
 */
export async function loadPretrained(
  net: Net,
  task: WorkerTask,
  data: Dataset,
  store: PretrainedStore,
  hooks: PretrainHooks,
): Promise<PretrainedWeightsInfo> {
  const started = performance.now();
  const key = pretrainKey(task);
  const ownErrors = new Set<unknown>();
  const produce = async (): Promise<SerializedWeights> => {
    hooks.log("pretraining dense model", { key, ...task.pretrain });
    try {
      return await pretrainWeights(task, data, hooks);
    } catch (err) {
      ownErrors.add(err);
      throw err;
    }
  };
  let result: PretrainedResult;
  try {
    result = await store.getOrCreate(key, produce, { signal: hooks.signal, log: hooks.log });
  } catch (err) {
    if (ownErrors.has(err) || hooks.signal.aborted) throw err;
    hooks.log("pretrained store failed; pretraining locally", { key, error: String(err) });
    result = { weights: await produce(), source: "produced" };
  }
  try {
    net.setWeights(result.weights);
  } catch (err) {
    if (!(err instanceof WeightsMismatchError)) throw err;
    hooks.log("stored pretrained weights do not fit the model; pretraining again", { key, error: err.message });
    result = { weights: await produce(), source: "produced" };
    await store.put(key, result.weights).catch((e: unknown) => hooks.log("pretrained store put failed; continuing", { key, error: String(e) }));
    net.setWeights(result.weights);
  }
  const valAccuracy = numberMeta(result.weights, "valAccuracy") ?? (await evaluateAccuracy(net, splitOf(data, "validation")));
  return { key, cached: result.source !== "produced", source: result.source, wallMs: performance.now() - started, valAccuracy };
}

function numberMeta(w: SerializedWeights, name: string): number | undefined {
  const v = w.meta?.[name];
  return typeof v === "number" ? v : undefined;
}
