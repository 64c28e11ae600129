/**
 * Layers of the worker's own model abstraction, written on raw `tf.Variable`s (not
 * tf.layers) so that pruning methods can mask, gate, remove and physically shrink them.
 *
 * A layer knows its per-example input and output shapes, owns its parameters
 * ({@link NetParam}) and reports its dense MACs. `apply` is synchronous and must be called
 * inside `tf.tidy` (or a gradient function); it must not dispose its input.
 *
 * Structured pruning works on the last axis ("units": neurons of a dense layer, channels of
 * a feature map). A layer takes part through optional members: a producer
 * (`pruneOutputs`) drops some of its output units; every layer downstream either absorbs the
 * reduction (`inputUnitFlow: "absorb"`: a dense or conv layer drops the matching input
 * weights) or passes it on (`"pass"`: pooling, flatten, identity). A layer without
 * `inputUnitFlow` (a residual block, a layer interpolated with its input) ties its input
 * width to its output and stops the reduction: the producer is then not prunable.
 * Structural edits replace the affected variables (same names, new shapes); the owning net
 * refreshes its parameter lists afterwards.
 */
import * as tf from "@tensorflow/tfjs";
import { sizeOf } from "../data/types.js";

/** What a parameter is for; only `kernel`s are prunable by default. */
export type ParamRole = "kernel" | "bias" | "scale" | "shift" | "gate" | "mean" | "variance";

/** One named parameter of a net. */
export interface NetParam {
  /** Logical name, unique within the net: `<layer>/<role>`, e.g. `fc1/kernel`. */
  readonly name: string;
  /** Owning layer name. */
  readonly layer: string;
  readonly role: ParamRole;
  /** The variable; its tfjs name is `<net uid>/<name>` (tfjs names are process-global). */
  readonly variable: tf.Variable;
  readonly shape: readonly number[];
  readonly size: number;
  /** Whether weight pruning applies (kernels with >= 2 dims; never biases, see docs/methods.md §0.1). */
  readonly prunable: boolean;
  readonly trainable: boolean;
  /**
   * How many times each kernel weight is used per example: 1 for dense layers, H_out*W_out for
   * conv layers. Effective MACs = non-zero weights x outputPositions.
   */
  readonly outputPositions: number;
}

/** Options of a forward pass. */
export interface ForwardOptions {
  /** True while training (batch-norm batch statistics and moving-average updates). */
  readonly training: boolean;
  /**
   * Called by every dense and conv layer on its activated output (before any gate), with the
   * layer name as `unitId`; the returned tensor is used downstream. Criteria use it to read
   * feature maps and their gradients (`tf.customGrad` identity).
   */
  readonly probe?: (unitId: string, activation: tf.Tensor) => tf.Tensor;
}

/** Element-wise activation applied after a layer. */
export type Activation = "relu" | "tanh" | "linear";

/** The producer side of a unit group: what criteria score. */
export interface UnitInfo {
  /** Probe id: the producing layer's name. */
  readonly id: string;
  /** `neuron` (dense) or `filter` (conv). */
  readonly kind: "neuron" | "filter";
  /** Kernel whose last axis are the units. */
  readonly kernel: NetParam;
  /** BatchNorm scale (gamma) after the kernel, when there is one. */
  readonly bnScale?: NetParam;
  /** The unit gate, while gates are attached. */
  readonly gate?: NetParam;
  readonly units: number;
}

/** A layer of a net. */
export interface Layer {
  readonly name: string;
  /** `flatten`, `dense`, `conv2d`, `max-pool`, `global-avg-pool`, `identity`, `res-mlp-block`, `basic-block`. */
  readonly kind: string;
  /** Per-example shapes. */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly params: readonly NetParam[];
  /** Dense (unpruned) multiply-accumulates per example. */
  readonly macs: number;
  apply(x: tf.Tensor, opts: ForwardOptions): tf.Tensor;
  /** How the layer takes a reduction of its input units; undefined: it cannot (tied width). */
  readonly inputUnitFlow?: "absorb" | "pass";
  /** Adapts to input units reduced to `keep`; returns the kept units of its output when it passes the reduction on. */
  pruneInputs?(keep: readonly number[]): readonly number[] | undefined;
  /** The units this layer produces, when it can drop some of them (`pruneOutputs`). */
  producedUnits?(): UnitInfo | undefined;
  /** Keeps only the output units `keep` (ascending indices). */
  pruneOutputs?(keep: readonly number[]): void;
  /** Prunable unit groups inside a composite layer (e.g. the first conv of a residual block). */
  innerUnits?(): readonly UnitInfo[];
  /** Keeps only units `keep` of the inner group `id`. */
  pruneInner?(id: string, keep: readonly number[]): void;
}

/** Context handed to layer constructors. */
export interface LayerBuildContext {
  /** Unique prefix for tfjs variable names. */
  readonly uid: string;
  /** Init seed of the net. */
  readonly seed: number;
}

/** Creates a variable for a named parameter (`<layer>/<suffix ?? role>`). */
export function makeParam(
  ctx: LayerBuildContext,
  layer: string,
  role: ParamRole,
  shape: readonly number[],
  values: Float32Array,
  opts: { prunable: boolean; outputPositions: number; trainable?: boolean; suffix?: string },
): NetParam {
  const name = `${layer}/${opts.suffix ?? role}`;
  const trainable = opts.trainable ?? true;
  const variable = tf.tidy(() => tf.variable(tf.tensor(values, [...shape], "float32"), trainable, `${ctx.uid}/${name}`));
  return { name, layer, role, variable, shape: [...shape], size: sizeOf(shape), prunable: opts.prunable, trainable, outputPositions: opts.outputPositions };
}

/**
 * A copy of a parameter's current values, read synchronously: on webgpu only after
 * `Net.fetchToHost()` (or for a parameter not yet used on the device).
 */
export function readParam(p: NetParam): Float32Array {
  return new Float32Array(p.variable.dataSync() as Float32Array);
}

/**
 * Replaces `p`'s variable by a new one holding `values` with `shape` (same logical and tfjs
 * names) and disposes the old variable. Optimizer state keyed by the old variable is stale
 * afterwards: create a new optimizer after a structural edit.
 */
function replaceParam(p: NetParam, shape: readonly number[], values: Float32Array, outputPositions = p.outputPositions): NetParam {
  const tfName = p.variable.name;
  p.variable.dispose();
  const variable = tf.tidy(() => tf.variable(tf.tensor(values, [...shape], "float32"), p.trainable, tfName));
  return { ...p, variable, shape: [...shape], size: sizeOf(shape), outputPositions };
}

/** Keeps the entries `keep` along `axis` of `p` (a new variable; the old one is disposed). */
export function gatherParam(p: NetParam, axis: number, keep: readonly number[], outputPositions = p.outputPositions): NetParam {
  const shape = [...p.shape];
  const values = gatherAxis(readParam(p), shape, axis, keep);
  shape[axis] = keep.length;
  return replaceParam(p, shape, values, outputPositions);
}

/** Gathers indices `keep` along `axis` of a row-major array of `shape`. */
function gatherAxis(values: Float32Array, shape: readonly number[], axis: number, keep: readonly number[]): Float32Array {
  const dim = shape[axis] ?? 1;
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1));
  const out = new Float32Array(outer * keep.length * inner);
  for (let o = 0; o < outer; o++) {
    keep.forEach((k, j) => {
      const src = (o * dim + k) * inner;
      out.set(values.subarray(src, src + inner), (o * keep.length + j) * inner);
    });
  }
  return out;
}

/** Multiplies the entries along the last axis of `p` by `factors` in place (gate folding). */
export function scaleLastAxis(p: NetParam, factors: Float32Array): NetParam {
  const v = readParam(p);
  const n = factors.length;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * (factors[i % n] ?? 1);
  return replaceParam(p, p.shape, v);
}

/** Applies an activation. */
export function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case "relu":
      return tf.relu(x);
    case "tanh":
      return tf.tanh(x);
    case "linear":
      return x;
  }
}

/** Reshapes `[B, ...shape]` to `[B, prod(shape)]`. No parameters. Passes unit reductions on (HWC order). */
export class FlattenLayer implements Layer {
  readonly kind = "flatten";
  readonly params: readonly NetParam[] = [];
  readonly macs = 0;
  readonly inputUnitFlow = "pass";
  inputShape: readonly number[];
  outputShape: readonly number[];

  constructor(
    readonly name: string,
    inputShape: readonly number[],
  ) {
    this.inputShape = inputShape;
    this.outputShape = [sizeOf(inputShape)];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return x.rank === 2 ? x : tf.reshape(x, [-1, sizeOf(this.inputShape)]);
  }

  pruneInputs(keep: readonly number[]): readonly number[] {
    const channels = this.inputShape[this.inputShape.length - 1] ?? 1;
    const positions = sizeOf(this.inputShape) / channels;
    const out: number[] = [];
    for (let p = 0; p < positions; p++) for (const c of keep) out.push(p * channels + c);
    this.inputShape = [...this.inputShape.slice(0, -1), keep.length];
    this.outputShape = [sizeOf(this.inputShape)];
    return out;
  }
}

/** Shapes of a layer that keeps its shape and passes unit reductions on. */
export abstract class PassLayer implements Layer {
  abstract readonly kind: string;
  readonly inputUnitFlow: "pass" | undefined = "pass";
  readonly macs: number = 0;
  inputShape: readonly number[];

  constructor(
    readonly name: string,
    shape: readonly number[],
  ) {
    this.inputShape = shape;
  }

  get outputShape(): readonly number[] {
    return this.inputShape;
  }

  get params(): readonly NetParam[] {
    return [];
  }

  abstract apply(x: tf.Tensor, opts: ForwardOptions): tf.Tensor;

  pruneInputs(keep: readonly number[]): readonly number[] {
    this.inputShape = [...this.inputShape.slice(0, -1), keep.length];
    return keep;
  }
}

/** A removed layer or block: passes its input through. */
export class IdentityLayer extends PassLayer {
  readonly kind = "identity";

  apply(x: tf.Tensor): tf.Tensor {
    return x;
  }
}
