/**
 * Models back: where a trial's pruned model is. The worker records the blob refs of the
 * exported TF.js Layers model (or why it saved none) in the trial's details as `model`;
 * `prunesweep run` writes the front's models to `<out>/models/<trial number>/`.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { BlobRef } from "@prunesweep/proto";
import type { ResultsFile, ResultsTrial } from "./results-file.js";

/** Folder of the saved models inside an out dir. */
export const MODELS_DIR = "models";

/** The trial's saved model files, or why there are none. */
export function trialModelRefs(t: ResultsTrial): BlobRef[] | string {
  const m = (t.details as { model?: { files?: unknown; skipped?: unknown } } | undefined)?.model;
  if (m && Array.isArray(m.files)) return m.files as BlobRef[];
  if (m && typeof m.skipped === "string") return `no model saved: ${m.skipped}`;
  return t.state === "completed" || t.state === "stopped_early" ? "no model saved (task.artifacts: none, or a worker without a blob store)" : `the trial is ${t.state}`;
}

/** The trial called `key`: its number or id. */
export function findTrial(results: ResultsFile, key: string): ResultsTrial | undefined {
  return results.trials.find((t) => t.id === key || String(t.number) === key);
}

/** `<out>/models/<number>/` relative to the out dir, when `run` wrote that trial's model there. */
export function localModelDir(outDir: string, t: ResultsTrial): string | undefined {
  const dir = join(outDir, MODELS_DIR, String(t.number));
  return existsSync(join(dir, "model.json")) ? dir : undefined;
}

/** Something that can download a set of blobs into a folder (the blob store). */
export interface BlobDownloader {
  download(refs: readonly BlobRef[], dir: string): Promise<string[]>;
}

/** The saved models' refs of the front's trials and of the others (`task.artifacts: front` drops the latter). */
export function modelRefsByFront(results: ResultsFile): { front: BlobRef[]; others: BlobRef[] } {
  const front: BlobRef[] = [];
  const others: BlobRef[] = [];
  for (const t of results.trials) {
    const refs = trialModelRefs(t);
    if (typeof refs !== "string") (results.pareto.includes(t.id) ? front : others).push(...refs);
  }
  return { front, others };
}

/**
 * Writes the models of the front's trials to `<out>/models/<number>/`; returns one line per
 * front trial (where its model went, or why it has none).
 */
export async function writeFrontModels(results: ResultsFile, outDir: string, store: BlobDownloader): Promise<string[]> {
  const lines: string[] = [];
  for (const id of results.pareto) {
    const t = results.trials.find((x) => x.id === id);
    if (!t) continue;
    const refs = trialModelRefs(t);
    if (typeof refs === "string") {
      lines.push(`trial ${t.number}: ${refs}`);
      continue;
    }
    const dir = join(outDir, MODELS_DIR, String(t.number));
    try {
      await store.download(refs, dir);
      lines.push(`trial ${t.number}: ${join(dir, refs[0]?.name ?? "model.json")}`);
    } catch (err) {
      lines.push(`trial ${t.number}: download failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return lines;
}
