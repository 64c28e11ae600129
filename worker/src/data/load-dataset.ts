/**
 * Dataset loading, deterministic splitting and the per-process cache.
 *
 * Sources are cached raw (one copy per source per process) and splits are cached by
 * (source, fractions, seed, cap), so the trials of one campaign on one worker load their data
 * once.
 */
import { DatasetError, InvalidTaskError } from "../errors.js";
import type { DatasetSource } from "@prunesweep/proto";
import { loadBuiltinMnist } from "./builtin-mnist.js";
import { loadCifar10 } from "./cifar10.js";
import { loadIdx } from "./idx.js";
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
}

/** Names accepted by `{ kind: "builtin", name }`. */
const BUILTIN_DATASETS: readonly string[] = ["mnist"];

const SPLIT_CACHE_SIZE = 4;
const rawCache = new Map<string, Promise<RawExamples>>();
const splitCache = new Map<string, Dataset>();

/** A stable string key for a dataset source. */
function sourceKey(source: DatasetSource, seed: number): string {
  switch (source.kind) {
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
  return `${sourceKey(req.source, req.seed)}#${train}/${validation}/${test}@${req.seed}^${req.maxTrainExamples}`;
}

/** Loads the raw examples of a source (uncached). Throws DatasetError for unreadable sources. */
async function loadSource(source: DatasetSource, seed: number): Promise<RawExamples> {
  switch (source.kind) {
    case "builtin":
      if (source.name === "mnist") return loadBuiltinMnist();
      throw new DatasetError(`unknown builtin dataset "${source.name}"; valid: ${BUILTIN_DATASETS.join(", ")}`);
    case "idx":
      return loadIdx(source.images, source.labels);
    case "cifar10":
      return loadCifar10(source.dir);
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
  validateSplit(req.split, req.maxTrainExamples);
  const sKey = sourceKey(req.source, req.seed);
  let raw = rawCache.get(sKey);
  if (!raw) {
    raw = loadSource(req.source, req.seed);
    rawCache.set(sKey, raw);
    // A failed load is not cached: the file may appear later (mounted volume).
    raw.catch(() => rawCache.delete(sKey));
  }
  const ds = splitExamples(await raw, req.split, req.seed, req.maxTrainExamples, key);
  splitCache.set(key, ds);
  while (splitCache.size > SPLIT_CACHE_SIZE) {
    const oldest = splitCache.keys().next().value;
    if (oldest === undefined) break;
    splitCache.delete(oldest);
  }
  return ds;
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
  if (split.test <= 0) throw new InvalidTaskError(`split.test must be > 0, got ${split.test}`);
  const sum = split.train + split.validation + split.test;
  if (sum > 1 + 1e-9) throw new InvalidTaskError(`split fractions sum to ${sum}, more than 1`);
  if (!Number.isInteger(maxTrainExamples) || maxTrainExamples < 0) {
    throw new InvalidTaskError(`maxTrainExamples must be an integer >= 0, got ${maxTrainExamples}`);
  }
}

/**
 * Splits `raw` by a seeded permutation: the first `train` fraction of the permutation is the
 * training set, then validation, then test. The cap takes the first `maxTrainExamples` of the
 * training part, so validation and test do not depend on it.
 */
export function splitExamples(raw: RawExamples, split: SplitFractions, seed: number, maxTrainExamples: number, key = ""): Dataset {
  const n = raw.count;
  const count = (f: number): number => Math.floor(f * n + 1e-6);
  let nTrain = count(split.train);
  const nVal = count(split.validation);
  const nTest = count(split.test);
  if (nTrain < 1 || nTest < 1) {
    throw new InvalidTaskError(`dataset "${raw.name}" has ${n} examples: split ${JSON.stringify(split)} leaves an empty train or test set`);
  }
  const perm = Rng.derive(seed, "split").permutation(n);
  const trainIdx = perm.subarray(0, nTrain);
  const valIdx = perm.subarray(nTrain, nTrain + nVal);
  const testIdx = perm.subarray(nTrain + nVal, nTrain + nVal + nTest);
  if (maxTrainExamples > 0 && maxTrainExamples < nTrain) nTrain = maxTrainExamples;
  const train = gather(raw, trainIdx.subarray(0, nTrain));
  const val = gather(raw, valIdx);
  const test = gather(raw, testIdx);
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

function gather(raw: RawExamples, idx: Int32Array): { x: Float32Array; y: Int32Array } {
  const d = sizeOf(raw.inputShape);
  const x = new Float32Array(idx.length * d);
  const y = new Int32Array(idx.length);
  const scale = raw.scale;
  for (let r = 0; r < idx.length; r++) {
    const src = (idx[r] ?? 0) * d;
    const dst = r * d;
    if (scale === 1) x.set(raw.x.subarray(src, src + d), dst);
    else for (let j = 0; j < d; j++) x[dst + j] = (raw.x[src + j] ?? 0) * scale;
    y[r] = raw.y[idx[r] ?? 0] ?? 0;
  }
  return { x, y };
}
