/**
 * Dataset upload at submission time: `run` and `submit` put every file of the task's dataset
 * and test set into the blob store once, by content hash, and record them in the spec
 * (`task.datasetFiles`); workers read the uploaded copy through their blob cache, so they need
 * no shared disk. Built-in and generated data have no files. A dataset larger than
 * {@link DATASET_UPLOAD_MAX_BYTES} is not uploaded: workers then read its paths from a volume
 * (the Helm chart's `datasets` volume, README "Your data").
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import type { BlobFile, DatasetFilesRef, TaskConfig } from "@prunesweep/proto";
import type { BlobRef } from "@prunesweep/proto";

/** Uploads a set of files to the blob store; returns their refs. */
type Upload = (files: readonly BlobFile[]) => Promise<BlobRef[]>;

/**
 * Largest dataset (all files of dataset and test set together) that `run`/`submit` upload:
 * 1 GiB. The JetStream object store holds larger objects, but every byte goes through the
 * submitter and each worker's cache, and a file is read into memory to be hashed and sent.
 */
export const DATASET_UPLOAD_MAX_BYTES = 2 ** 30;

/** Files uploaded per call, at most (memory held at once while uploading). */
const BATCH_BYTES = 64 * 2 ** 20;

/** Every file a task's dataset and test set read, as the task names them (the workers' `sourceFiles`). */
export type ListDatasetFiles = (task: TaskConfig) => Promise<readonly string[]>;

/** What {@link uploadDataset} did. */
export type DatasetUpload = { readonly uploaded: DatasetFilesRef } | { readonly skipped: string } | { readonly none: true };

/** The deepest folder holding every one of `files` (absolute paths). */
function commonRoot(files: readonly string[]): string {
  let root = dirname(files[0] as string);
  while (files.some((f) => relative(root, f).startsWith("..")) && dirname(root) !== root) root = dirname(root);
  return root;
}

/**
 * Uploads the files of `task`'s dataset and test set (relative paths resolve against `cwd`).
 * @returns the refs to record, or why nothing was uploaded (too large, or not readable here:
 *   the workers then read the paths themselves), or none (no files)
 */
export async function uploadDataset(task: TaskConfig, upload: Upload, list: ListDatasetFiles, cwd = process.cwd()): Promise<DatasetUpload> {
  let files: string[];
  let sizes: number[];
  try {
    files = [...new Set((await list(task)).map((p) => resolve(cwd, p)))];
    sizes = files.map((f) => statSync(f).size);
  } catch (err) {
    // Not on this machine (e.g. `submit` of a spec naming paths on the workers' volume).
    return { skipped: `the dataset cannot be read here (${err instanceof Error ? err.message : String(err)}): not uploaded; every worker reads it at its paths` };
  }
  if (files.length === 0) return { none: true };
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > DATASET_UPLOAD_MAX_BYTES) {
    return {
      skipped: `the dataset's ${files.length} files hold ${total} bytes, more than the ${DATASET_UPLOAD_MAX_BYTES}-byte upload limit: not uploaded; every worker reads them at their paths (a shared disk or the Helm chart's datasets volume)`,
    };
  }
  const root = commonRoot(files);
  const blobs = [];
  let batch: BlobFile[] = [];
  let bytes = 0;
  for (const [i, f] of files.entries()) {
    batch.push({ name: relative(root, f).split(sep).join("/"), bytes: readFileSync(f) });
    bytes += sizes[i] ?? 0;
    if (bytes >= BATCH_BYTES || i === files.length - 1) {
      blobs.push(...(await upload(batch)));
      batch = [];
      bytes = 0;
    }
  }
  return { uploaded: { cwd, root, blobs } };
}
