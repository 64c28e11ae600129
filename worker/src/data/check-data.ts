/**
 * The data check `prunesweep run` makes before anything starts (the `@prunesweep/worker/data`
 * entry, free of TensorFlow.js): the task's dataset, test set and normalisation are loaded and
 * checked exactly as a worker loads them before its first trial, so bad data fails before
 * dispatch, naming the file and what is wrong.
 */
import type { TaskConfig } from "@prunesweep/proto";
import { sourceFiles } from "./dataset-files.js";
import { clearDatasetCache, datasetRequest, loadDataset } from "./load-dataset.js";

/** What the check found. */
export interface DataSummary {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
  readonly inputShape: readonly number[];
  readonly classes: number;
  /** Every file read: the dataset's, then the test set's. */
  readonly files: readonly string[];
}

/**
 * Loads and checks the data of `task`, then lets it go (the caches are emptied).
 * @throws DatasetError or InvalidTaskError naming the file or setting and what is wrong
 */
export async function checkTaskData(task: TaskConfig, seed: number): Promise<DataSummary> {
  try {
    const ds = await loadDataset(datasetRequest({ ...task, seed }));
    const files = [...(await sourceFiles(task.dataset)), ...(task.test ? await sourceFiles(task.test) : [])];
    return { train: ds.nTrain, validation: ds.nVal, test: ds.nTest, inputShape: ds.inputShape, classes: ds.numClasses, files };
  } finally {
    clearDatasetCache();
  }
}
