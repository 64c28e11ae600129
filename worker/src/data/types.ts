/** Dataset types shared by the loaders, the trainer and the metrics. */

/**
 * All examples of a source before splitting. Pixels may stay bytes (`Uint8Array`, scaled by
 * `scale` when split) so that large sources such as CIFAR-10 are cached compactly.
 */
export interface RawExamples {
  /** `count * prod(inputShape)` values, example-major. */
  readonly x: Float32Array | Uint8Array;
  /** Multiplier applied to `x` when the splits are materialised (1/255 for bytes). */
  readonly scale: number;
  /** Class index per example. */
  readonly y: Int32Array;
  readonly count: number;
  /** Shape of one example, e.g. `[28, 28, 1]` or `[features]`. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** Human-readable name for logs, e.g. `mnist` or the IDX image path. */
  readonly name: string;
  /** Class names by index, where the source names its classes (image sub-folders, CSV label names). */
  readonly classNames?: readonly string[];
  /** The source's own test set (CIFAR-10's test batch); then it is the test split. */
  readonly test?: RawExamples;
}

/** One split of a dataset: `count` examples, inputs flattened example-major. */
export interface DataSplit {
  /** `count * prod(inputShape)` float32 inputs (pixels in [0, 1], or as `task.normalize` says). */
  readonly x: Float32Array;
  /** Class index per example. */
  readonly y: Int32Array;
  readonly count: number;
}

/**
 * A dataset split deterministically by seed into train / validation / test. Model selection
 * uses validation; the reported accuracy is test.
 */
export interface Dataset {
  /** Cache key (source + split + seed + cap). */
  readonly key: string;
  readonly name: string;
  readonly xTrain: Float32Array;
  readonly yTrain: Int32Array;
  readonly xVal: Float32Array;
  readonly yVal: Int32Array;
  readonly xTest: Float32Array;
  readonly yTest: Int32Array;
  /** Example counts, in the same order. */
  readonly nTrain: number;
  readonly nVal: number;
  readonly nTest: number;
  /** Shape of one example, e.g. `[28, 28, 1]`. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
}

/** The three split names. */
export type SplitName = "train" | "validation" | "test";

/** Returns one split of `ds` as a {@link DataSplit}. */
export function splitOf(ds: Dataset, split: SplitName): DataSplit {
  switch (split) {
    case "train":
      return { x: ds.xTrain, y: ds.yTrain, count: ds.nTrain };
    case "validation":
      return { x: ds.xVal, y: ds.yVal, count: ds.nVal };
    case "test":
      return { x: ds.xTest, y: ds.yTest, count: ds.nTest };
  }
}

/** Product of the dimensions of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
