/**
 * The fine-tuning recipe: optimizer, learning-rate schedule with warm-up, weight decay, label
 * smoothing and image augmentation, as common trial parameters (`finetune.*`), so that a
 * campaign may search over them like over any parameter. The worker's optimizer factory and
 * schedule (worker/src/training/) implement exactly these names.
 */
import type { ParamRule } from "./param-rules.js";

/** Optimizers of fine-tuning (`finetune.optimizer`) and of the dense pretraining (`task.pretrain.optimizer`). */
export const OPTIMIZER_NAMES = ["sgd", "momentum", "adam", "adamw", "rmsprop"] as const;
/** An optimizer name. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Learning-rate schedules (`finetune.schedule`). */
export const SCHEDULE_NAMES = ["constant", "step", "cosine"] as const;
/** A schedule name. */
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

/** The recipe's parameters, part of the common parameters every method understands. */
export const RECIPE_PARAMS = {
  "finetune.optimizer": {
    type: "categorical",
    values: OPTIMIZER_NAMES,
    default: "adam",
    description: "fine-tuning optimizer: sgd, momentum (heavy ball), adam, adamw (Adam with decoupled weight decay), rmsprop",
  },
  "finetune.momentum": { type: "float", min: 0, max: 1, exclusiveMax: true, default: 0.9, description: "momentum of the momentum optimizer" },
  "finetune.schedule": {
    type: "categorical",
    values: SCHEDULE_NAMES,
    default: "constant",
    description: "learning-rate schedule over each fine-tuning run: constant, step (× stepGamma every stepEpochs epochs) or cosine (to 0 at the last step)",
  },
  "finetune.warmupEpochs": {
    type: "float",
    min: 0,
    max: 1000,
    default: 0,
    description: "linear learning-rate warm-up from 0 over this many epochs (fractions allowed), before the schedule",
  },
  "finetune.stepEpochs": { type: "int", min: 1, max: 1000, default: 1, description: "step schedule: epochs between decays" },
  "finetune.stepGamma": { type: "float", min: 0, max: 1, exclusiveMin: true, default: 0.1, description: "step schedule: learning-rate factor at each decay" },
  "finetune.weightDecay": {
    type: "float",
    min: 0,
    max: 1,
    default: 0,
    description: "weight decay on the kernels (not biases or norms): decoupled (W ← W − lr·wd·W) with adamw, an L2 term on the gradient otherwise",
  },
  "finetune.labelSmoothing": { type: "float", min: 0, max: 1, exclusiveMax: true, default: 0, description: "label smoothing ε: targets 1 − ε + ε/K and ε/K" },
  "finetune.augment": {
    type: "bool",
    default: false,
    description: "image data: random crop (after zero padding by cropPadding) and random horizontal flip of every training batch",
  },
  "finetune.cropPadding": { type: "int", min: 0, max: 64, default: 4, description: "augmentation: padding in pixels of the random crop (0: flips only)" },
} as const satisfies Readonly<Record<string, ParamRule>>;
