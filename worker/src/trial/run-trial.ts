/**
 * Runs one trial attempt end to end: validate parameters → backend → dataset → model →
 * pretrained dense weights (store or pretrain) → prune + fine-tune (the method) → measure.
 *
 * Control flow, not exceptions: the result is a {@link TrialOutcome}. Invalid parameters or
 * tasks fail non-retryably before any training; an abort at an epoch boundary gives
 * `aborted`; a "stop" decision gives `completed` with `stoppedEarly: true` and the metrics of
 * the net as it is. Every tensor the trial creates is disposed before it returns.
 */
import type { PretrainedStore } from "../artifacts/pretrained-store.js";
import { selectBackend } from "../backend/select-backend.js";
import { loadDataset } from "../data/load-dataset.js";
import { Rng } from "../data/rng.js";
import { splitOf } from "../data/types.js";
import { InvalidTaskError, TrialAbortedError, isRetryable, serializeError, throwIfAborted } from "../errors.js";
import { evaluateAccuracy } from "../metrics/accuracy.js";
import { measureModel } from "../metrics/model-metrics.js";
import type { Net } from "../models/net.js";
import { buildModel } from "../models/registry.js";
import { disposeMasks, type Masks } from "../pruning/masks.js";
import { resolveTrialParams } from "../pruning/params.js";
import { loadPretrained } from "./pretrain.js";
import { TrialPruningContext } from "./trial-context.js";
import type { TrialHooks, TrialOutcome, TrialRequest } from "./types.js";

/** Services a trial needs besides its request. */
export interface TrialDeps {
  /** Shared pretrained dense weights. */
  readonly pretrained: PretrainedStore;
}

/**
 * Runs one trial attempt. Never throws: failures come back as `{ kind: "failed" }` with
 * `retryable` from {@link isRetryable}.
 */
export async function runTrial(req: TrialRequest, hooks: TrialHooks, deps: TrialDeps): Promise<TrialOutcome> {
  const startedAt = performance.now();
  let net: Net | undefined;
  let masks: Masks | undefined;
  try {
    const resolved = resolveTrialParams(req.params);
    for (const name of resolved.ignored) hooks.log("ignoring parameter of another method", { param: name, method: resolved.method.name });
    const task = req.task;
    if (task.exits.positions.length > 0 || task.exits.every > 0) {
      throw new InvalidTaskError(`model "${task.model}" does not support early exits yet (exits ${JSON.stringify(task.exits)})`);
    }
    throwIfAborted(hooks.signal);

    const backend = await selectBackend(task.backend);
    const data = await loadDataset({ source: task.dataset, split: task.split, seed: task.seed, maxTrainExamples: task.maxTrainExamples });
    net = buildModel(task.model, task.modelOptions, data.inputShape, data.numClasses, task.seed);
    const pre = await loadPretrained(net, task, data, deps.pretrained, hooks);
    hooks.log("pretrained weights ready", { key: pre.key, cached: pre.cached, val_accuracy: pre.valAccuracy, ms: Math.round(pre.wallMs) });
    throwIfAborted(hooks.signal);

    const ctx = new TrialPruningContext({
      net,
      data,
      settings: {
        epochs: resolved.common.finetuneEpochs,
        learningRate: resolved.common.finetuneLearningRate,
        batchSize: resolved.common.finetuneBatchSize ?? task.pretrain.batchSize,
      },
      rng: Rng.derive(task.seed, "trial", req.trialId, "method"),
      shuffleRng: Rng.derive(task.seed, "trial", req.trialId, "finetune-shuffle"),
      hooks,
      budget: req.budget,
      startedAt,
    });
    const methodStarted = performance.now();
    const result = await resolved.method.run(ctx, resolved.methodParams);
    masks = result.masks;
    const methodMs = performance.now() - methodStarted;
    if (!result.stoppedEarly) throwIfAborted(hooks.signal);

    const size = await measureModel(net);
    const accuracy = await evaluateAccuracy(net, splitOf(data, "test"));
    const valAccuracy = await evaluateAccuracy(net, splitOf(data, "validation"));
    const metrics: Record<string, number> = {
      ...result.metrics,
      accuracy,
      params: size.params,
      nonzero_params: size.nonzeroParams,
      dense_macs: size.denseMacs,
      effective_macs: size.effectiveMacs,
      sparsity: size.sparsity,
      wall_ms_pretrain: Math.round(pre.wallMs),
      wall_ms_prune: Math.round(Math.max(0, methodMs - ctx.finetuneMs)),
      wall_ms_finetune: Math.round(ctx.finetuneMs),
    };
    if (Number.isFinite(valAccuracy)) metrics["val_accuracy"] = valAccuracy;
    if (Number.isFinite(pre.valAccuracy)) metrics["pretrain_val_accuracy"] = pre.valAccuracy;
    const details: Record<string, unknown> = {
      ...result.details,
      method: resolved.method.name,
      backend: backend.backend,
      backendPackage: backend.package,
      layerSparsity: size.layerSparsity,
      macsPerLayer: net.macsPerLayer(),
      pretrain: { key: pre.key, cached: pre.cached },
      dataset: { name: data.name, train: data.nTrain, validation: data.nVal, test: data.nTest },
      finetune: ctx.settings,
      budgetExhausted: ctx.budgetExhausted,
    };
    return {
      kind: "completed",
      metrics,
      details,
      stoppedEarly: result.stoppedEarly,
      lastStep: ctx.step,
      wallMs: Math.round(performance.now() - startedAt),
    };
  } catch (err) {
    if (err instanceof TrialAbortedError) return { kind: "aborted", reason: err.message };
    hooks.log("trial failed", { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    return { kind: "failed", error: serializeError(err), retryable: isRetryable(err) };
  } finally {
    disposeMasks(masks);
    net?.dispose();
  }
}
