/**
 * The contract between the trial runner and a weight-pruning method.
 *
 * Lifecycle, per trial: the runner validates the trial's parameters against the method's
 * catalogue entry in `@prunesweep/proto` (plus the common parameters), calls
 * {@link PruningMethod.parseParams} once (before any training, so a bad parameter fails fast
 * and non-retryably), loads the pretrained dense net, then awaits
 * {@link PruningMethod.run} exactly once. The method prunes `ctx.net` in place and fine-tunes
 * it through {@link PruningContext.fineTune}, which reports progress, honours the step budget
 * and the coordinator's "stop", and throws TrialAbortedError when the trial is aborted.
 * After `run` resolves, the runner measures the net (accuracy, sparsity, MACs) and disposes
 * the returned masks and the net.
 *
 * Checkpoints (README, "Checkpoints") replay `run` on a resumed trial and fast-forward the
 * checkpointed `fineTune` calls, so a method must train only through `fineTune` and decide only
 * from the net, the data, its parameters and `ctx.rng` (no clock, no `Math.random`); masks
 * that training changes must be tf variables in the masks passed to `fineTune`.
 */
import type { MethodEntry, MethodName, OptimizerName, PlainParam, ScheduleName } from "@prunesweep/proto";
import type { Rng } from "../data/rng.js";
import type { Dataset, SplitName } from "../data/types.js";
import type { ExitRule } from "../models/exits.js";
import type { Net } from "../models/net.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import type { LossFn } from "../training/train.js";
import type { Masks } from "../training/masks.js";

/** The coordinator's answer to a progress report: go on, or stop the trial early. */
export type StepDecision = "continue" | "stop";

/** Fine-tuning settings resolved from the common `finetune.*` trial parameters. */
export interface FineTuneSettings {
  /** `finetune.epochs`. @default 2 */
  readonly epochs: number;
  /** `finetune.learningRate`, the schedule's base rate. @default 1e-3 */
  readonly learningRate: number;
  /** `finetune.batchSize`. @default the task's pretrain batch size */
  readonly batchSize: number;
  /** The rest of the recipe (`finetune.optimizer`, `.schedule`, ...); unset: Adam at a constant rate, nothing else. */
  readonly recipe?: FineTuneRecipe;
}

/** The fine-tuning recipe's parameters (catalogue: proto/src/catalogue/recipe.ts). */
export interface FineTuneRecipe {
  readonly optimizer: OptimizerName;
  readonly momentum: number;
  readonly schedule: ScheduleName;
  readonly warmupEpochs: number;
  readonly stepEpochs: number;
  readonly stepGamma: number;
  readonly weightDecay: number;
  readonly labelSmoothing: number;
  readonly augment: boolean;
  readonly cropPadding: number;
}

/** Options of one {@link PruningContext.fineTune} call. */
export interface FineTuneOptions {
  /** Epochs to run; fewer when the trial's step or wall budget runs out. */
  readonly epochs: number;
  /** Masks to enforce during training (pruned weights stay exactly zero). */
  readonly masks?: Masks;
  /** Phase label of the progress reports. @default "finetune" */
  readonly phase?: string;
  /** @default settings.learningRate */
  readonly learningRate?: number;
  /** @default settings.batchSize */
  readonly batchSize?: number;
  /** Custom loss (e.g. with a sparsity regulariser). @default cross-entropy */
  readonly loss?: LossFn;
  /**
   * `"epoch"`: every epoch is a progress step (reported, counted against `budget.maxSteps`).
   * `"none"`: epochs are not reported; the method reports its own steps (e.g. one per pruning
   * round) with {@link PruningContext.reportProgress}.
   * @default "epoch"
   */
  readonly progress?: "epoch" | "none";
  /** Names of the parameters to train; the others stay frozen. @default every trainable parameter */
  readonly trainableParams?: readonly string[];
  /**
   * Called after every optimizer step (masks already re-applied) with the step count of this
   * call (0-based), e.g. to project or threshold gates.
   */
  readonly afterStep?: (step: number) => void;
}

/** How a {@link PruningContext.fineTune} call ended. */
export interface FineTuneResult {
  /** "stop" when the coordinator asked the trial to stop: return promptly with `stoppedEarly`. */
  readonly decision: StepDecision;
  readonly epochsRun: number;
  /** True when `budget.maxSteps` cut the epochs short. */
  readonly budgetExhausted: boolean;
  /** Mean training loss of the last epoch (NaN when no epoch ran). */
  readonly lastLoss: number;
  /** Validation accuracy after the last epoch (NaN when no epoch ran or no validation split). */
  readonly lastValAccuracy: number;
}

/** What a method gets to work with. Owned by the runner; valid only during `run`. */
export interface PruningContext {
  /** The pretrained dense net; prune it in place. */
  readonly net: Net;
  readonly data: Dataset;
  readonly settings: FineTuneSettings;
  /** Seeded per trial (task seed + trial id); derive sub-streams with `Rng.derive`. */
  readonly rng: Rng;
  readonly signal: AbortSignal;
  /** Structured log line. */
  log(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /**
   * Trains with masks, one progress report per epoch (`val_accuracy`, `loss`, `sparsity`).
   * @throws TrialAbortedError when the trial is aborted; NonFiniteLossError on divergence
   */
  fineTune(opts: FineTuneOptions): Promise<FineTuneResult>;
  /** Top-1 accuracy of the net on a split. */
  evaluate(split: SplitName): Promise<number>;
  /** Throws TrialAbortedError when the trial has been aborted. */
  throwIfAborted(): void;
  /**
   * Reports one progress step of the method's own (e.g. a pruning round, phase `"prune"`):
   * the step counter advances by one. Resolves to the coordinator's decision; on "stop",
   * return promptly with `stoppedEarly`.
   */
  reportProgress(phase: string, metrics: Readonly<Record<string, number>>): Promise<StepDecision>;
  /**
   * True (and recorded as `budgetExhausted` in the trial details) when the trial's step or
   * wall-clock budget is used up: start no further round.
   */
  checkBudget(): boolean;
  /**
   * The net's weights as initialised, before pretraining (same seed, same values): the rewind
   * target w_init of lottery-ticket-style methods. Computed once per trial.
   */
  initialWeights(): Promise<SerializedWeights>;
}

/** Metric names method `N` may report: those its catalogue entry lists. */
export type MethodMetricName<N extends MethodName> = MethodEntry<N>["metrics"][number];

/** What a method hands back; `M`: the metric names it may report. */
export interface PruningResult<M extends string = string> {
  /** Final masks; ownership passes to the runner, which disposes them. */
  readonly masks?: Masks;
  /** True when the method obeyed a "stop" decision. */
  readonly stoppedEarly: boolean;
  /** Method-specific metrics (catalogued in the method's entry), merged into the trial metrics. */
  readonly metrics?: Readonly<Partial<Record<M, number>>>;
  /** Method-specific JSON-serialisable details, merged into the trial details. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Early-exit operating-point rule overriding `modelOptions.exitRule` (early-exit method). */
  readonly exitRule?: ExitRule;
}

/** Validated parameters handed to {@link PruningMethod.parseParams}. */
export interface MethodParamValues {
  /** The method's own parameters as given (unqualified names, `scope` for `magnitude.scope`), no defaults. */
  readonly own: Readonly<Record<string, PlainParam>>;
  /** The common parameters as given (`sparsity`, `finetune.epochs`, ...), no defaults. */
  readonly common: Readonly<Record<string, PlainParam>>;
}

/**
 * A weight-pruning method, registered by name in `pruning/registry.ts`. Its name, parameter
 * rules and metrics are its catalogue entry in `@prunesweep/proto` (`methodEntry(name)`).
 */
export interface PruningMethod<P = unknown, N extends MethodName = MethodName> {
  /** Catalogue name, also the parameter namespace (`magnitude.scope`). */
  readonly name: N;
  /**
   * Applies defaults and cross-parameter checks to already type- and range-checked values.
   * @throws InvalidParameterError naming the offending parameter
   */
  parseParams(values: MethodParamValues): P;
  /** Prunes and fine-tunes `ctx.net`. */
  run(ctx: PruningContext, params: P): Promise<PruningResult<MethodMetricName<N>>>;
}
