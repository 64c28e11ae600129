/**
 * Dataset loading, checking, normalisation, deterministic splitting and the per-process cache.
 *
 * Sources are cached raw (one copy per source per process) and splits are cached by
 * (source, test set, normalisation, fractions, seed, cap), so the trials of one campaign on
 * one worker load their data once. A test set (`task.test`, or the source's own such as
 * CIFAR-10's test batch) is the test split whole; the source then gives train and validation.
 */
import { DatasetError, InvalidTaskError } from "../errors.js";
import type { DatasetSource, Normalization, TaskConfig, TestDatasetSource } from "@prunesweep/proto";
import { loadNpyPair, loadNpz } from "./arrays.js";
import { loadBuiltinMnist } from "./builtin-mnist.js";
import { loadCifar10 } from "./cifar10.js";
import { loadCsv } from "./csv.js";
import { loadIdx } from "./idx.js";
import { localFiles, type DatasetFiles } from "./dataset-files.js";
import { loadImageFolder, type ImageTarget } from "./images.js";
import { Rng } from "./rng.js";
import { generateSynthetic } from "./synthetic.js";
import { sizeOf, type Dataset, type RawExamples } from "./types.js";

/** Split fractions of the whole pool; they must sum to at most 1. */
export interface SplitFractions {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

/** Everything that determines a {@link Dataset}. */
export interface DatasetRequest {
  readonly source: DatasetSource;
  readonly split: SplitFractions;
  /** Seed of the split permutation (and of synthetic data). */
  readonly seed: number;
  /** Cap on training examples (0 = all). Validation and test are unaffected. */
  readonly maxTrainExamples: number;
  /** An explicit test set: the whole test split (`split.test` must then be 0). */
  readonly test?: TestDatasetSource;
  /** Input normalisation; unset: the source's own scale only. */
  readonly normalize?: Normalization;
  /**
   * The model's input shape, where the model fixes it: image folders are converted to it
   * ([height, width, channels]); other sources must match it.
   */
  readonly inputShape?: readonly number[];
  /** Classes the model outputs, where the model fixes it: a label at or above is an error. */
  readonly numClasses?: number;
  /**
   * Where the source's files are read from, and a key naming their content (part of the
   * cache key) when it is not the local disk. @default local paths
   */
  readonly files?: { readonly read: DatasetFiles; readonly key: string };
}

/** The dataset request of a task. */
export function datasetRequest(task: TaskConfig & { readonly seed: number }): DatasetRequest {
  return {
    source: task.dataset,
    split: task.split,
    seed: task.seed,
    maxTrainExamples: task.maxTrainExamples,
    ...(task.test && { test: task.test }),
    ...(task.normalize && { normalize: task.normalize }),
  };
}

/** Names accepted by `{ kind: "builtin", name }`. */
const BUILTIN_DATASETS: readonly string[] = ["mnist"];

const SPLIT_CACHE_SIZE = 4;
const rawCache = new Map<string, Promise<RawExamples>>();
const splitCache = new Map<string, Dataset>();

/** A stable string key for a dataset source. */
function sourceKey(source: DatasetSource, seed: number): string {
  switch (source.kind) {
    case "images":
    case "npy":
    case "npz":
    case "csv":
      return JSON.stringify(source);
    case "builtin":
      return `builtin:${source.name}`;
    case "idx":
      return `idx:${source.images}|${source.labels}`;
    case "cifar10":
      return `cifar10:${source.dir}`;
    case "synthetic":
      // Synthetic data depends on the seed too.
      return `synthetic:${source.samples}x${source.features}x${source.classes}@${seed}`;
  }
}

/** The cache key of a dataset request. */
function datasetKey(req: DatasetRequest): string {
  const { train, validation, test } = req.split;
  const extra = JSON.stringify([req.test, req.normalize, req.inputShape, req.numClasses, req.files?.key]);
  return `${sourceKey(req.source, req.seed)}#${train}/${validation}/${test}@${req.seed}^${req.maxTrainExamples}${extra}`;
}

/** The image target of a model input shape `[height, width, 1 | 3]`. */
function imageTarget(shape: readonly number[] | undefined): ImageTarget {
  if (!shape || shape.length !== 3) return {};
  const [h, w, c] = shape as [number, number, number];
  return { size: [h, w], ...((c === 1 || c === 3) && { channels: c }) };
}

/** Loads the raw examples of a source (uncached). Throws DatasetError for unreadable sources. */
async function loadSource(source: DatasetSource, seed: number, target: ImageTarget, files: DatasetFiles): Promise<RawExamples> {
  switch (source.kind) {
    case "images":
      return loadImageFolder(source, target, files);
    case "npy":
      return loadNpyPair(source, files);
    case "npz":
      return loadNpz(source, files);
    case "csv":
      return loadCsv(source, files);
    case "builtin":
      if (source.name === "mnist") return loadBuiltinMnist();
      throw new DatasetError(`unknown builtin dataset "${source.name}"; valid: ${BUILTIN_DATASETS.join(", ")}`);
    case "idx":
      return loadIdx(source.images, source.labels, files);
    case "cifar10":
      return loadCifar10(source.dir, files);
    case "synthetic":
      return generateSynthetic({ samples: source.samples, features: source.features, classes: source.classes, seed });
  }
}

/**
 * Loads (or takes from the cache) the dataset of `req`, split by seed.
 * @throws DatasetError when the source cannot be read; InvalidTaskError for bad fractions.
 */
export async function loadDataset(req: DatasetRequest): Promise<Dataset> {
  const key = datasetKey(req);
  const hit = splitCache.get(key);
  if (hit) {
    splitCache.delete(key);
    splitCache.set(key, hit); // LRU: most recent last
    return hit;
  }
  const raw = await checkedExamples(req);
  const ds = splitExamples(raw, req.split, req.seed, req.maxTrainExamples, key, req.normalize);
  splitCache.set(key, ds);
  while (splitCache.size > SPLIT_CACHE_SIZE) {
    const oldest = splitCache.keys().next().value;
    if (oldest === undefined) break;
    splitCache.delete(oldest);
  }
  return ds;
}

/**
 * The raw examples of a request (with its test set), checked: everything {@link loadDataset}
 * checks, without materialising the splits.
 * @throws DatasetError naming the file; InvalidTaskError for bad fractions or normalisation
 */
export async function checkedExamples(req: DatasetRequest): Promise<RawExamples> {
  validateSplit(req.split, req.maxTrainExamples);
  let raw = await cachedSource(req.source, req.seed, imageTarget(req.inputShape), req.files);
  if (req.test) {
    // Test images take the training images' shape.
    const test = await cachedSource(req.test, req.seed, imageTarget(raw.inputShape), req.files);
    raw = { ...raw, test };
  }
  raw = checkExamples(raw, req);
  splitCounts(raw, req.split, req.maxTrainExamples);
  return raw;
}

/**
 * Example counts of the splits of `raw`.
 * @throws InvalidTaskError when the split leaves no training or test example, or gives a test fraction beside a test set
 */
export function splitCounts(raw: RawExamples, split: SplitFractions, maxTrainExamples: number): { train: number; validation: number; test: number; trainUncapped: number } {
  const n = raw.count;
  const count = (f: number): number => Math.floor(f * n + 1e-6);
  if (raw.test && split.test > 0) {
    throw new InvalidTaskError(`split.test must be 0 when the test set is given ("${raw.test.name}"), got ${split.test}`);
  }
  const trainUncapped = count(split.train);
  const validation = count(split.validation);
  const test = raw.test ? raw.test.count : count(split.test);
  if (trainUncapped < 1 || test < 1) {
    throw new InvalidTaskError(`dataset "${raw.name}" has ${n} examples: split ${JSON.stringify(split)} leaves an empty train or test set`);
  }
  const train = maxTrainExamples > 0 && maxTrainExamples < trainUncapped ? maxTrainExamples : trainUncapped;
  return { train, validation, test, trainUncapped };
}

/** The raw examples of a source, loaded once per process (a failed load is not kept). */
function cachedSource(source: DatasetSource, seed: number, target: ImageTarget, files: DatasetRequest["files"]): Promise<RawExamples> {
  const sKey = `${sourceKey(source, seed)}${source.kind === "images" ? JSON.stringify(target) : ""}${files ? `@${files.key}` : ""}`;
  let raw = rawCache.get(sKey);
  if (!raw) {
    raw = loadSource(source, seed, target, files?.read ?? localFiles);
    rawCache.set(sKey, raw);
    // A failed load is not cached: the file may appear later (mounted volume).
    raw.catch(() => rawCache.delete(sKey));
  }
  return raw;
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(", ")}]`;

/**
 * The checks that need the data: the model's input shape and classes, the test set against
 * the training set (shape, class names, label range) and the normalisation's channels. A
 * test set's class names are mapped to the training set's indices (the result holds them).
 * @throws DatasetError naming the file and what is wrong; InvalidTaskError for normalisation
 */
function checkExamples(raw: RawExamples, req: DatasetRequest): RawExamples {
  if (req.inputShape && shapeText(req.inputShape) !== shapeText(raw.inputShape)) {
    throw new DatasetError(`dataset "${raw.name}" has examples of shape ${shapeText(raw.inputShape)}, but the model takes ${shapeText(req.inputShape)}`);
  }
  const classes = req.numClasses ?? raw.numClasses;
  for (const [what, ex] of [["dataset", raw], ["test set", raw.test]] as const) {
    if (req.numClasses !== undefined && ex?.classNames && ex.classNames.length > req.numClasses) {
      throw new DatasetError(`${what} "${ex.name}" has ${ex.classNames.length} classes (${ex.classNames.join(", ")}), but the model outputs ${req.numClasses}`);
    }
  }
  checkLabelRange(raw, classes, `dataset "${raw.name}"`);
  let test = raw.test;
  if (test) {
    if (shapeText(test.inputShape) !== shapeText(raw.inputShape)) {
      throw new DatasetError(`test set "${test.name}" has examples of shape ${shapeText(test.inputShape)}, but the training set "${raw.name}" has ${shapeText(raw.inputShape)}`);
    }
    if (test.classNames && raw.classNames) {
      const index = new Map(raw.classNames.map((c, i) => [c, i]));
      const unknown = test.classNames.find((c) => !index.has(c));
      if (unknown !== undefined) {
        throw new DatasetError(`test set "${test.name}" has class "${unknown}", which the model cannot output: the training set "${raw.name}" has the classes ${raw.classNames.join(", ")}`);
      }
      const names = test.classNames;
      const y = Int32Array.from(test.y, (l) => index.get(names[l] ?? "") ?? 0);
      test = { ...test, y, classNames: raw.classNames };
    } else checkLabelRange(test, classes, `test set "${test.name}"`);
  }
  const n = req.normalize;
  if (n) {
    const channels = raw.inputShape[raw.inputShape.length - 1] ?? 1;
    for (const [key, values] of [["mean", n.mean], ["std", n.std]] as const) {
      if (values.length !== 1 && values.length !== channels) {
        throw new InvalidTaskError(`task.normalize.${key} has ${values.length} values; dataset "${raw.name}" has ${channels} channels (examples ${shapeText(raw.inputShape)}): give 1 or ${channels}`);
      }
    }
  }
  return test ? { ...raw, test } : raw;
}

/** Throws when a label is at or above `classes`. */
function checkLabelRange(raw: RawExamples, classes: number, what: string): void {
  const i = raw.y.findIndex((l) => l >= classes);
  if (i >= 0) {
    throw new DatasetError(`${what}: label ${raw.y[i]} of example ${i} is out of range: the model outputs ${classes} classes (0..${classes - 1})`);
  }
}

/** Empties the per-process dataset caches (tests). */
export function clearDatasetCache(): void {
  rawCache.clear();
  splitCache.clear();
}

function validateSplit(split: SplitFractions, maxTrainExamples: number): void {
  for (const [name, v] of Object.entries(split)) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new InvalidTaskError(`split.${name} must be a fraction in [0, 1], got ${String(v)}`);
    }
  }
  if (split.train <= 0) throw new InvalidTaskError(`split.train must be > 0, got ${split.train}`);
  const sum = split.train + split.validation + split.test;
  if (sum > 1 + 1e-9) throw new InvalidTaskError(`split fractions sum to ${sum}, more than 1`);
  if (!Number.isInteger(maxTrainExamples) || maxTrainExamples < 0) {
    throw new InvalidTaskError(`maxTrainExamples must be an integer >= 0, got ${maxTrainExamples}`);
  }
}

/**
 * Splits `raw` by a seeded permutation: the first `train` fraction of the permutation is the
 * training set, then validation, then test. With a test set (`raw.test`), that is the test
 * split whole and `split.test` must be 0. The cap takes the first `maxTrainExamples` of the
 * training part, so validation and test do not depend on it.
 */
export function splitExamples(raw: RawExamples, split: SplitFractions, seed: number, maxTrainExamples: number, key = "", normalize?: Normalization): Dataset {
  const counts = splitCounts(raw, split, maxTrainExamples);
  const [nTrain, nVal, nTest] = [counts.train, counts.validation, counts.test];
  const perm = Rng.derive(seed, "split").permutation(raw.count);
  const trainIdx = perm.subarray(0, nTrain);
  const valIdx = perm.subarray(counts.trainUncapped, counts.trainUncapped + nVal);
  const end = counts.trainUncapped + nVal;
  const testIdx = raw.test ? Int32Array.from({ length: nTest }, (_, i) => i) : perm.subarray(end, end + nTest);
  const norm = normalizer(raw, normalize);
  const train = gather(raw, trainIdx, norm);
  const val = gather(raw, valIdx, norm);
  const test = gather(raw.test ?? raw, testIdx, norm);
  return {
    key,
    name: raw.name,
    xTrain: train.x,
    yTrain: train.y,
    xVal: val.x,
    yVal: val.y,
    xTest: test.x,
    yTest: test.y,
    nTrain,
    nVal,
    nTest,
    inputShape: raw.inputShape,
    numClasses: raw.numClasses,
  };
}

/** Per-value normalisation: `x · scale`, then per channel `(· − offset[c]) / divisor[c]`. */
interface Normalizer {
  readonly scale: number;
  /** One value per channel (channels last), or undefined for none. */
  readonly mean?: Float64Array;
  readonly std?: Float64Array;
}

function normalizer(raw: RawExamples, n: Normalization | undefined): Normalizer {
  const scale = n?.scale ?? raw.scale;
  if (!n || (n.mean.length === 0 && n.std.length === 0)) return { scale };
  const channels = raw.inputShape[raw.inputShape.length - 1] ?? 1;
  const perChannel = (values: readonly number[], fill: number): Float64Array =>
    Float64Array.from({ length: channels }, (_, c) => (values.length === 0 ? fill : (values[values.length === 1 ? 0 : c] ?? fill)));
  return { scale, mean: perChannel(n.mean, 0), std: perChannel(n.std, 1) };
}

function gather(raw: RawExamples, idx: Int32Array, norm: Normalizer = { scale: raw.scale }): { x: Float32Array; y: Int32Array } {
  const d = sizeOf(raw.inputShape);
  const x = new Float32Array(idx.length * d);
  const y = new Int32Array(idx.length);
  const { scale, mean, std } = norm;
  const channels = mean?.length ?? 1;
  for (let r = 0; r < idx.length; r++) {
    const src = (idx[r] ?? 0) * d;
    const dst = r * d;
    if (mean && std) for (let j = 0; j < d; j++) x[dst + j] = ((raw.x[src + j] ?? 0) * scale - (mean[j % channels] ?? 0)) / (std[j % channels] ?? 1);
    else if (scale === 1) x.set(raw.x.subarray(src, src + d), dst);
    else for (let j = 0; j < d; j++) x[dst + j] = (raw.x[src + j] ?? 0) * scale;
    y[r] = raw.y[idx[r] ?? 0] ?? 0;
  }
  return { x, y };
}
