/**
 * The runner's implementation of {@link PruningContext}: fine-tuning with masks, per-epoch
 * progress reports, the step and wall budgets, and abort checks at epoch boundaries.
 */
import { throwIfAborted } from "../errors.js";
import type { Rng } from "../data/rng.js";
import { splitOf, type Dataset, type SplitName } from "../data/types.js";
import { evaluateAccuracy } from "../metrics/accuracy.js";
import { measureModel } from "../metrics/model-metrics.js";
import type { Net } from "../models/net.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import type { FineTuneOptions, FineTuneResult, FineTuneSettings, PruningContext } from "../pruning/pruning-method.js";
import { createOptimizer, RecipeOptimizer, type TrainingOptimizer } from "../training/optimizers.js";
import { trainEpoch } from "../training/train.js";
import type { StepDecision, TrialHooks } from "./types.js";

/** Step and wall-clock limits of a trial (0 = unlimited). */
interface TrialBudget {
  /** Cap on progress steps (fine-tune epochs over all phases). */
  readonly maxSteps: number;
  /** Wall-clock cap measured from `startedAt`; checked at epoch boundaries. */
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
  private readonly args: TrialContextArgs;
  private initial: Promise<SerializedWeights> | undefined;

  constructor(args: TrialContextArgs) {
    this.args = args;
    this.net = args.net;
    this.data = args.data;
    this.settings = args.settings;
    this.rng = args.rng;
    this.signal = args.hooks.signal;
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
    return this.args.hooks.progress(this.step, phase, metrics);
  }

  checkBudget(): boolean {
    const { budget, startedAt } = this.args;
    const out = (budget.maxSteps > 0 && this.step >= budget.maxSteps) || (budget.maxWallMs > 0 && performance.now() - startedAt >= budget.maxWallMs);
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
    const { budget, hooks } = this.args;
    const phase = opts.phase ?? "finetune";
    const perEpoch = (opts.progress ?? "epoch") === "epoch";
    let epochsRun = 0;
    let lastLoss = Number.NaN;
    let lastValAccuracy = Number.NaN;
    let budgetExhausted = false;
    const batchSize = opts.batchSize ?? this.settings.batchSize;
    const optimizer = this.optimizerFor(opts.epochs, batchSize, opts.learningRate ?? this.settings.learningRate);
    const recipe = this.settings.recipe;
    const augment = recipe?.augment ? { padding: recipe.cropPadding, rng: this.args.shuffleRng } : undefined;
    const variables = opts.trainableParams?.map((name) => this.net.param(name).variable);
    let steps = 0;
    const afterStep = opts.afterStep;
    const afterBatch = afterStep ? (): void => afterStep(steps++) : undefined;
    try {
      // The masks are fixed during the call, so the sparsity is measured once.
      const sparsity = (await measureModel(this.net)).sparsity;
      for (let e = 0; e < opts.epochs; e++) {
        this.throwIfAborted();
        if (budget.maxSteps > 0 && this.step >= budget.maxSteps) budgetExhausted = true;
        if (budget.maxWallMs > 0 && performance.now() - this.args.startedAt >= budget.maxWallMs) budgetExhausted = true;
        if (budgetExhausted) {
          this.log("trial budget exhausted; fine-tuning cut short", { step: this.step, maxSteps: budget.maxSteps, maxWallMs: budget.maxWallMs });
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
        lastLoss = r.loss;
        lastValAccuracy = await this.evaluate("validation");
        const metrics: Record<string, number> = { loss: r.loss, sparsity };
        if (Number.isFinite(lastValAccuracy)) metrics["val_accuracy"] = lastValAccuracy;
        if (!perEpoch) {
          this.log("epoch done", { phase, step: this.step, ...metrics, epochMs: Math.round(r.wallMs) });
          continue;
        }
        this.step++;
        this.lastProgress = metrics;
        this.log("epoch done", { phase, step: this.step, ...metrics, epochMs: Math.round(r.wallMs) });
        const decision = await hooks.progress(this.step, phase, metrics);
        if (decision === "stop") return { decision, epochsRun, budgetExhausted, lastLoss, lastValAccuracy };
      }
      this.throwIfAborted();
      if (budgetExhausted) this.budgetExhausted = true;
      return { decision: "continue", epochsRun, budgetExhausted, lastLoss, lastValAccuracy };
    } finally {
      optimizer.dispose();
      this.finetuneMs += performance.now() - started;
    }
  }
}
