/** Classification accuracy of a net on a data split, evaluated in batches. */
import * as tf from "@tensorflow/tfjs";
import { sizeOf, type DataSplit } from "../data/types.js";
import type { Net } from "../models/net.js";

/** Default evaluation batch size: large enough to be fast, small enough for big inputs. */
export const EVAL_BATCH_SIZE = 500;

/**
 * Top-1 accuracy of `net` (final exit) on `split`, in [0, 1]. NaN for an empty split.
 * Leaves no tensors behind.
 */
export async function evaluateAccuracy(net: Net, split: DataSplit, batchSize = EVAL_BATCH_SIZE): Promise<number> {
  if (split.count === 0) return Number.NaN;
  const d = sizeOf(net.inputShape);
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const n = Math.min(batchSize, split.count - start);
    const pred = tf.tidy(() => {
      const x = tf.tensor(split.x.subarray(start * d, (start + n) * d), [n, ...net.inputShape], "float32");
      return tf.argMax(net.forward(x, { training: false }), 1);
    });
    const labels = await pred.data();
    pred.dispose();
    for (let i = 0; i < n; i++) if (labels[i] === split.y[start + i]) correct++;
  }
  return correct / split.count;
}
