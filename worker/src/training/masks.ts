/**
 * Weight masks: one float32 0/1 tensor per pruned parameter, keyed by the parameter's logical
 * name (`fc1/kernel`). Whoever creates a mask map owns it and must {@link disposeMasks} it.
 */
import * as tf from "@tensorflow/tfjs";
import type { Net } from "../models/net.js";

/** Parameter name → 0/1 mask of the same shape. */
export type Masks = ReadonlyMap<string, tf.Tensor>;

/** Multiplies every masked parameter by its mask (`W ← W ⊙ M`), in place. */
export function applyMasks(net: Net, masks: Masks): void {
  tf.tidy(() => {
    for (const [name, mask] of masks) {
      const v = net.param(name).variable;
      v.assign(tf.mul(v, mask));
    }
  });
}

/** Disposes every mask tensor of `masks` (no-op for undefined). */
export function disposeMasks(masks: Masks | undefined): void {
  if (masks) for (const m of masks.values()) m.dispose();
}

/** Builds a mask tensor from 0/1 values. */
export function maskFromValues(values: Uint8Array | Float32Array, shape: readonly number[]): tf.Tensor {
  const f = values instanceof Float32Array ? values : Float32Array.from(values);
  return tf.tensor(f, [...shape], "float32");
}

