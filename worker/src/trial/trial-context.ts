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
import type { FineTuneOptions, FineTuneResult, FineTuneSettings, PruningContext } from "../pruning/pruning-method.js";
import { createOptimizer, trainEpoch } from "./train.js";
import type { TrialHooks } from "./types.js";

/** Step and wall-clock limits of a trial (0 = unlimited). */
export interface TrialBudget {
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

  evaluate(split: SplitName): Promise<number> {
    return evaluateAccuracy(this.net, splitOf(this.data, split));
  }

  async fineTune(opts: FineTuneOptions): Promise<FineTuneResult> {
    const started = performance.now();
    const { budget, hooks } = this.args;
    const phase = opts.phase ?? "finetune";
    let epochsRun = 0;
    let lastLoss = Number.NaN;
    let lastValAccuracy = Number.NaN;
    let budgetExhausted = false;
    const optimizer = createOptimizer("adam", opts.learningRate ?? this.settings.learningRate, "finetune.learningRate");
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
          batchSize: opts.batchSize ?? this.settings.batchSize,
          rng: this.args.shuffleRng,
          masks: opts.masks,
          signal: this.signal,
          loss: opts.loss,
        });
        epochsRun++;
        lastLoss = r.loss;
        lastValAccuracy = await this.evaluate("validation");
        this.step++;
        const metrics: Record<string, number> = { loss: r.loss, sparsity };
        if (Number.isFinite(lastValAccuracy)) metrics["val_accuracy"] = lastValAccuracy;
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
