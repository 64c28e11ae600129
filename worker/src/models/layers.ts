/**
 * Layers of the worker's own model abstraction, written on raw `tf.Variable`s (not
 * tf.layers) so that pruning methods can mask, gate, remove and physically shrink them.
 *
 * A layer knows its per-example input and output shapes at build time, owns its parameters
 * ({@link NetParam}) and reports its dense MACs. `apply` is synchronous and must be called
 * inside `tf.tidy` (or a gradient function); it must not dispose its input.
 */
import * as tf from "@tensorflow/tfjs";
import { sizeOf } from "../data/types.js";
import { glorotUniform, paramRng } from "./init.js";

/** What a parameter is for; only `kernel`s are prunable by default. */
export type ParamRole = "kernel" | "bias" | "scale" | "shift" | "gate";

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
  /** Whether weight pruning applies (kernels with >= 2 dims; never biases, see methods.md §0.1). */
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
  /** True while training (dropout, batch-norm batch statistics). */
  readonly training: boolean;
}

/** Element-wise activation applied after a layer. */
export type Activation = "relu" | "tanh" | "linear";

/** A layer of a {@link SequentialNet}. */
export interface Layer {
  readonly name: string;
  /** `flatten`, `dense`, later `conv2d`, `residual-block`, ... */
  readonly kind: string;
  /** Per-example shapes. */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly params: readonly NetParam[];
  /** Dense (unpruned) multiply-accumulates per example. */
  readonly macs: number;
  apply(x: tf.Tensor, opts: ForwardOptions): tf.Tensor;
}

/** Context handed to layer constructors. */
export interface LayerBuildContext {
  /** Unique prefix for tfjs variable names. */
  readonly uid: string;
  /** Init seed of the net. */
  readonly seed: number;
}

/** Creates a variable for a named parameter. */
export function makeParam(
  ctx: LayerBuildContext,
  layer: string,
  role: ParamRole,
  shape: readonly number[],
  values: Float32Array,
  opts: { prunable: boolean; outputPositions: number; trainable?: boolean },
): NetParam {
  const name = `${layer}/${role}`;
  const trainable = opts.trainable ?? true;
  const variable = tf.tidy(() => tf.variable(tf.tensor(values, [...shape], "float32"), trainable, `${ctx.uid}/${name}`));
  return { name, layer, role, variable, shape: [...shape], size: sizeOf(shape), prunable: opts.prunable, trainable, outputPositions: opts.outputPositions };
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

/** Reshapes `[B, ...shape]` to `[B, prod(shape)]`. No parameters. */
export class FlattenLayer implements Layer {
  readonly kind = "flatten";
  readonly outputShape: readonly number[];
  readonly params: readonly NetParam[] = [];
  readonly macs = 0;

  constructor(
    readonly name: string,
    readonly inputShape: readonly number[],
  ) {
    this.outputShape = [sizeOf(inputShape)];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return x.rank === 2 ? x : tf.reshape(x, [-1, sizeOf(this.inputShape)]);
  }
}

/** Fully connected layer: `act(x · W + b)`, kernel `[in, out]` (Glorot uniform), bias zeros. */
export class DenseLayer implements Layer {
  readonly kind = "dense";
  readonly outputShape: readonly number[];
  readonly params: readonly NetParam[];
  readonly macs: number;
  readonly kernel: NetParam;
  readonly bias: NetParam;

  constructor(
    ctx: LayerBuildContext,
    readonly name: string,
    readonly inputShape: readonly number[],
    readonly units: number,
    readonly activation: Activation,
  ) {
    if (inputShape.length !== 1) throw new RangeError(`dense layer "${name}" needs a flat input, got [${inputShape.join(", ")}]`);
    const fanIn = inputShape[0] ?? 0;
    this.outputShape = [units];
    this.kernel = makeParam(ctx, name, "kernel", [fanIn, units], glorotUniform(fanIn * units, fanIn, units, paramRng(ctx.seed, `${name}/kernel`)), {
      prunable: true,
      outputPositions: 1,
    });
    this.bias = makeParam(ctx, name, "bias", [units], new Float32Array(units), { prunable: false, outputPositions: 1 });
    this.params = [this.kernel, this.bias];
    this.macs = fanIn * units;
  }

  apply(x: tf.Tensor): tf.Tensor {
    const z = tf.add(tf.matMul(x as tf.Tensor2D, this.kernel.variable as tf.Tensor2D), this.bias.variable);
    return activate(z, this.activation);
  }
}
