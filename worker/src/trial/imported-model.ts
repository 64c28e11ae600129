/**
 * The imported model of a task (`task.model: {tfjs: ...}`): read from the blob store's local
 * cache when the submitter uploaded it (by content hash), else from the path in the spec (a
 * shared disk, or the submitter's own machine in local mode).
 */
import { join } from "node:path";
import { IMPORTED_MODEL } from "@prunesweep/proto";
import type { BlobCache } from "../artifacts/blob-cache.js";
import { InvalidTaskError } from "../errors.js";
import { loadImportedModel, type ImportedModel } from "../models/imported.js";
import type { WorkerTask } from "./types.js";

/** Reads the task's imported model; undefined for catalogue models. */
export async function importedModelFor(task: WorkerTask, blobs: BlobCache | undefined): Promise<ImportedModel | undefined> {
  if (task.model !== IMPORTED_MODEL) return undefined;
  const file = task.modelFile;
  if (!file) throw new InvalidTaskError('model "tfjs" without task.model.tfjs: the assignment names no model.json');
  if (file.blobs && file.blobs.length > 0) {
    if (!blobs) throw new InvalidTaskError(`model ${file.path} was uploaded to the blob store, but this worker has no blob store`);
    const dir = await blobs.materialise(file.blobs);
    return loadImportedModel(join(dir, file.blobs[0]?.name ?? "model.json"));
  }
  return loadImportedModel(file.path);
}
