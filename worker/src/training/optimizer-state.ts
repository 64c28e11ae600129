/**
 * An optimizer's state on the host, through the `tf.Optimizer` interface only
 * (`getWeights`/`setWeights`), so that any optimizer implementing it (tfjs's own, or a fused
 * kernel) can be checkpointed.
 *
 * `setWeights` is not always the inverse of training: tfjs's Adam recomputes its bias
 * corrections β^t with one `pow` where training multiplies them up step by step, which differs
 * in the last bits. {@link reloadOptimizer} therefore continues every epoch from the saved state
 * itself, so that a trial resumed from a checkpoint and one that never stopped run the very
 * same arithmetic.
 */
import * as tf from "@tensorflow/tfjs";
import type { SerializedTensor } from "../models/serialized-weights.js";

/** What can be checkpointed: a tfjs optimizer, or the recipe's (optimizers.ts). */
export type StatefulOptimizer = Pick<tf.Optimizer, "getWeights" | "setWeights" | "dispose">;

/** `tf.Optimizer.getWeights()` as plain arrays, in its order (the iteration count first). */
export type OptimizerState = readonly SerializedTensor[];

/** Copies the optimizer's state to the host. The optimizer keeps training unchanged. */
export async function saveOptimizerState(optimizer: StatefulOptimizer): Promise<OptimizerState> {
  const named = await optimizer.getWeights();
  try {
    const out: SerializedTensor[] = [];
    for (const { name, tensor } of named) out.push({ name, shape: [...tensor.shape], data: Float32Array.from(await tensor.data()) });
    return out;
  } finally {
    // The slots are the optimizer's own variables; anything else (the iteration scalar) is a fresh tensor.
    for (const { tensor } of named) if (!(tensor instanceof tf.Variable)) tensor.dispose();
  }
}

/**
 * Loads a state saved by {@link saveOptimizerState} into a new optimizer (one that has not
 * stepped yet: `setWeights` replaces its slots without disposing them).
 */
export async function loadOptimizerState(optimizer: StatefulOptimizer, state: OptimizerState): Promise<void> {
  const named = state.map((t) => ({ name: t.name, tensor: tf.tensor(t.data, [...t.shape], "float32") }));
  try {
    await optimizer.setWeights(named);
  } finally {
    // tfjs optimizers wrap what they are given in variables of their own (`Tensor.variable()`).
    tf.dispose(named.map((n) => n.tensor));
  }
}

/**
 * A new optimizer from `make`, continuing from the saved state of `optimizer` (disposed),
 * and that state.
 */
export async function reloadOptimizer<O extends StatefulOptimizer>(optimizer: O, make: () => O): Promise<{ optimizer: O; state: OptimizerState }> {
  const state = await saveOptimizerState(optimizer);
  const fresh = make();
  try {
    await loadOptimizerState(fresh, state);
  } catch (err) {
    fresh.dispose();
    throw err;
  }
  optimizer.dispose();
  return { optimizer: fresh, state };
}
