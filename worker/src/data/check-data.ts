/**
 * The data check `prunesweep run` makes before anything starts (the `@prunesweep/worker/data`
 * entry, free of TensorFlow.js): the task's dataset, test set and normalisation are loaded and
 * checked exactly as a worker loads them before its first trial, so bad data fails before
 * dispatch, naming the file and what is wrong. It is the one local data check of `run`: it
 * starts with the cheap header checks of `@prunesweep/proto`'s datasetFileProblems (IDX and
 * CIFAR-10 files, each problem located at the spec value naming the file), then loads.
 */
import { datasetFileProblems, type DatasetFileProblem, type TaskConfig } from "@prunesweep/proto";
import { DatasetError } from "../errors.js";
import { sourceFiles } from "./dataset-files.js";
import { checkedExamples, clearDatasetCache, datasetRequest, splitCounts } from "./load-dataset.js";

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

/** Every file the task's dataset and test set read (what `run`/`submit` upload), in reading order. */
export async function taskDataFiles(task: Pick<TaskConfig, "dataset" | "test">): Promise<string[]> {
  return [...(await sourceFiles(task.dataset)), ...(task.test ? await sourceFiles(task.test) : [])];
}

/** Problems found by the header checks, each at the spec value naming the file. */
class DatasetFilesError extends DatasetError {
  constructor(readonly problems: readonly DatasetFileProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join("; "));
  }
}

/** What an imported model fixes: its input shape and the classes it outputs (its topology's). */
export interface ModelShape {
  readonly inputShape: readonly number[];
  readonly numClasses: number;
}

/**
 * Loads and checks the data of `task` (without materialising its splits), then lets it go
 * (the caches are emptied). With an imported `model`, image folders are converted to its input
 * shape, other data must have it, and no class of the dataset or test set may exceed its outputs.
 * @throws DatasetError or InvalidTaskError naming the file or setting and what is wrong; a
 *   header problem's error has `problems` (each with its spec path)
 */
export async function checkTaskData(task: TaskConfig, seed: number, model?: ModelShape): Promise<DataSummary> {
  const problems = await datasetFileProblems(task.dataset);
  if (problems.length > 0) throw new DatasetFilesError(problems);
  try {
    const raw = await checkedExamples({ ...datasetRequest({ ...task, seed }), ...(model && { inputShape: model.inputShape, numClasses: model.numClasses }) });
    const n = splitCounts(raw, task.split, task.maxTrainExamples);
    const files = await taskDataFiles(task);
    return { train: n.train, validation: n.validation, test: n.test, inputShape: raw.inputShape, classes: raw.numClasses, files };
  } finally {
    clearDatasetCache();
  }
}
