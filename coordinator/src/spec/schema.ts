/**
 * zod schemas of the campaign spec (docs/campaign-spec.md), everything except `space`, which
 * the search-space parser handles. Objects are strict: unknown keys are errors. Model names,
 * backends and the task defaults come from proto's catalogue; the other defaults are named
 * constants here so that docs and code agree.
 */
import { BACKEND_NAMES, MODEL_NAMES, PRETRAIN_OPTIMIZERS, TASK_DEFAULTS } from "@prunesweep/proto";
import { z } from "zod";
import type { DatasetSource, TaskConfig } from "../domain/campaign-spec.js";

/** Default `seed`. */
export const DEFAULT_SEED = 0;
/**
 * The sampler and early stopper of a spec that names none. On recorded real pruning trials
 * (bench/results/search-efficiency.md) TPE reached random search's final hypervolume with the
 * least compute; MO-ASHA saved more only when the fine-tune length is not searched.
 */
const DEFAULT_STRATEGIES = { sampler: "tpe", earlyStopping: "none" } as const;
/** Defaults of `budget` (`maxTrials` is required); 0 means no limit / method default. */
export const DEFAULT_BUDGET = { parallelism: 1, maxRetries: 3, maxWallMinutes: 0, maxSteps: 0 } as const;
/** Tolerance on `task.split` summing to 1. */
const SPLIT_TOLERANCE = 1e-6;

const DEFAULT_SYNTHETIC = TASK_DEFAULTS.synthetic;
const DEFAULT_PRETRAIN = TASK_DEFAULTS.pretrain;

const nonEmpty = z.string().min(1);
const fraction = z.number().min(0).max(1);

const idxSchema = z.strictObject({ idx: z.strictObject({ images: nonEmpty, labels: nonEmpty }) });
const cifarSchema = z.strictObject({ cifar10: nonEmpty });
const syntheticSchema = z.strictObject({
  synthetic: z
    .strictObject({
      samples: z.number().int().min(1).default(DEFAULT_SYNTHETIC.samples),
      features: z.number().int().min(1).default(DEFAULT_SYNTHETIC.features),
      classes: z.number().int().min(2).default(DEFAULT_SYNTHETIC.classes),
    })
    .prefault({}),
});
const DATASET_FORMS = "mnist, synthetic, {idx: {images, labels}}, {cifar10: dir} or {synthetic: {samples, features, classes}}";

/** `task.dataset`: a keyword or a single-key mapping, dispatched on its key for precise errors. */
const datasetSchema = z.unknown().transform((v, ctx): DatasetSource => {
  const fail = (message: string): never => {
    ctx.addIssue({ code: "custom", message, input: v });
    return z.NEVER;
  };
  if (v === "mnist") return { kind: "builtin", name: "mnist" };
  if (v === "synthetic") return { kind: "synthetic", ...DEFAULT_SYNTHETIC };
  if (v === undefined) return fail("required");
  if (v === null || typeof v !== "object" || Array.isArray(v)) return fail(`must be one of: ${DATASET_FORMS}`);
  const pick = <T extends z.ZodType>(schema: T): z.output<T> | undefined => {
    const r = schema.safeParse(v, { reportInput: true });
    if (r.success) return r.data;
    for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: v } as (typeof ctx.issues)[number]);
    return undefined;
  };
  if ("idx" in v) {
    const r = pick(idxSchema);
    return r ? { kind: "idx", images: r.idx.images, labels: r.idx.labels } : z.NEVER;
  }
  if ("cifar10" in v) {
    const r = pick(cifarSchema);
    return r ? { kind: "cifar10", dir: r.cifar10 } : z.NEVER;
  }
  if ("synthetic" in v) {
    const r = pick(syntheticSchema);
    return r ? { kind: "synthetic", ...r.synthetic } : z.NEVER;
  }
  return fail(`must be one of: ${DATASET_FORMS}`);
});

/** `task.exits`: `none`, a list of block indices, or `{every: k}`. */
const exitsSchema = z
  .unknown()
  .optional()
  .transform((v, ctx): TaskConfig["exits"] => {
  if (v === undefined || v === "none") return { positions: [], every: 0 };
  if (Array.isArray(v)) {
    const r = z.array(z.number().int().min(0)).safeParse(v, { reportInput: true });
    if (!r.success) {
      for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: v } as (typeof ctx.issues)[number]);
      return z.NEVER;
    }
    const positions = [...new Set(r.data)].sort((a, b) => a - b);
    return { positions, every: 0 };
  }
  const r = z.strictObject({ every: z.number().int().min(1) }).safeParse(v, { reportInput: true });
  if (r.success) return { positions: [], every: r.data.every };
  if (v !== null && typeof v === "object") {
    for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: v } as (typeof ctx.issues)[number]);
  } else ctx.addIssue({ code: "custom", message: "must be none, a list of block indices or {every: k}", input: v });
  return z.NEVER;
});

const splitSchema = z
  .strictObject({ train: fraction.refine((x) => x > 0, "must be > 0"), validation: fraction, test: fraction })
  .superRefine((s, ctx) => {
    const sum = s.train + s.validation + s.test;
    if (Math.abs(sum - 1) > SPLIT_TOLERANCE) ctx.addIssue({ code: "custom", message: `must sum to 1, got ${sum}`, input: s });
  });

const taskSchema = z.strictObject({
  dataset: datasetSchema,
  split: splitSchema.default({ ...TASK_DEFAULTS.split }),
  model: z.enum(MODEL_NAMES as [string, ...string[]]).default(TASK_DEFAULTS.model),
  modelOptions: z.record(z.string(), z.unknown()).default({}),
  exits: exitsSchema,
  pretrain: z
    .strictObject({
      epochs: z.number().int().min(0).default(DEFAULT_PRETRAIN.epochs),
      optimizer: z.enum(PRETRAIN_OPTIMIZERS).default(DEFAULT_PRETRAIN.optimizer),
      learningRate: z.number().positive().default(DEFAULT_PRETRAIN.learningRate),
      batchSize: z.number().int().min(1).default(DEFAULT_PRETRAIN.batchSize),
    })
    .prefault({}),
  backend: z.enum(BACKEND_NAMES).default(TASK_DEFAULTS.backend),
  maxTrainExamples: z.number().int().min(0).default(TASK_DEFAULTS.maxTrainExamples),
});

const objectivesSchema = z
  .array(z.strictObject({ metric: nonEmpty, direction: z.enum(["maximize", "minimize"]) }))
  .min(1); // unique metrics: checked on the raw list in parse-spec.ts

/** A strategy reference: a name or `{name, ...options}`; options are checked by the registry. */
const strategySchema = (names: readonly string[], fallback: string) =>
  z.preprocess(
    (v) => (typeof v === "string" ? { name: v } : v),
    z.looseObject({ name: z.enum(names as [string, ...string[]]) }).default({ name: fallback }),
  );

const budgetSchema = z.strictObject({
  maxTrials: z.number().int().min(1),
  parallelism: z.number().int().min(1).default(DEFAULT_BUDGET.parallelism),
  maxRetries: z.number().int().min(1).default(DEFAULT_BUDGET.maxRetries),
  maxWallMinutes: z.number().min(0).default(DEFAULT_BUDGET.maxWallMinutes),
  maxSteps: z.number().int().min(0).default(DEFAULT_BUDGET.maxSteps),
});

/**
 * The whole spec but `space` (accepted as any value here). `constraints` and
 * `paramConstraints` stay strings at this stage. The strategy names come from the sampler and
 * early-stopper registries (passed in, so that spec/ does not import them).
 */
export function campaignSchema(samplerNames: readonly string[], stopperNames: readonly string[]) {
  return z.strictObject({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z0-9-]+$/, "must use only lowercase letters, digits and hyphens ([a-z0-9-]+)"),
    seed: z.number().int().min(0).max(0xffffffff).default(DEFAULT_SEED),
    task: taskSchema,
    objectives: objectivesSchema,
    constraints: z.array(z.string()).default([]),
    space: z.unknown().optional(),
    paramConstraints: z.array(z.string()).default([]),
    sampler: strategySchema(samplerNames, DEFAULT_STRATEGIES.sampler),
    earlyStopping: strategySchema(stopperNames, DEFAULT_STRATEGIES.earlyStopping),
    budget: budgetSchema,
  });
}
