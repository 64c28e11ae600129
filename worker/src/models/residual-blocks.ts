/**
 * Residual blocks: the residual-MLP block and the CIFAR ResNet basic block (He et al. 2016).
 *
 * Both compute `y = act(shortcut(x) + g · F(x))`, where g is an optional block gate
 * (docs/methods.md §3.2): g → 0 reduces the block to its shortcut, so a shape-preserving block can
 * be deleted. The stream width (block input and output) is tied to the skip connection, so
 * only the units *inside* F (the first layer's outputs) are prunable; those form the block's
 * inner unit group, which LayerPrune also uses to score the block (docs/methods.md §2.3).
 */
import * as tf from "@tensorflow/tfjs";
import { ConvLayer } from "./conv-layers.js";
import { DenseLayer } from "./dense-layer.js";
import { gateValue, readGate, type AttachedGate, type GateConfig } from "./gate-value.js";
import { activate, makeParam, type Activation, type ForwardOptions, type Layer, type LayerBuildContext, type NetParam, type UnitInfo } from "./layers.js";

/** A layer whose residual branch can carry a scalar block gate. */
export interface GatedBlock extends Layer {
  blockGate: AttachedGate | undefined;
  /** Whether the block reduces to an identity when removed (stride 1, same width). */
  readonly shapePreserving: boolean;
  attachBlockGate(config: GateConfig, init: number): NetParam;
  /** Folds the block gate into the branch's last (linear) layer and drops it. */
  foldBlockGate(): void;
}

function makeBlockGate(ctx: LayerBuildContext, name: string, config: GateConfig, init: number): AttachedGate {
  return { config, param: makeParam(ctx, name, "gate", [1], new Float32Array([init / config.lrMult]), { prunable: false, outputPositions: 1, suffix: "block-gate" }) };
}

/** `y = act(x + g · fc2(act(fc1(x))))` with fc1, fc2: width → width. */
export class ResMlpBlock implements GatedBlock {
  readonly kind = "res-mlp-block";
  readonly shapePreserving = true;
  readonly fc1: DenseLayer;
  readonly fc2: DenseLayer;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  blockGate: AttachedGate | undefined;

  constructor(
    private readonly ctx: LayerBuildContext,
    readonly name: string,
    width: number,
    readonly activation: Activation,
  ) {
    this.inputShape = [width];
    this.outputShape = [width];
    this.fc1 = new DenseLayer(ctx, `${name}/fc1`, [width], width, activation);
    this.fc2 = new DenseLayer(ctx, `${name}/fc2`, [width], width, "linear");
  }

  get params(): readonly NetParam[] {
    const ps = [...this.fc1.params, ...this.fc2.params];
    if (this.blockGate) ps.push(this.blockGate.param);
    return ps;
  }

  get macs(): number {
    return this.fc1.macs + this.fc2.macs;
  }

  apply(x: tf.Tensor, opts: ForwardOptions): tf.Tensor {
    let r = this.fc2.apply(this.fc1.apply(x, opts), opts);
    if (this.blockGate) r = tf.mul(r, gateValue(this.blockGate));
    return activate(tf.add(x, r), this.activation);
  }

  innerUnits(): readonly UnitInfo[] {
    const u = this.fc1.producedUnits();
    return u ? [u] : [];
  }

  pruneInner(id: string, keep: readonly number[]): void {
    if (id !== this.fc1.name) throw new RangeError(`block "${this.name}" has no unit group "${id}"`);
    this.fc1.pruneOutputs(keep);
    this.fc2.pruneInputs(keep);
  }

  attachBlockGate(config: GateConfig, init: number): NetParam {
    this.blockGate = makeBlockGate(this.ctx, this.name, config, init);
    return this.blockGate.param;
  }

  foldBlockGate(): void {
    if (!this.blockGate) return;
    this.fc2.scaleOutputs(readGate(this.blockGate)[0] ?? 1);
    this.blockGate.param.variable.dispose();
    this.blockGate = undefined;
  }
}

/** Shortcut of a basic block that changes shape: A = subsample + zero-pad channels, B = 1x1 conv + BN. */
type ShortcutType = "A" | "B";

/** Options of a {@link BasicBlock}. */
export interface BasicBlockOptions {
  readonly filters: number;
  readonly stride: number;
  readonly batchNorm: boolean;
  readonly shortcut: ShortcutType;
}

/**
 * CIFAR ResNet basic block: conv3x3(stride)-BN-ReLU, conv3x3-BN, plus the shortcut, then ReLU.
 * The shortcut is the identity when the shape is kept; otherwise option A (parameter-free:
 * stride-s subsampling and zero channels, as in the ResNet-20/56 CIFAR models) or option B
 * (1x1 conv with stride s + BN).
 */
export class BasicBlock implements GatedBlock {
  readonly kind = "basic-block";
  readonly conv1: ConvLayer;
  readonly conv2: ConvLayer;
  readonly projection: ConvLayer | undefined;
  readonly shapePreserving: boolean;
  readonly inputShape: readonly number[];
  blockGate: AttachedGate | undefined;

  constructor(
    private readonly ctx: LayerBuildContext,
    readonly name: string,
    inputShape: readonly number[],
    readonly opts: BasicBlockOptions,
  ) {
    this.inputShape = inputShape;
    const bn = opts.batchNorm;
    this.conv1 = new ConvLayer(ctx, `${name}/conv1`, inputShape, { filters: opts.filters, kernelSize: 3, stride: opts.stride, activation: "relu", batchNorm: bn });
    this.conv2 = new ConvLayer(ctx, `${name}/conv2`, this.conv1.outputShape, { filters: opts.filters, kernelSize: 3, activation: "linear", batchNorm: bn });
    this.shapePreserving = opts.stride === 1 && inputShape[2] === opts.filters;
    if (!this.shapePreserving && opts.shortcut === "B") {
      this.projection = new ConvLayer(ctx, `${name}/shortcut`, inputShape, { filters: opts.filters, kernelSize: 1, stride: opts.stride, activation: "linear", batchNorm: bn });
    }
  }

  get outputShape(): readonly number[] {
    return [...this.conv1.outputShape.slice(0, 2), this.opts.filters];
  }

  get params(): readonly NetParam[] {
    const ps = [...this.conv1.params, ...this.conv2.params, ...(this.projection?.params ?? [])];
    if (this.blockGate) ps.push(this.blockGate.param);
    return ps;
  }

  get macs(): number {
    return this.conv1.macs + this.conv2.macs + (this.projection?.macs ?? 0);
  }

  apply(x: tf.Tensor, opts: ForwardOptions): tf.Tensor {
    let r = this.conv2.apply(this.conv1.apply(x, opts), opts);
    if (this.blockGate) r = tf.mul(r, gateValue(this.blockGate));
    return tf.relu(tf.add(this.shortcut(x, opts), r));
  }

  private shortcut(x: tf.Tensor, opts: ForwardOptions): tf.Tensor {
    if (this.shapePreserving) return x;
    if (this.projection) return this.projection.apply(x, opts);
    // Option A: a 1x1 average pool with stride s subsamples (it has a gradient on every backend).
    const s = this.opts.stride;
    const sub = s === 1 ? x : tf.avgPool(x as tf.Tensor4D, 1, s, "valid");
    const extra = this.opts.filters - (this.inputShape[2] ?? 0);
    const front = Math.floor(extra / 2);
    return tf.pad(sub, [
      [0, 0],
      [0, 0],
      [0, 0],
      [front, extra - front],
    ]);
  }

  innerUnits(): readonly UnitInfo[] {
    return [this.conv1.producedUnits()];
  }

  pruneInner(id: string, keep: readonly number[]): void {
    if (id !== this.conv1.name) throw new RangeError(`block "${this.name}" has no unit group "${id}"`);
    this.conv1.pruneOutputs(keep);
    this.conv2.pruneInputs(keep);
  }

  attachBlockGate(config: GateConfig, init: number): NetParam {
    this.blockGate = makeBlockGate(this.ctx, this.name, config, init);
    return this.blockGate.param;
  }

  foldBlockGate(): void {
    if (!this.blockGate) return;
    const g = readGate(this.blockGate)[0] ?? 1;
    this.conv2.scaleChannels(new Float32Array(this.opts.filters).fill(g));
    this.blockGate.param.variable.dispose();
    this.blockGate = undefined;
  }
}

/** Whether a layer is a residual block that can carry a block gate (these two, and imported models' residual blocks). */
export function isGatedBlock(layer: Layer): layer is GatedBlock {
  return layer instanceof ResMlpBlock || layer instanceof BasicBlock || ("attachBlockGate" in layer && "foldBlockGate" in layer);
}
