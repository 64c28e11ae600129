/**
 * The data of a task as a worker reads it: the uploaded copy of the dataset's files (by
 * content hash, through the blob cache) when the submitter uploaded them, else local paths
 * (a shared disk or a mounted volume); and the imported model's input shape and classes.
 */
import { sha256Hex } from "@prunesweep/proto";
import type { BlobCache } from "../artifacts/blob-cache.js";
import { uploadedFiles } from "../data/dataset-files.js";
import { datasetRequest, type DatasetRequest } from "../data/load-dataset.js";
import { InvalidTaskError } from "../errors.js";
import type { ImportedModel } from "../models/imported.js";
import type { WorkerTask } from "./types.js";

/**
 * The dataset request of `task`: read from the blob cache when its files were uploaded; with
 * an imported model, converted to (image folders) or checked against its input shape and classes.
 * @throws InvalidTaskError when the files were uploaded but this worker has no blob store
 */
export async function trialDataRequest(task: WorkerTask, blobs: BlobCache | undefined, imported: ImportedModel | undefined): Promise<DatasetRequest> {
  const req = {
    ...datasetRequest(task),
    ...(imported && { inputShape: imported.plan.inputShape, numClasses: imported.plan.numClasses }),
  };
  const ref = task.datasetFiles;
  if (!ref || ref.blobs.length === 0) return req;
  if (!blobs) throw new InvalidTaskError(`the dataset's files were uploaded to the blob store (${ref.blobs.length} files under ${ref.root}), but this worker has no blob store`);
  const key = sha256Hex(Buffer.from(JSON.stringify([ref.cwd, ref.root, ref.blobs.map((b) => [b.name, b.sha256])])));
  // Once per set and process: the trials of a campaign share it (a failure is not kept).
  let dir = materialised.get(key);
  if (!dir) {
    dir = blobs.materialise(ref.blobs);
    materialised.set(key, dir);
    dir.catch(() => materialised.delete(key));
  }
  return { ...req, files: { read: uploadedFiles(ref, await dir), key } };
}

/** Folders of the dataset sets materialised by this process, by set key. */
const materialised = new Map<string, Promise<string>>();
