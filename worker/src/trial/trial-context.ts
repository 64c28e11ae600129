/**
 * The runner's implementation of {@link PruningContext}: fine-tuning with masks, per-epoch
 * progress reports, the step and wall budgets, and abort checks at epoch boundaries.
 */
import * as tf from "@tensorflow/tfjs";
import type { TrialCheckpoint } from "../artifacts/checkpoint-codec.js";
import { throwIfAborted } from "../errors.js";
import type { Rng } from "../data/rng.js";
import { splitOf, type Dataset, type SplitName } from "../data/types.js";
import { evaluateAccuracy } from "../metrics/accuracy.js";
import { measureSparsity } from "../metrics/model-metrics.js";
import type { Net } from "../models/net.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import type { FineTuneOptions, FineTuneResult, FineTuneSettings, PruningContext } from "../pruning/pruning-method.js";
import type { Masks } from "../training/masks.js";
import { loadOptimizerState, reloadOptimizer, type OptimizerState } from "../training/optimizer-state.js";
import { createOptimizer, RecipeOptimizer, type TrainingOptimizer } from "../training/optimizers.js";
import { trainEpoch } from "../training/train.js";
import { structureOf, TrialCheckpoints } from "./checkpoints.js";
import type { StepDecision, TrialHooks } from "./types.js";

/** Step and wall-clock limits of a trial (0 = unlimited). */
interface TrialBudget {
  /** Cap on progress steps (fine-tune epochs over all phases). */
  readonly maxSteps: number;
  /** The attempt's time limit; the worker enforces it (see worker.ts), not the context. */
  readonly maxWallMs: number;
}

/** Construction arguments of {@link TrialPruningContext}. */
export interface TrialContextArgs {
  readonly net: Net;
  readonly data: Dataset;
  readonly settings: FineTuneSettings;
  /** Handed to the method. */
  readonly rng: Rng;
  /** Shuffles fine-tuning batches. */
  readonly shuffleRng: Rng;
  readonly hooks: TrialHooks;
  readonly budget: TrialBudget;
  /** `performance.now()` at the start of the trial. */
  readonly startedAt: number;
  /** Builds the net's initial (pre-pretraining) weights; backs {@link TrialPruningContext.initialWeights}. */
  readonly initialWeights?: () => Promise<SerializedWeights>;
  /** Where the trial checkpoints and resumes from. @default none */
  readonly checkpoints?: TrialCheckpoints;
}

/** The masks that training changes (variables, e.g. gate masks), as saved in checkpoints. */
async function variableMasks(masks: Masks | undefined): Promise<TrialCheckpoint["masks"]> {
  const out = [];
  for (const [name, m] of masks ?? []) {
    if (m instanceof tf.Variable) out.push({ name, shape: [...m.shape], data: Float32Array.from(await m.data()) });
  }
  return out;
}

/** A {@link PruningContext} that also accounts steps and fine-tuning time for the runner. */
export class TrialPruningContext implements PruningContext {
  readonly net: Net;
  readonly data: Dataset;
  readonly settings: FineTuneSettings;
  readonly rng: Rng;
  readonly signal: AbortSignal;
  /** Last progress step reported (0 before the first). */
  step = 0;
  /** Total wall time spent in {@link fineTune}. */
  finetuneMs = 0;
  /** Whether a budget cut fine-tuning short. */
  budgetExhausted = false;
  /** Metrics of the last progress report. */
  lastProgress: Readonly<Record<string, number>> = {};
  /** Epochs trained by the trial, over every attempt (those restored from a checkpoint included). */
  epochsTrained = 0;
  /** Epochs trained by this attempt. */
  epochsThisAttempt = 0;
  readonly checkpoints: TrialCheckpoints;
  private readonly args: TrialContextArgs;
  private initial: Promise<SerializedWeights> | undefined;
  /** Calls of {@link fineTune} so far. */
  private calls = 0;
  /** Progress steps reported and answered. */
  private reported = 0;

  constructor(args: TrialContextArgs) {
    this.args = args;
    this.net = args.net;
    this.data = args.data;
    this.settings = args.settings;
    this.rng = args.rng;
    this.signal = args.hooks.signal;
    this.checkpoints = args.checkpoints ?? TrialCheckpoints.disabled();
  }

  log(message: string, fields?: Readonly<Record<string, unknown>>): void {
    this.args.hooks.log(message, fields);
  }

  throwIfAborted(): void {
    throwIfAborted(this.signal);
  }

  async reportProgress(phase: string, metrics: Readonly<Record<string, number>>): Promise<StepDecision> {
    this.step++;
    this.lastProgress = metrics;
    this.log("step done", { phase, step: this.step, ...metrics });
    return this.report(phase, metrics);
  }

  /** Reports step {@link step}, unless an earlier attempt reported it before its checkpoint. */
  private async report(phase: string, metrics: Readonly<Record<string, number>>): Promise<StepDecision> {
    const decision = this.step <= this.checkpoints.reportedStep ? "continue" : await this.args.hooks.progress(this.step, phase, metrics);
    this.reported = this.step;
    return decision;
  }

  checkBudget(): boolean {
    const { budget } = this.args;
    const out = budget.maxSteps > 0 && this.step >= budget.maxSteps;
    if (out) this.budgetExhausted = true;
    return out;
  }

  initialWeights(): Promise<SerializedWeights> {
    const make = this.args.initialWeights;
    if (!make) return Promise.reject(new Error("this trial context cannot provide initial weights"));
    this.initial ??= make();
    return this.initial;
  }

  evaluate(split: SplitName): Promise<number> {
    return evaluateAccuracy(this.net, splitOf(this.data, split));
  }

  /** The optimizer of one fine-tuning run: the recipe's, its schedule spanning the run; else Adam at a constant rate. */
  private optimizerFor(epochs: number, batchSize: number, base: number): TrainingOptimizer {
    const r = this.settings.recipe;
    if (!r) return createOptimizer("adam", base, "finetune.learningRate");
    const perEpoch = Math.max(1, Math.ceil(this.data.nTrain / Math.max(1, Math.floor(batchSize))));
    return new RecipeOptimizer({
      optimizer: r.optimizer,
      momentum: r.momentum,
      weightDecay: r.weightDecay,
      schedule: {
        schedule: r.schedule,
        base,
        totalSteps: perEpoch * epochs,
        warmupSteps: Math.round(r.warmupEpochs * perEpoch),
        stepSize: r.stepEpochs * perEpoch,
        gamma: r.stepGamma,
      },
    });
  }

  async fineTune(opts: FineTuneOptions): Promise<FineTuneResult> {
    const started = performance.now();
    const call = this.calls++;
    const { budget } = this.args;
    const phase = opts.phase ?? "finetune";
    const perEpoch = (opts.progress ?? "epoch") === "epoch";
    const learningRate = opts.learningRate ?? this.settings.learningRate;
    const batchSize = opts.batchSize ?? this.settings.batchSize;
    const makeOptimizer = (): TrainingOptimizer => this.optimizerFor(opts.epochs, batchSize, learningRate);
    const recipe = this.settings.recipe;
    const augment = recipe?.augment ? { padding: recipe.cropPadding, rng: this.args.shuffleRng } : undefined;
    const variables = opts.trainableParams?.map((name) => this.net.param(name).variable);
    const methodRng = this.rng.state();
    const structure = structureOf(this.net);
    let epochsRun = 0;
    let lastLoss = Number.NaN;
    let lastValAccuracy = Number.NaN;
    let budgetExhausted = false;
    let steps = 0;
    let optimizer = makeOptimizer();
    let optimizerState: OptimizerState = [];
    /** The epoch whose boundary was last written (-1: none in this call). */
    let written = -1;
    /** This call continues from a checkpointed boundary. */
    let resumed = false;
    const snapshot = async (complete: boolean): Promise<TrialCheckpoint> => ({
      call,
      phase,
      epoch: epochsRun,
      epochs: opts.epochs,
      complete,
      step: this.step,
      epochsTrained: this.epochsTrained,
      batches: steps,
      shuffleRng: this.args.shuffleRng.state(),
      methodRng,
      structure,
      lastLoss,
      lastValAccuracy,
      budgetExhausted,
      weights: (await this.net.getWeights()).tensors,
      masks: await variableMasks(opts.masks),
      optimizer: complete ? [] : optimizerState,
    });
    const afterStep = opts.afterStep;
    const afterBatch = afterStep ? (): void => afterStep(steps++) : undefined;
    try {
      const saved = await this.checkpoints.forCall(call);
      if (saved) {
        const why =
          saved.phase !== phase || saved.epochs !== opts.epochs
            ? `call ${call} is "${saved.phase}" for ${saved.epochs} epochs in the checkpoint, "${phase}" for ${opts.epochs} in the replay`
            : saved.structure !== structure
              ? "the net's parameters differ"
              : JSON.stringify(saved.methodRng) !== JSON.stringify(methodRng)
                ? "the method's generator differs"
                : undefined;
        if (why !== undefined) this.checkpoints.diverged(call, why);
        else {
          this.load(saved, opts.masks);
          ({ epoch: epochsRun, batches: steps, lastLoss, lastValAccuracy } = saved);
          this.checkpoints.loaded(saved);
          if (saved.complete) {
            if (saved.budgetExhausted) this.budgetExhausted = true;
            this.log("fine-tuning call restored from checkpoint", { call, phase, epochs: saved.epoch, step: this.step });
            return { decision: "continue", epochsRun, budgetExhausted: saved.budgetExhausted, lastLoss, lastValAccuracy };
          }
          await loadOptimizerState(optimizer, saved.optimizer);
          optimizerState = saved.optimizer;
          written = epochsRun;
          resumed = true;
          this.log("fine-tuning resumed from checkpoint", { call, phase, epoch: epochsRun, epochs: opts.epochs, step: this.step });
        }
      }
      // The masks are fixed during the call, so the sparsity is measured once.
      const sparsity = await measureSparsity(this.net);
      if (resumed && perEpoch && this.step > this.checkpoints.reportedStep) {
        // The checkpointed epoch's report may not have reached the coordinator: send it (again).
        const metrics: Record<string, number> = { loss: lastLoss, sparsity };
        if (Number.isFinite(lastValAccuracy)) metrics["val_accuracy"] = lastValAccuracy;
        this.lastProgress = metrics;
        if ((await this.report(phase, metrics)) === "stop") return { decision: "stop", epochsRun, budgetExhausted, lastLoss, lastValAccuracy };
      }
      while (epochsRun < opts.epochs) {
        this.throwIfAborted();
        if (budget.maxSteps > 0 && this.step >= budget.maxSteps) budgetExhausted = true;
        if (budgetExhausted) {
          this.log("trial budget exhausted; fine-tuning cut short", { step: this.step, maxSteps: budget.maxSteps });
          break;
        }
        const r = await trainEpoch(this.net, splitOf(this.data, "train"), {
          optimizer,
          batchSize,
          rng: this.args.shuffleRng,
          ...(recipe && recipe.labelSmoothing > 0 && { labelSmoothing: recipe.labelSmoothing }),
          ...(augment && { augment }),
          masks: opts.masks,
          signal: this.signal,
          loss: opts.loss,
          variables,
          afterBatch,
        });
        epochsRun++;
        this.epochsTrained++;
        this.epochsThisAttempt++;
        lastLoss = r.loss;
        lastValAccuracy = await this.evaluate("validation");
        const metrics: Record<string, number> = { loss: r.loss, sparsity };
        if (Number.isFinite(lastValAccuracy)) metrics["val_accuracy"] = lastValAccuracy;
        if (perEpoch) {
          this.step++;
          this.lastProgress = metrics;
        }
        this.log("epoch done", { phase, step: this.step, ...metrics, epochMs: Math.round(r.wallMs) });
        // Every epoch continues from the optimizer state a checkpoint holds (optimizer-state.ts).
        ({ optimizer, state: optimizerState } = await reloadOptimizer(optimizer, makeOptimizer));
        // Checkpoint, then report: every epoch an attempt reports is in its checkpoints, so no
        // reported epoch is trained again after a crash.
        if (this.checkpoints.due(this.epochsTrained)) {
          await this.checkpoints.write(await snapshot(false), this.reported);
          written = epochsRun;
        }
        if (perEpoch && (await this.report(phase, metrics)) === "stop") return { decision: "stop", epochsRun, budgetExhausted, lastLoss, lastValAccuracy };
      }
      this.throwIfAborted();
      if (budgetExhausted) this.budgetExhausted = true;
      // The end state is needed to fast-forward this call, unless the last write already holds it.
      if (this.checkpoints.enabled && epochsRun > 0 && (written !== epochsRun || budgetExhausted)) this.checkpoints.callEnded(await snapshot(true));
      return { decision: "continue", epochsRun, budgetExhausted, lastLoss, lastValAccuracy };
    } finally {
      optimizer.dispose();
      this.finetuneMs += performance.now() - started;
    }
  }

  /** Loads a checkpoint's net, masks, shuffle generator and counters. */
  private load(c: TrialCheckpoint, masks: Masks | undefined): void {
    this.net.setWeights({ tensors: c.weights });
    for (const m of c.masks) {
      const target = masks?.get(m.name);
      if (target instanceof tf.Variable) tf.tidy(() => target.assign(tf.tensor(m.data, [...m.shape], "float32")));
    }
    this.args.shuffleRng.restore(c.shuffleRng);
    this.step = c.step;
    this.reported = Math.min(c.step, this.checkpoints.reportedStep);
    this.epochsTrained = c.epochsTrained;
  }
}
