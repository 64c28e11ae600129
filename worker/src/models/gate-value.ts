/**
 * Learnable scaling factors ("gates", docs/methods.md §3.3): how a gate variable turns into the
 * factor a layer multiplies by.
 *
 * The effective gate is `g = lrMult · θ` where θ is the variable: with Adam the step on θ is
 * about the learning rate, so the step on g is `lrMult` times larger. That gives gates their
 * own learning-rate multiplier without a second optimizer. With `steTau`, the forward pass
 * uses the hard-thresholded `g · 1[|g| > τ]` and the backward pass is straight-through.
 */
import * as tf from "@tensorflow/tfjs";
import type { NetParam } from "./layers.js";

/** Shared by every gate of one net. */
export interface GateConfig {
  /** Learning-rate multiplier of the gates (see above). @default 1 */
  readonly lrMult: number;
  /** Hard threshold with a straight-through gradient; undefined: plain gates. */
  readonly steTau?: number;
}

/** A gate parameter together with its configuration. */
export interface AttachedGate {
  readonly param: NetParam;
  readonly config: GateConfig;
}

const steThreshold = (tau: number): ((g: tf.Tensor) => tf.Tensor) =>
  tf.customGrad(((g: tf.Tensor) => ({
    value: tf.mul(g, tf.cast(tf.greater(tf.abs(g), tau), "float32")),
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => dy as tf.Tensor,
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as (g: tf.Tensor) => tf.Tensor;

/** The factor a layer multiplies by (inside tidy / a gradient function). */
export function gateValue(gate: AttachedGate): tf.Tensor {
  const g = tf.mul(gate.param.variable, gate.config.lrMult);
  return gate.config.steTau === undefined ? g : steThreshold(gate.config.steTau)(g);
}

/** The effective gate values `lrMult · θ`, read synchronously (on webgpu: after `Net.fetchToHost()`). */
export function readGate(gate: AttachedGate): Float32Array {
  const v = new Float32Array(gate.param.variable.dataSync() as Float32Array);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * gate.config.lrMult;
  return v;
}
