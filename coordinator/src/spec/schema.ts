/**
 * zod schemas of the campaign spec (docs/campaign-spec.md), everything except `space`, which
 * the search-space parser handles. Objects are strict: unknown keys are errors. Model names,
 * backends and the task defaults come from proto's catalogue; the other defaults are named
 * constants here so that docs and code agree.
 */
import { ARTIFACT_KEEP, BACKEND_NAMES, IMPORTED_MODEL, MODEL_NAMES, PRETRAIN_OPTIMIZERS, TASK_DEFAULTS, hasOwnTestSet, type ModelFileRef, type TestDatasetSource } from "@prunesweep/proto";
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
export const DEFAULT_BUDGET = { parallelism: 1, maxRetries: 3, maxWallMinutes: 0, maxSteps: 0, checkpointEvery: 1, trialTimeout: 0 } as const;
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
const imagesSchema = z.strictObject({
  images: nonEmpty,
  size: z.tuple([z.number().int().min(1).max(4096), z.number().int().min(1).max(4096)]).optional(),
  channels: z
    .number()
    .refine((c) => c === 1 || c === 3, "must be 1 (grayscale) or 3 (RGB)")
    .transform((c) => c as 1 | 3)
    .optional(),
});
const npySchema = z.strictObject({ npy: z.strictObject({ x: nonEmpty, y: nonEmpty }) });
const npzSchema = z.strictObject({ npz: nonEmpty, x: nonEmpty.default("x"), y: nonEmpty.default("y") });
const csvSchema = z.strictObject({ csv: nonEmpty, label: nonEmpty });
const FILE_FORMS = "{idx: {images, labels}}, {images: dir[, size: [h, w], channels: 1 | 3]}, {npy: {x, y}}, {npz: file[, x, y]}, {csv: file, label: column}";
const DATASET_FORMS = `mnist, synthetic, {cifar10: dir}, {synthetic: {samples, features, classes}}, ${FILE_FORMS}`;

/** The file forms of a dataset, dispatched on their key; undefined when `v` has none of their keys. */
function fileSource(v: object, pick: <T extends z.ZodType>(schema: T) => z.output<T> | undefined): TestDatasetSource | typeof z.NEVER | undefined {
  if ("idx" in v) {
    const r = pick(idxSchema);
    return r ? { kind: "idx", images: r.idx.images, labels: r.idx.labels } : z.NEVER;
  }
  if ("images" in v) {
    const r = pick(imagesSchema);
    return r ? { kind: "images", dir: r.images, ...(r.size && { size: r.size }), ...(r.channels && { channels: r.channels }) } : z.NEVER;
  }
  if ("npy" in v) {
    const r = pick(npySchema);
    return r ? { kind: "npy", x: r.npy.x, y: r.npy.y } : z.NEVER;
  }
  if ("npz" in v) {
    const r = pick(npzSchema);
    return r ? { kind: "npz", file: r.npz, x: r.x, y: r.y } : z.NEVER;
  }
  if ("csv" in v) {
    const r = pick(csvSchema);
    return r ? { kind: "csv", file: r.csv, label: r.label } : z.NEVER;
  }
  return undefined;
}

/** A dataset-form schema: a keyword or a single-key mapping, dispatched on its key for precise errors. */
function sourceSchema<S>(forms: string, keyword: (v: unknown) => S | undefined, other: (v: object, pick: <T extends z.ZodType>(schema: T) => z.output<T> | undefined) => S | undefined) {
  return z.unknown().transform((v, ctx): S => {
    const fail = (message: string): never => {
      ctx.addIssue({ code: "custom", message, input: v });
      return z.NEVER;
    };
    const kw = keyword(v);
    if (kw !== undefined) return kw;
    if (v === undefined) return fail("required");
    if (v === null || typeof v !== "object" || Array.isArray(v)) return fail(`must be one of: ${forms}`);
    const pick = <T extends z.ZodType>(schema: T): z.output<T> | undefined => {
      const r = schema.safeParse(v, { reportInput: true });
      if (r.success) return r.data;
      // The issue's own input where it has one: a missing key then reads "required".
      for (const issue of r.error.issues) ctx.issues.push({ input: v, ...issue } as (typeof ctx.issues)[number]);
      return undefined;
    };
    return other(v, pick) ?? fail(`must be one of: ${forms}`);
  });
}

/** `task.dataset`. */
const datasetSchema = sourceSchema<DatasetSource>(
  DATASET_FORMS,
  (v) => (v === "mnist" ? { kind: "builtin", name: "mnist" } : v === "synthetic" ? { kind: "synthetic", ...DEFAULT_SYNTHETIC } : undefined),
  (v, pick) => {
    if ("cifar10" in v) {
      const r = pick(cifarSchema);
      return r ? { kind: "cifar10", dir: r.cifar10 } : z.NEVER;
    }
    if ("synthetic" in v) {
      const r = pick(syntheticSchema);
      return r ? { kind: "synthetic", ...r.synthetic } : z.NEVER;
    }
    return fileSource(v, pick);
  },
);

/** `task.test`: an explicit test set, in one of the file forms. */
const testSchema = sourceSchema<TestDatasetSource>(FILE_FORMS, () => undefined, fileSource);

/** `task.normalize`: a value for every channel, or one per channel. */
const perChannel = z.union([z.number(), z.array(z.number()).min(1).max(4096)]).transform((v) => (typeof v === "number" ? [v] : v));
const normalizeSchema = z.strictObject({
  scale: z.number().positive().optional(),
  mean: perChannel.default([]),
  std: perChannel.refine((v) => v.every((x) => x > 0), "every std must be > 0").default([]),
});

/** Files in the blob store by content hash. */
const blobsSchema = z.array(z.strictObject({ name: nonEmpty, sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be a lowercase hex SHA-256"), size: z.number().int().min(0) })).min(1);

/** `{tfjs: path}`; `blobs` are written by `run`/`submit` once the files are uploaded (content hashes). */
const importedModelSchema = z.strictObject({
  tfjs: nonEmpty,
  blobs: blobsSchema.optional(),
});

/** `task.datasetFiles`: written by `run`/`submit` once the dataset's files are uploaded. */
const datasetFilesSchema = z.strictObject({ cwd: nonEmpty, root: nonEmpty, blobs: blobsSchema });

/** `task.model`: a catalogue name or `{tfjs: <path to model.json>}` (an imported model). */
const modelSchema = z.unknown().optional().transform((v, ctx): { model: string; modelFile?: ModelFileRef } => {
  if (v === undefined) return { model: TASK_DEFAULTS.model };
  if (typeof v === "string" && (MODEL_NAMES as readonly string[]).includes(v)) return { model: v };
  if (v !== null && typeof v === "object" && !Array.isArray(v) && "tfjs" in v) {
    const r = importedModelSchema.safeParse(v, { reportInput: true });
    if (r.success) return { model: IMPORTED_MODEL, modelFile: r.data.blobs ? { path: r.data.tfjs, blobs: r.data.blobs } : { path: r.data.tfjs } };
    for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: v } as (typeof ctx.issues)[number]);
    return z.NEVER;
  }
  ctx.addIssue({ code: "custom", message: `must be one of: ${MODEL_NAMES.filter((n) => n !== IMPORTED_MODEL).join(", ")}, or {tfjs: <path to model.json>}`, input: v });
  return z.NEVER;
});

/** `task.exits`: `none`, a list of block indices (or, for imported models, layer names), or `{every: k}`. */
const exitsSchema = z
  .unknown()
  .optional()
  .transform((v, ctx): TaskConfig["exits"] => {
  if (v === undefined || v === "none") return { positions: [], every: 0 };
  if (Array.isArray(v)) {
    const r = z.array(z.union([z.number().int().min(0), nonEmpty])).safeParse(v, { reportInput: true });
    if (!r.success) {
      for (const issue of r.error.issues) ctx.issues.push({ ...issue, input: v } as (typeof ctx.issues)[number]);
      return z.NEVER;
    }
    const positions = [...new Set(r.data.filter((p) => typeof p === "number"))].sort((a, b) => a - b);
    const names = r.data.filter((p) => typeof p === "string");
    return names.length > 0 ? { positions, every: 0, names } : { positions, every: 0 };
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

const taskSchema = z
  .strictObject({
    dataset: datasetSchema,
    test: testSchema.optional(),
    normalize: normalizeSchema.optional(),
    datasetFiles: datasetFilesSchema.optional(),
    split: splitSchema.optional(),
    model: modelSchema,
    modelOptions: z.record(z.string(), z.unknown()).default({}),
    exits: exitsSchema,
    pretrain: z
      .strictObject({
        epochs: z.number().int().min(0).default(DEFAULT_PRETRAIN.epochs),
        optimizer: z.enum(PRETRAIN_OPTIMIZERS).default(DEFAULT_PRETRAIN.optimizer),
        learningRate: z.number().positive().default(DEFAULT_PRETRAIN.learningRate),
        batchSize: z.number().int().min(1).default(DEFAULT_PRETRAIN.batchSize),
      })
      .optional(),
    backend: z.enum(BACKEND_NAMES).default(TASK_DEFAULTS.backend),
    maxTrainExamples: z.number().int().min(0).default(TASK_DEFAULTS.maxTrainExamples),
    artifacts: z
      .preprocess(
        (v) => (typeof v === "string" ? { keep: v } : v),
        z.strictObject({
          keep: z.enum(ARTIFACT_KEEP).default(TASK_DEFAULTS.artifacts.keep),
          maxMB: z.number().positive().default(TASK_DEFAULTS.artifacts.maxBytes / 2 ** 20),
        }),
      )
      .optional()
      .transform((a) => (a ? { keep: a.keep, maxBytes: Math.round(a.maxMB * 2 ** 20) } : { ...TASK_DEFAULTS.artifacts })),
  })
  .transform((t, ctx): TaskConfig => {
    // With a test set (`task.test` or the source's own), the dataset gives train and validation only.
    const withTest = t.test !== undefined || hasOwnTestSet(t.dataset);
    const split = t.split ?? { ...(withTest ? TASK_DEFAULTS.splitWithTestSet : TASK_DEFAULTS.split) };
    if (withTest && split.test > 0) {
      const by = t.test ? "task.test" : `the dataset's own test set (${t.dataset.kind})`;
      ctx.addIssue({ code: "custom", path: ["split", "test"], message: `must be 0: ${by} is the test set`, input: split.test });
    }
    if (!withTest && split.test <= 0) ctx.addIssue({ code: "custom", path: ["split", "test"], message: "must be > 0 (or give a test set in task.test)", input: split.test });
    const { test, normalize, datasetFiles, model, pretrain, ...rest } = t;
    return {
      ...rest,
      ...model,
      // An imported model's weights are the pretrained dense model: no pretraining unless asked for.
      pretrain: pretrain ?? { ...DEFAULT_PRETRAIN, epochs: model.model === IMPORTED_MODEL ? 0 : DEFAULT_PRETRAIN.epochs },
      split,
      ...(test && { test }),
      ...(normalize && { normalize }),
      ...(datasetFiles && { datasetFiles }),
    };
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

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration: `"90s"`, `"500ms"`, `"2m"`, `"1.5h"` → milliseconds; `0` (or `"0"`) is none. */
const durationSchema = z.union([z.string(), z.number()]).transform((v, ctx): number => {
  if (v === 0 || v === "0") return 0;
  const m = typeof v === "string" ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(v) : null;
  const ms = m ? Math.round(Number(m[1]) * (DURATION_UNITS_MS[m[2] as string] ?? 0)) : Number.NaN;
  if (!(ms >= 1)) {
    ctx.addIssue({ code: "custom", message: `expected a duration of at least 1 ms with a unit (ms, s, m or h), e.g. "90s", or 0 for none, got ${JSON.stringify(v)}`, input: v });
    return z.NEVER;
  }
  return ms;
});

const budgetSchema = z.strictObject({
  maxTrials: z.number().int().min(1),
  parallelism: z.number().int().min(1).default(DEFAULT_BUDGET.parallelism),
  maxRetries: z.number().int().min(1).default(DEFAULT_BUDGET.maxRetries),
  maxWallMinutes: z.number().min(0).default(DEFAULT_BUDGET.maxWallMinutes),
  maxSteps: z.number().int().min(0).default(DEFAULT_BUDGET.maxSteps),
  checkpointEvery: z.number().int().min(0).default(DEFAULT_BUDGET.checkpointEvery),
  trialTimeout: durationSchema
    .default(DEFAULT_BUDGET.trialTimeout)
    .describe('time limit of one attempt, with a unit: "500ms", "90s", "2m", "1h"; 0 = none'),
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
