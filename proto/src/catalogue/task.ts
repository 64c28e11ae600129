/**
 * A campaign's task (what every trial trains and prunes) and its defaults. The coordinator
 * fills these defaults into a spec; the worker falls back on them when an assignment leaves a
 * field unset, so both sides agree on one value.
 */
import type { DatasetSource, Normalization, TestDatasetSource } from "../shared-types.js";
import type { ModelName } from "./models.js";
import { OPTIMIZER_NAMES } from "./recipe.js";

/**
 * Backends a task may ask for (`task.backend`): the one list that the spec schema, the wire
 * decoder and the worker's backend selection share. `auto` lets the worker pick
 * (worker/src/backend/select-backend.ts holds the order it tries).
 */
export const BACKEND_NAMES = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;
/** A `task.backend` value. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Whether `name` is one of {@link BACKEND_NAMES}. */
export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** Where an imported model comes from: its model.json path and, once uploaded, its files in the object store. */
export interface ModelFileRef {
  /** model.json as given in the spec (absolute once checked). */
  readonly path: string;
  /** The model's files by content hash (model.json first), once uploaded. */
  readonly blobs?: readonly BlobRef[];
}

/**
 * The files of a task's dataset and test set in the blob store, once uploaded: the dataset
 * path P (resolved against `cwd`) is the blob named `relative(root, P)`.
 */
export interface DatasetFilesRef {
  /** The submitter's working directory. */
  readonly cwd: string;
  /** Absolute folder holding every file of the set. */
  readonly root: string;
  readonly blobs: readonly BlobRef[];
}

/** A file in the content-addressed blob store. */
export interface BlobRef {
  /** Path relative to the set's root (e.g. `model.json`, `group1-shard1of1.bin`). */
  readonly name: string;
  /** Lowercase hex SHA-256 of the content. */
  readonly sha256: string;
  readonly size: number;
}

/** Optimizers of the dense pretraining (`task.pretrain.optimizer`): the recipe's. */
export const PRETRAIN_OPTIMIZERS = OPTIMIZER_NAMES;

/** The task of a campaign, defaults filled in (the domain form of the `TaskSpec` message). */
export interface TaskConfig {
  readonly dataset: DatasetSource;
  /**
   * An explicit test set (`task.test`); the dataset then gives only train and validation
   * (`split.test` is 0). Unset: the source's own test set ({@link hasOwnTestSet}) or a split.
   */
  readonly test?: TestDatasetSource;
  /** Input normalisation (`task.normalize`); unset: only the source's own scale. */
  readonly normalize?: Normalization;
  /** The uploaded files of `dataset` and `test` (`run`/`submit` write it); unset: local paths. */
  readonly datasetFiles?: DatasetFilesRef;
  /** Fractions of the dataset, summing to 1; deterministic by seed. */
  readonly split: { readonly train: number; readonly validation: number; readonly test: number };
  readonly model: string;
  /** The model.json of an imported model (`model` is then `tfjs`). */
  readonly modelFile?: ModelFileRef;
  readonly modelOptions: Readonly<Record<string, unknown>>;
  /**
   * Block indices, or every k blocks; `positions: []` and `every: 0` mean no exits. `names`:
   * exits given by layer name (imported models), resolved into `positions` before dispatch.
   */
  readonly exits: { readonly positions: readonly number[]; readonly every: number; readonly names?: readonly string[] };
  readonly pretrain: {
    readonly epochs: number;
    readonly optimizer: string;
    readonly learningRate: number;
    readonly batchSize: number;
  };
  readonly backend: BackendName;
  /** Cap on training examples (0 = all); keeps tests and quick sweeps small. */
  readonly maxTrainExamples: number;
  /** Which trials save their pruned model (TF.js Layers) to the blob store; unset: {@link TASK_DEFAULTS}.artifacts. */
  readonly artifacts?: ArtifactsConfig;
}

/** `task.artifacts` values. */
export const ARTIFACT_KEEP = ["all", "front", "none"] as const;

/** `task.artifacts`: which trials' models are saved, and the size cap of one model. */
export interface ArtifactsConfig {
  /** all: every completed trial's; front: the same, then `run` deletes those off the front at the end; none: no model saved. */
  readonly keep: (typeof ARTIFACT_KEEP)[number];
  /** Models larger than this many bytes (model.json + shards) are not saved. */
  readonly maxBytes: number;
}

/** Defaults of the task fields, field by field. */
export const TASK_DEFAULTS = {
  split: { train: 0.7, validation: 0.1, test: 0.2 },
  /** The split when the test set is given ({@link hasOwnTestSet} or `task.test`). */
  splitWithTestSet: { train: 0.9, validation: 0.1, test: 0 },
  model: "lenet-300-100",
  pretrain: { epochs: 3, optimizer: "adam", learningRate: 0.001, batchSize: 64 },
  backend: "auto",
  maxTrainExamples: 0,
  artifacts: { keep: "all", maxBytes: 64 * 1024 * 1024 },
  /** Size of the `synthetic` dataset when not given. */
  synthetic: { samples: 1000, features: 64, classes: 10 },
} as const satisfies {
  readonly split: TaskConfig["split"];
  readonly splitWithTestSet: TaskConfig["split"];
  readonly model: ModelName;
  readonly pretrain: TaskConfig["pretrain"] & { readonly optimizer: (typeof PRETRAIN_OPTIMIZERS)[number] };
  readonly backend: BackendName;
  readonly maxTrainExamples: number;
  readonly artifacts: ArtifactsConfig;
  readonly synthetic: { readonly samples: number; readonly features: number; readonly classes: number };
};

/**
 * Whether a source brings its own test set, which then is the test split (so accuracy is
 * comparable with published numbers): CIFAR-10's `test_batch.bin`.
 */
export function hasOwnTestSet(source: DatasetSource): boolean {
  return source.kind === "cifar10";
}
