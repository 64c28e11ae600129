/**
 * Obtaining the pretrained dense weights of a task: from the {@link PretrainedStore} by
 * {@link pretrainKey}, else by pretraining (once per key per process, even with concurrent
 * trials) and storing the result.
 */
import { pretrainKey } from "../artifacts/pretrain-key.js";
import type { PretrainedStore } from "../artifacts/pretrained-store.js";
import { TrialAbortedError, WeightsMismatchError, throwIfAborted } from "../errors.js";
import { Rng } from "../data/rng.js";
import { splitOf, type Dataset } from "../data/types.js";
import { evaluateAccuracy } from "../metrics/accuracy.js";
import type { Net } from "../models/net.js";
import { buildModel } from "../models/registry.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import { createOptimizer, trainEpoch } from "./train.js";
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
  /** Wall time spent obtaining the weights in this trial (download or training). */
  readonly wallMs: number;
  /** Validation accuracy of the dense net (NaN without a validation split). */
  readonly valAccuracy: number;
}

const inflight = new Map<string, Promise<SerializedWeights>>();

/**
 * Trains a freshly initialised model of `task` for `task.pretrain.epochs` epochs and returns
 * its weights (meta: `valAccuracy`, `epochs`, `wallMs`). Disposes everything it creates.
 */
export async function pretrainWeights(task: WorkerTask, data: Dataset, hooks: PretrainHooks): Promise<SerializedWeights> {
  const started = performance.now();
  const { epochs, optimizer: optName, learningRate, batchSize } = task.pretrain;
  const net = buildModel(task.model, task.modelOptions, data.inputShape, data.numClasses, task.seed);
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

async function storeGet(store: PretrainedStore, key: string, hooks: PretrainHooks): Promise<SerializedWeights | undefined> {
  try {
    return await store.get(key);
  } catch (err) {
    hooks.log("pretrained store get failed; pretraining locally", { key, error: String(err) });
    return undefined;
  }
}

/** Pretrains once per key per process; concurrent callers share the result. */
function pretrainShared(key: string, task: WorkerTask, data: Dataset, store: PretrainedStore, hooks: PretrainHooks): Promise<SerializedWeights> {
  let p = inflight.get(key);
  if (!p) {
    p = (async () => {
      const w = await pretrainWeights(task, data, hooks);
      try {
        await store.put(key, w);
      } catch (err) {
        hooks.log("pretrained store put failed; continuing", { key, error: String(err) });
      }
      return w;
    })();
    inflight.set(key, p);
    const clear = (): void => {
      if (inflight.get(key) === p) inflight.delete(key);
    };
    p.then(clear, clear);
  }
  return p;
}

/**
 * Loads the task's pretrained dense weights into `net`, pretraining them when the store has
 * none (or has unusable ones).
 * @throws TrialAbortedError when aborted while pretraining
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
  const stored = await storeGet(store, key, hooks);
  if (stored) {
    try {
      net.setWeights(stored);
      const valAccuracy = numberMeta(stored, "valAccuracy") ?? (await evaluateAccuracy(net, splitOf(data, "validation")));
      return { key, cached: true, wallMs: performance.now() - started, valAccuracy };
    } catch (err) {
      if (!(err instanceof WeightsMismatchError)) throw err;
      hooks.log("stored pretrained weights do not fit the model; pretraining again", { key, error: err.message });
    }
  }
  hooks.log("pretraining dense model", { key, ...task.pretrain });
  let weights: SerializedWeights;
  try {
    weights = await pretrainShared(key, task, data, store, hooks);
  } catch (err) {
    // Another trial's pretraining was aborted, not ours: train ourselves.
    if (!(err instanceof TrialAbortedError) || hooks.signal.aborted) throw err;
    weights = await pretrainShared(key, task, data, store, hooks);
  }
  net.setWeights(weights);
  const valAccuracy = numberMeta(weights, "valAccuracy") ?? Number.NaN;
  return { key, cached: false, wallMs: performance.now() - started, valAccuracy };
}

function numberMeta(w: SerializedWeights, name: string): number | undefined {
  const v = w.meta?.[name];
  return typeof v === "number" ? v : undefined;
}
