/**
 * Runs one trial attempt end to end: validate parameters → backend → dataset → model →
 * pretrained dense weights (store or pretrain) → prune + fine-tune (the method) → measure.
 *
 * Control flow, not exceptions: the result is a {@link TrialOutcome}. Invalid parameters or
 * tasks fail non-retryably before any training; an abort at an epoch boundary gives
 * `aborted`; a "stop" decision gives `completed` with `stoppedEarly: true` and the metrics of
 * the net as it is. Every tensor the trial creates is disposed before it returns.
 */
import type { CheckpointStore } from "../artifacts/checkpoint-store.js";
import type { BlobCache } from "../artifacts/blob-cache.js";
import type { PretrainedStore } from "../artifacts/pretrained-store.js";
import { engineName, selectBackend } from "../backend/select-backend.js";
import { loadDataset } from "../data/load-dataset.js";
import { Rng } from "../data/rng.js";
import { InvalidParameterError, TrialAbortedError, isRetryable, serializeError, throwIfAborted } from "../errors.js";
import { collectTrialMetrics } from "../metrics/trial-metrics.js";
import type { Net } from "../models/net.js";
import { buildModel } from "../models/registry.js";
import { disposeMasks, type Masks } from "../training/masks.js";
import { resolveTrialParams } from "../pruning/params.js";
import { importedModelFor } from "./imported-model.js";
import { trialDataRequest } from "./uploaded-data.js";
import { saveTrialModel } from "./save-model.js";
import { loadPretrained } from "./pretrain.js";
import { TrialCheckpoints } from "./checkpoints.js";
import { TrialPruningContext } from "./trial-context.js";
import type { TrialHooks, TrialOutcome, TrialRequest } from "./types.js";

/** Services a trial needs besides its request. */
export interface TrialDeps {
  /** Shared pretrained dense weights. */
  readonly pretrained: PretrainedStore;
  /** Where trials checkpoint (every `budget.checkpointEvery` epochs) and resume from. @default none */
  readonly checkpoints?: CheckpointStore;
  /** Uploaded files by content hash (imported models); undefined: read them from their paths. */
  readonly blobs?: BlobCache;
}

/**
 * Runs one trial attempt. Never throws: failures come back as `{ kind: "failed" }` with
 * `retryable` from {@link isRetryable}.
 */
export async function runTrial(req: TrialRequest, hooks: TrialHooks, deps: TrialDeps): Promise<TrialOutcome> {
  const startedAt = performance.now();
  let net: Net | undefined;
  let masks: Masks | undefined;
  let checkpoints = TrialCheckpoints.disabled();
  try {
    const resolved = resolveTrialParams(req.params);
    for (const name of resolved.ignored) hooks.log("ignoring parameter of another method", { param: name, method: resolved.method.name });
    const task = req.task;
    throwIfAborted(hooks.signal);

    const backend = await selectBackend(task.backend);
    const imported = await importedModelFor(task, deps.blobs);
    const data = await loadDataset(await trialDataRequest(task, deps.blobs, imported));
    if (resolved.common.recipe.augment && data.inputShape.length !== 3) {
      throw new InvalidParameterError("finetune.augment", `crops and flips need image examples [height, width, channels]; dataset "${data.name}" has examples of shape [${data.inputShape.join(", ")}]`);
    }
    net = buildModel(task.model, task.modelOptions, data.inputShape, data.numClasses, task.seed, task.exits, imported);
    const every = req.budget.checkpointEvery ?? 0;
    const pre = await loadPretrained(net, task, data, deps.pretrained, hooks, deps.checkpoints && every > 0 ? { store: deps.checkpoints, every } : undefined, imported);
    hooks.log("pretrained weights ready", { key: pre.key, source: pre.source, val_accuracy: pre.valAccuracy, ms: Math.round(pre.wallMs) });
    throwIfAborted(hooks.signal);
    checkpoints = await TrialCheckpoints.open(deps.checkpoints, req, hooks.log);

    const ctx = new TrialPruningContext({
      net,
      data,
      settings: {
        epochs: resolved.common.finetuneEpochs,
        learningRate: resolved.common.finetuneLearningRate,
        batchSize: resolved.common.finetuneBatchSize ?? task.pretrain.batchSize,
        recipe: resolved.common.recipe,
      },
      rng: Rng.derive(task.seed, "trial", req.trialId, "method"),
      shuffleRng: Rng.derive(task.seed, "trial", req.trialId, "finetune-shuffle"),
      hooks,
      budget: req.budget,
      startedAt,
      // The rewind target of lottery-ticket-style methods: the same build (and seed) pretraining started from.
      initialWeights: async () => {
        const fresh = buildModel(task.model, task.modelOptions, data.inputShape, data.numClasses, task.seed, task.exits, imported);
        try {
          return await fresh.getWeights();
        } finally {
          fresh.dispose();
        }
      },
      checkpoints,
    });
    const methodStarted = performance.now();
    const result = await resolved.method.run(ctx, resolved.methodParams);
    masks = result.masks;
    const methodMs = performance.now() - methodStarted;
    if (!result.stoppedEarly) throwIfAborted(hooks.signal);

    // accuracy, per-exit accuracy and τ curve, sizes, MACs, PQI, latency (metrics/trial-metrics.ts).
    const measured = await collectTrialMetrics(net, data, { exitRule: result.exitRule });
    const metrics: Record<string, number> = {
      ...result.metrics,
      ...measured.metrics,
      wall_ms_pretrain: Math.round(pre.wallMs),
      wall_ms_prune: Math.round(Math.max(0, methodMs - ctx.finetuneMs)),
      wall_ms_finetune: Math.round(ctx.finetuneMs),
    };
    if (Number.isFinite(pre.valAccuracy)) metrics["pretrain_val_accuracy"] = pre.valAccuracy;
    const engine = engineName(backend);
    const latency = measured.details["latency"];
    const model = await saveTrialModel(net, req, resolved.method.name, metrics, deps.blobs, hooks);
    const details: Record<string, unknown> = {
      ...result.details,
      ...measured.details,
      // Latency metrics say which engine they were measured on.
      ...(latency !== null && typeof latency === "object" && { latency: { ...latency, engine } }),
      engine,
      method: resolved.method.name,
      backend: backend.backend,
      backendPackage: backend.package,
      ...(backend.device !== undefined && { backendDevice: backend.device }),
      ...(backend.blas !== undefined && { blas: backend.blas.library, blasThreads: backend.blas.threads }),
      macsPerLayer: net.macsPerLayer(),
      pretrain: { key: pre.key, cached: pre.cached, source: pre.source },
      dataset: { name: data.name, train: data.nTrain, validation: data.nVal, test: data.nTest },
      finetune: ctx.settings,
      budgetExhausted: ctx.budgetExhausted,
      epochsTrained: ctx.epochsTrained,
      epochsThisAttempt: ctx.epochsThisAttempt,
      checkpoint: checkpoints.summary(),
      ...(model && { model }),
    };
    await checkpoints.clear();
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
    const retryable = isRetryable(err);
    // A retry resumes from the checkpoints; a trial that cannot succeed does not need them.
    if (!retryable) await checkpoints.clear();
    return { kind: "failed", error: serializeError(err), retryable };
  } finally {
    disposeMasks(masks);
    net?.dispose();
  }
}
