/** The stable key of a pretrained dense model. */
import { createHash } from "node:crypto";
import type { WorkerTask } from "./types.js";

/**
 * Bumped whenever initialisation, data splitting or the pretraining loop changes, so that
 * stale weights in a shared store are not reused.
 */
const PRETRAIN_FORMAT_VERSION = 2;

/** JSON with object keys sorted at every level, so equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/**
 * `pretrain-<sha256 prefix>` of everything that determines the pretrained weights: dataset
 * source, test set (it decides whether the source is split into a test part), normalisation,
 * split, model (an imported one by its files) and its options, exits, pretrain config, seed
 * and the train cap. The
 * backend is left out on purpose: weights trained on any backend are interchangeable.
 */
export function pretrainKey(task: WorkerTask): string {
  const material = canonicalJson({
    v: PRETRAIN_FORMAT_VERSION,
    dataset: task.dataset,
    test: task.test,
    normalize: task.normalize,
    split: task.split,
    model: task.model,
    // An imported model's content (hashes once uploaded, else its path).
    modelFile: task.modelFile,
    modelOptions: task.modelOptions,
    exits: task.exits,
    pretrain: task.pretrain,
    seed: task.seed,
    maxTrainExamples: task.maxTrainExamples,
  });
  return `pretrain-${createHash("sha256").update(material).digest("hex").slice(0, 40)}`;
}
