/**
 * Files the worker fetches by content hash (an uploaded model): the blob store's sets,
 * materialised in a local cache folder, each blob downloaded once per machine.
 */
import type { BlobFile, BlobRef } from "@prunesweep/proto";

/** Where a worker gets uploaded file sets from, and puts the files it produces. */
export interface BlobCache {
  /** A local folder holding the set's files under their names. */
  materialise(refs: readonly BlobRef[]): Promise<string>;
  /** Uploads a set (files already stored are skipped); returns its refs. */
  put(files: readonly BlobFile[]): Promise<BlobRef[]>;
}
