/**
 * Layers that only imported models use (`task.model: {tfjs: ...}`, see imported.ts):
 * depthwise conv, standalone BatchNorm, activation layers, general pooling, reshape, dropout,
 * and the general residual block `post(shortcut(x) + g · main(x))`. They follow the contract
 * of layers.ts (per-example shapes, unit flow for structured pruning).
 */
import * as tf from "@tensorflow/tfjs";
import type { PlanActivation } from "@prunesweep/proto";
import { InvalidTaskError } from "../errors.js";
import { ConvLayer, batchNormalize, convOutSize } from "./conv-layers.js";
import { DenseLayer } from "./dense-layer.js";
import { gateValue, readGate, type AttachedGate, type GateConfig } from "./gate-value.js";
import { PassLayer, activate, gatherParam, makeParam, type Activation, type ForwardOptions, type Layer, type LayerBuildContext, type NetParam, type UnitInfo } from "./layers.js";
import type { GatedBlock } from "./residual-blocks.js";


/** Applies any supported activation function (softmax is never inside a net). */
function applyActivation(x: tf.Tensor, fn: PlanActivation, alpha = 0): tf.Tensor {
  switch (fn) {
    case "relu":
    case "tanh":
    case "linear":
      return activate(x, fn);
    case "relu6":
      return tf.clipByValue(x, 0, 6);
    case "sigmoid":
      return tf.sigmoid(x);
    case "elu":
      return tf.elu(x);
    case "selu":
      return tf.selu(x);
    case "swish":
    case "silu":
      return tf.mul(x, tf.sigmoid(x));
    case "softplus":
      return tf.softplus(x);
    case "leaky_relu":
      return tf.leakyRelu(x, alpha);
    case "softmax":
      return tf.softmax(x);
  }
}

/** An activation layer (`Activation`, `ReLU`, `LeakyReLU`, `ELU`). */
export class ActivationLayer extends PassLayer {
  readonly kind = "activation";
  constructor(
    name: string,
    shape: readonly number[],
    readonly fn: PlanActivation,
    readonly alpha = 0,
  ) {
    super(name, shape);
  }

  apply(x: tf.Tensor): tf.Tensor {
    return applyActivation(x, this.fn, this.alpha);
  }
}

/** Dropout: identity at inference, `tf.dropout` while training. */
export class DropoutLayer extends PassLayer {
  readonly kind = "dropout";
  constructor(
    name: string,
    shape: readonly number[],
    readonly rate: number,
  ) {
    super(name, shape);
  }

  apply(x: tf.Tensor, opts: ForwardOptions): tf.Tensor {
    return opts.training && this.rate > 0 ? tf.dropout(x, this.rate) : x;
  }
}

/** BatchNormalization over the last axis, not fused into a conv (e.g. after a Dense layer). */
export class BatchNormLayer extends PassLayer {
  readonly kind = "batch-norm";
  gamma: NetParam;
  beta: NetParam;
  mean: NetParam;
  variance: NetParam;

  constructor(
    ctx: LayerBuildContext,
    name: string,
    shape: readonly number[],
    readonly epsilon: number,
  ) {
    super(name, shape);
    const c = shape[shape.length - 1] ?? 0;
    const stat = { prunable: false, outputPositions: 1 };
    this.gamma = makeParam(ctx, name, "scale", [c], new Float32Array(c).fill(1), { ...stat, suffix: "gamma" });
    this.beta = makeParam(ctx, name, "shift", [c], new Float32Array(c), { ...stat, suffix: "beta" });
    this.mean = makeParam(ctx, name, "mean", [c], new Float32Array(c), { ...stat, trainable: false, suffix: "moving-mean" });
    this.variance = makeParam(ctx, name, "variance", [c], new Float32Array(c).fill(1), { ...stat, trainable: false, suffix: "moving-variance" });
  }

  override get params(): readonly NetParam[] {
    return [this.gamma, this.beta, this.mean, this.variance];
  }

  apply(x: tf.Tensor, opts: ForwardOptions): tf.Tensor {
    return batchNormalize(x, this, opts.training, this.epsilon);
  }

  override pruneInputs(keep: readonly number[]): readonly number[] {
    this.gamma = gatherParam(this.gamma, 0, keep);
    this.beta = gatherParam(this.beta, 0, keep);
    this.mean = gatherParam(this.mean, 0, keep);
    this.variance = gatherParam(this.variance, 0, keep);
    return super.pruneInputs(keep);
  }
}

/** Reshape to a fixed per-example shape; stops unit reductions (the layout changes). */
export class ReshapeLayer implements Layer {
  readonly kind = "reshape";
  readonly params: readonly NetParam[] = [];
  readonly macs = 0;

  constructor(
    readonly name: string,
    readonly inputShape: readonly number[],
    readonly outputShape: readonly number[],
  ) {}

  apply(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [-1, ...this.outputShape]);
  }
}

/** Depthwise conv2d (`[k, k, C, m]` kernel, C·m outputs). With m = 1 it passes channel reductions on. */
export class DepthwiseConvLayer implements Layer {
  readonly kind = "depthwise-conv2d";
  inputShape: readonly number[];
  outputShape: readonly number[];
  kernel: NetParam;
  bias: NetParam | undefined;

  constructor(
    ctx: LayerBuildContext,
    readonly name: string,
    inputShape: readonly number[],
    readonly opts: { readonly multiplier: number; readonly kernelSize: number; readonly stride: number; readonly padding: "same" | "valid"; readonly activation: PlanActivation; readonly useBias: boolean },
  ) {
    const [h = 0, w = 0, cin = 0] = inputShape;
    const k = opts.kernelSize;
    const ho = convOutSize(h, k, opts.stride, opts.padding);
    const wo = convOutSize(w, k, opts.stride, opts.padding);
    if (ho < 1 || wo < 1) throw new InvalidTaskError(`depthwise conv "${name}": a ${k}x${k} kernel does not fit a ${h}x${w} input`);
    this.inputShape = inputShape;
    this.outputShape = [ho, wo, cin * opts.multiplier];
    const size = k * k * cin * opts.multiplier;
    this.kernel = makeParam(ctx, name, "kernel", [k, k, cin, opts.multiplier], new Float32Array(size), { prunable: true, outputPositions: ho * wo });
    const cout = cin * opts.multiplier;
    this.bias = opts.useBias ? makeParam(ctx, name, "bias", [cout], new Float32Array(cout), { prunable: false, outputPositions: 1 }) : undefined;
  }

  get inputUnitFlow(): "pass" | undefined {
    return this.opts.multiplier === 1 ? "pass" : undefined;
  }

  get params(): readonly NetParam[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }

  get macs(): number {
    const [ho = 0, wo = 0, cout = 0] = this.outputShape;
    return ho * wo * this.opts.kernelSize * this.opts.kernelSize * cout;
  }

  apply(x: tf.Tensor): tf.Tensor {
    let y: tf.Tensor = tf.depthwiseConv2d(x as tf.Tensor4D, this.kernel.variable as tf.Tensor4D, this.opts.stride, this.opts.padding);
    if (this.bias) y = tf.add(y, this.bias.variable);
    return applyActivation(y, this.opts.activation);
  }

  pruneInputs(keep: readonly number[]): readonly number[] | undefined {
    if (this.opts.multiplier !== 1) return undefined;
    this.kernel = gatherParam(this.kernel, 2, keep);
    if (this.bias) this.bias = gatherParam(this.bias, 0, keep);
    this.inputShape = [...this.inputShape.slice(0, 2), keep.length];
    this.outputShape = [...this.outputShape.slice(0, 2), keep.length];
    return keep;
  }
}

/**
 * A residual block as an imported functional model has it: `post(shortcut(x) + g · main(x))`
 * (shortcut: layers or the identity; post: the activation right after the Add, fused here;
 * g: the optional block gate). The sum ties the stream width, so only units inside `main`
 * whose consumer in `main` absorbs them are prunable (its inner unit groups).
 */
export class ResidualLayer implements GatedBlock {
  readonly kind = "residual-block";
  blockGate: AttachedGate | undefined;

  constructor(
    private readonly ctx: LayerBuildContext,
    readonly name: string,
    readonly main: Layer[],
    readonly shortcut: Layer[],
    readonly post: Activation,
  ) {}

  get inputShape(): readonly number[] {
    return (this.main[0] as Layer).inputShape;
  }

  get outputShape(): readonly number[] {
    return (this.main[this.main.length - 1] as Layer).outputShape;
  }

  get shapePreserving(): boolean {
    return this.inputShape.join() === this.outputShape.join();
  }

  get params(): readonly NetParam[] {
    const ps = [...this.main, ...this.shortcut].flatMap((l) => l.params);
    if (this.blockGate) ps.push(this.blockGate.param);
    return ps;
  }

  get macs(): number {
    return [...this.main, ...this.shortcut].reduce((a, l) => a + l.macs, 0);
  }

  apply(x: tf.Tensor, opts: ForwardOptions): tf.Tensor {
    let r = x;
    for (const l of this.main) r = l.apply(r, opts);
    if (this.blockGate) r = tf.mul(r, gateValue(this.blockGate));
    let s = x;
    for (const l of this.shortcut) s = l.apply(s, opts);
    return activate(tf.add(s, r), this.post);
  }

  /** Index in `main` of the layer producing unit group `id`, when its reduction is absorbed inside `main`. */
  private producerIndex(id: string): number {
    return this.main.findIndex((l, i) => l.name === id && l.producedUnits !== undefined && this.absorbedAfter(i));
  }

  private absorbedAfter(i: number): boolean {
    for (let j = i + 1; j < this.main.length; j++) {
      const flow = this.main[j]?.inputUnitFlow;
      if (flow === "absorb") return true;
      if (flow === undefined) return false;
    }
    return false;
  }

  innerUnits(): readonly UnitInfo[] {
    return this.main.flatMap((l, i) => {
      const u = this.absorbedAfter(i) ? l.producedUnits?.() : undefined;
      return u ? [u] : [];
    });
  }

  pruneInner(id: string, keep: readonly number[]): void {
    const i = this.producerIndex(id);
    if (i < 0) throw new RangeError(`block "${this.name}" has no unit group "${id}"`);
    (this.main[i] as Layer).pruneOutputs?.(keep);
    let cur: readonly number[] | undefined = keep;
    for (let j = i + 1; j < this.main.length && cur; j++) cur = this.main[j]?.pruneInputs?.(cur);
  }

  /** The Dense/Conv layer inside `main` named `id` (unit gates attach to it). */
  unitHost(id: string): DenseLayer | ConvLayer | undefined {
    const l = this.main.find((m) => m.name === id);
    return l instanceof DenseLayer || l instanceof ConvLayer ? l : undefined;
  }

  /** Every Dense/Conv layer inside. */
  hosts(): (DenseLayer | ConvLayer)[] {
    return [...this.main, ...this.shortcut].filter((l): l is DenseLayer | ConvLayer => l instanceof DenseLayer || l instanceof ConvLayer);
  }

  attachBlockGate(config: GateConfig, init: number): NetParam {
    this.blockGate = { config, param: makeParam(this.ctx, this.name, "gate", [1], new Float32Array([init / config.lrMult]), { prunable: false, outputPositions: 1, suffix: "block-gate" }) };
    return this.blockGate.param;
  }

  /** Folds the gate into the last layer of `main` (a Conv or Dense layer with a positively homogeneous activation). */
  foldBlockGate(): void {
    if (!this.blockGate) return;
    const g = readGate(this.blockGate)[0] ?? 1;
    const last = this.main[this.main.length - 1];
    if (last instanceof ConvLayer && last.activation !== "tanh") last.scaleChannels(new Float32Array(last.filters).fill(g));
    else if (last instanceof DenseLayer && last.activation !== "tanh") last.scaleOutputs(g);
    else throw new InvalidTaskError(`cannot fold the block gate of "${this.name}": its branch must end in a Conv or Dense layer with a ReLU or linear activation`);
    this.blockGate.param.variable.dispose();
    this.blockGate = undefined;
  }
}
