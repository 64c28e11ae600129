/**
 * The optimizer factory: every optimizer of the catalogue (`OPTIMIZER_NAMES`), and the
 * recipe's step: a learning rate per step from a schedule, and weight decay on the kernels
 * (rank >= 2 variables; biases and norm parameters are not decayed) — decoupled for `adamw`
 * (`W ← W − lr·wd·W` after the Adam step, Loshchilov & Hutter 2019), an L2 term `wd·W` added to
 * the gradient for the others. The training loop re-applies pruning masks after every step
 * (worker/src/training/train.ts), so decay never revives a pruned weight.
 */
import * as tf from "@tensorflow/tfjs";
import { OPTIMIZER_NAMES, type OptimizerName } from "@prunesweep/proto";
import { InvalidTaskError } from "../errors.js";
import { MaskedAdam } from "./fused-adam.js";
import { learningRateAt, type ScheduleSettings } from "./schedule.js";

/** Momentum of `momentum` when not given. */
const DEFAULT_MOMENTUM = 0.9;
/** The name of a {@link RecipeOptimizer}'s step count in its saved state. */
const RECIPE_STEPS = "recipe/steps";

/** A named tensor, as tf.Optimizer's getWeights gives them. */
type NamedTensor = Awaited<ReturnType<tf.Optimizer["getWeights"]>>[number];

const isOptimizerName = (name: string): name is OptimizerName => (OPTIMIZER_NAMES as readonly string[]).includes(name);

/**
 * Creates a tfjs optimizer. The caller owns it: dispose it when done (its slot variables are
 * not freed with the net). `adamw` is Adam here; its decoupled decay is {@link RecipeOptimizer}'s.
 * @param what names the setting in error messages, e.g. `pretrain.optimizer`
 * @throws InvalidTaskError for an unknown name or a non-positive learning rate
 */
export function createOptimizer(name: string, learningRate: number, what = "optimizer", momentum = DEFAULT_MOMENTUM): tf.Optimizer {
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new InvalidTaskError(`${what}: learning rate must be a finite number > 0, got ${learningRate}`);
  }
  const key = name.toLowerCase();
  if (!isOptimizerName(key)) throw new InvalidTaskError(`${what}: unknown optimizer "${name}"; valid: ${OPTIMIZER_NAMES.join(", ")}`);
  switch (key) {
    case "adam":
    case "adamw":
      // tf.train.adam's arithmetic; with the masks, fused into one pass per variable on wasm.
      return new MaskedAdam(learningRate);
    case "sgd":
      return tf.train.sgd(learningRate);
    case "momentum":
      return tf.train.momentum(learningRate, momentum);
    case "rmsprop":
      return tf.train.rmsprop(learningRate);
  }
}

/** Sets the learning rate a tfjs optimizer uses for its next step. */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // SGD and momentum hold it as a kept scalar; Adam and RMSProp read the field at each step.
  // (Duck typing: tfjs optimizer classes answer `instanceof` for any optimizer.)
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === "function") o.setLearningRate(lr);
  else o.learningRate = lr;
}

/** The recipe of a {@link RecipeOptimizer}. */
export interface RecipeSettings {
  readonly optimizer: string;
  readonly momentum?: number;
  readonly weightDecay: number;
  /** The learning rate per step. */
  readonly schedule: ScheduleSettings;
}

/** An optimizer that follows the recipe: scheduled learning rate, weight decay. Owns its tfjs optimizer. */
export class RecipeOptimizer {
  private readonly inner: tf.Optimizer;
  private readonly decoupled: boolean;
  private steps = 0;
  private lr: number;

  /** @throws InvalidTaskError as {@link createOptimizer} */
  constructor(
    private readonly settings: RecipeSettings,
    what = "finetune.optimizer",
  ) {
    this.inner = createOptimizer(settings.optimizer, settings.schedule.base, what, settings.momentum);
    this.decoupled = settings.optimizer.toLowerCase() === "adamw";
    this.lr = settings.schedule.base;
  }

  /** Steps taken so far. */
  get step(): number {
    return this.steps;
  }

  /** The learning rate of the last step taken (the base rate before the first). */
  get learningRate(): number {
    return this.lr;
  }

  /**
   * One step on `grads` (keyed by variable name) for `variables`. Call inside `tf.tidy`.
   */
  apply(grads: tf.NamedTensorMap, variables: readonly tf.Variable[]): void {
    const lr = learningRateAt(this.settings.schedule, this.steps++);
    this.lr = lr;
    setLearningRate(this.inner, lr);
    const wd = this.settings.weightDecay;
    const decayed = wd > 0 ? variables.filter((v) => v.shape.length >= 2 && grads[v.name] !== undefined) : [];
    if (!this.decoupled) {
      for (const v of decayed) grads[v.name] = tf.add(grads[v.name] as tf.Tensor, tf.mul(v, wd));
    }
    this.inner.applyGradients(grads);
    if (this.decoupled) for (const v of decayed) v.assign(tf.mul(v, 1 - lr * wd));
  }

  /** The inner optimizer's state after the step count (`recipe/steps`), as tf.Optimizer's getWeights. */
  async getWeights(): Promise<NamedTensor[]> {
    return [{ name: RECIPE_STEPS, tensor: tf.scalar(this.steps) }, ...(await this.inner.getWeights())];
  }

  /** Restores what {@link getWeights} gave, into an optimizer that has not stepped yet. */
  async setWeights(weights: NamedTensor[]): Promise<void> {
    const [head, ...rest] = weights;
    if (head?.name !== RECIPE_STEPS) throw new InvalidTaskError(`optimizer state: expected "${RECIPE_STEPS}" first, got "${head?.name ?? "nothing"}"`);
    this.steps = (await head.tensor.data())[0] ?? 0;
    if (this.steps > 0) this.lr = learningRateAt(this.settings.schedule, this.steps - 1);
    await this.inner.setWeights(rest);
  }

  dispose(): void {
    this.inner.dispose();
  }
}

/** What the training loop steps: a plain tfjs optimizer (constant rate, no decay) or a recipe. */
export type TrainingOptimizer = tf.Optimizer | RecipeOptimizer;

/** One optimizer step of either kind. Call inside `tf.tidy`. */
export function optimizerStep(optimizer: TrainingOptimizer, grads: tf.NamedTensorMap, variables: readonly tf.Variable[]): void {
  if (optimizer instanceof RecipeOptimizer) optimizer.apply(grads, variables);
  else optimizer.applyGradients(grads);
}
