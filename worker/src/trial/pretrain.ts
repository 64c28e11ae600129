/**
 * Obtaining the pretrained dense weights of a task: from the {@link PretrainedStore} by
 * {@link pretrainKey}, else by pretraining once per key across every worker sharing the store
 * (claim or wait, {@link PretrainedStore.getOrCreate}).
 */
import { pretrainKey } from "./pretrain-key.js";
import { checkpointToWeights } from "../artifacts/checkpoint-codec.js";
import type { CheckpointStore } from "../artifacts/checkpoint-store.js";
import type { PretrainedResult, PretrainedSource, PretrainedStore } from "../artifacts/pretrained-store.js";
import type * as tf from "@tensorflow/tfjs";
import { WeightsMismatchError, throwIfAborted } from "../errors.js";
import { Rng } from "../data/rng.js";
import { splitOf, type Dataset } from "../data/types.js";
import { evaluateAccuracy } from "../metrics/accuracy.js";
import type { ImportedModel } from "../models/imported.js";
import type { Net } from "../models/net.js";
import { buildModel } from "../models/registry.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import { loadOptimizerState, reloadOptimizer } from "../training/optimizer-state.js";
import { createOptimizer } from "../training/optimizers.js";
import { trainEpoch } from "../training/train.js";
import { readCheckpoint, structureOf } from "./checkpoints.js";
import type { WorkerTask } from "./types.js";

/**
 * Where pretraining checkpoints, every `every` epochs (the trial's `budget.checkpointEvery`):
 * object `pretrain/<key>`, deleted once the weights are produced. A producer that takes over
 * a pretraining whose producer died continues from it.
 */
export interface PretrainCheckpoints {
  readonly store: CheckpointStore;
  readonly every: number;
}

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
 * its weights (meta: `valAccuracy`, `epochs`, `wallMs`), continuing from a checkpoint when one
 * exists. Disposes everything it creates.
 */
async function pretrainWeights(task: WorkerTask, data: Dataset, hooks: PretrainHooks, key: string, checkpoints: PretrainCheckpoints | undefined, imported: ImportedModel | undefined): Promise<SerializedWeights> {
  const started = performance.now();
  const { epochs, optimizer: optName, learningRate, batchSize } = task.pretrain;
  const net = buildModel(task.model, task.modelOptions, data.inputShape, data.numClasses, task.seed, task.exits, imported);
  const makeOptimizer = (): tf.Optimizer => createOptimizer(optName, learningRate, "pretrain.optimizer");
  let optimizer = makeOptimizer();
  const name = `pretrain/${key}`;
  const every = checkpoints && checkpoints.every > 0 ? checkpoints.every : 0;
  try {
    const rng = Rng.derive(task.seed, "pretrain-shuffle");
    const structure = structureOf(net);
    let valAccuracy = Number.NaN;
    let done = 0;
    const saved = every > 0 && checkpoints ? await readCheckpoint(checkpoints.store, name, hooks.log) : undefined;
    if (saved && saved.phase === "pretrain" && saved.epochs === epochs && saved.structure === structure && saved.epoch <= epochs) {
      net.setWeights({ tensors: saved.weights });
      rng.restore(saved.shuffleRng);
      await loadOptimizerState(optimizer, saved.optimizer);
      ({ epoch: done, lastValAccuracy: valAccuracy } = saved);
      hooks.log("pretraining resumed from checkpoint", { key, epoch: done, epochs });
    }
    for (let e = done + 1; e <= epochs; e++) {
      throwIfAborted(hooks.signal);
      const r = await trainEpoch(net, splitOf(data, "train"), { optimizer, batchSize, rng, signal: hooks.signal });
      valAccuracy = await evaluateAccuracy(net, splitOf(data, "validation"));
      hooks.log("pretrain epoch done", { epoch: e, epochs, loss: r.loss, val_accuracy: valAccuracy, epochMs: Math.round(r.wallMs) });
      // Every epoch continues from the state a checkpoint holds (training/optimizer-state.ts).
      const reloaded = await reloadOptimizer(optimizer, makeOptimizer);
      optimizer = reloaded.optimizer;
      if (every > 0 && checkpoints && e % every === 0 && e < epochs) {
        const c = {
          call: 0,
          phase: "pretrain",
          epoch: e,
          epochs,
          complete: false,
          step: 0,
          epochsTrained: e,
          batches: 0,
          shuffleRng: rng.state(),
          methodRng: rng.state(),
          structure,
          lastLoss: r.loss,
          lastValAccuracy: valAccuracy,
          budgetExhausted: false,
          weights: (await net.getWeights()).tensors,
          masks: [],
          optimizer: reloaded.state,
        };
        await checkpoints.store.put(name, checkpointToWeights(c)).catch((err: unknown) => hooks.log("pretraining checkpoint write failed; continuing", { key, error: String(err) }));
      }
    }
    if (epochs === 0) valAccuracy = await evaluateAccuracy(net, splitOf(data, "validation"));
    const w = await net.getWeights();
    if (every > 0 && checkpoints) await checkpoints.store.deletePrefix(name).catch((err: unknown) => hooks.log("deleting the pretraining checkpoint failed", { key, error: String(err) }));
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
  checkpoints?: PretrainCheckpoints,
  imported?: ImportedModel,
): Promise<PretrainedWeightsInfo> {
  const started = performance.now();
  const key = pretrainKey(task);
  const ownErrors = new Set<unknown>();
  const produce = async (): Promise<SerializedWeights> => {
    hooks.log("pretraining dense model", { key, ...task.pretrain });
    try {
      return await pretrainWeights(task, data, hooks, key, checkpoints, imported);
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
