/** Plain-array weights, detached from tfjs: cached, shared through the object store, restored. */

/** One tensor's values. */
export interface SerializedTensor {
  /** Logical parameter name within the net, e.g. `fc1/kernel`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A net's weights plus optional metadata (e.g. the validation accuracy they reached). */
export interface SerializedWeights {
  readonly tensors: readonly SerializedTensor[];
  readonly meta?: Readonly<Record<string, string | number | boolean>>;
}
