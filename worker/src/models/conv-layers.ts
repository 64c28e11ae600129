/**
 * Convolutional layers: conv2d (+ optional BatchNorm) + activation, max pooling and global
 * average pooling. Feature maps are NHWC; kernels `[kh, kw, in, out]`, so "filter" means the
 * last axis (docs/methods.md §0.1).
 *
 * MACs: conv = H_out·W_out·kh·kw·C_in·C_out; pooling and BatchNorm count 0 (element-wise work
 * is not counted, as in thop's conv/linear-only convention).
 */
import * as tf from "@tensorflow/tfjs";
import { batchNormTraining } from "../backend/blas/batchnorm.js";
import { InvalidTaskError } from "../errors.js";
import { gateValue, readGate, type AttachedGate, type GateConfig } from "./gate-value.js";
import { heNormal, paramRng } from "./init.js";
import {
  activate,
  gatherParam,
  makeParam,
  scaleLastAxis,
  type Activation,
  type ForwardOptions,
  type Layer,
  type LayerBuildContext,
  type NetParam,
  type UnitInfo,
} from "./layers.js";

/** BatchNorm moving-average momentum (PyTorch 0.1 ≙ 0.9 here) and epsilon. */
const BN_MOMENTUM = 0.9;
const BN_EPSILON = 1e-5;

/** Options of a {@link ConvLayer}. */
export interface ConvOptions {
  readonly filters: number;
  readonly kernelSize: number;
  /** @default 1 */
  readonly stride?: number;
  /** @default "same" */
  readonly padding?: "same" | "valid";
  readonly activation: Activation;
  /** Conv without bias, then BatchNorm (gamma, beta, moving mean/variance). @default false */
  readonly batchNorm?: boolean;
  /** BatchNorm epsilon (imported models keep theirs). @default 1e-5 */
  readonly bnEpsilon?: number;
}

/** Output size of a conv/pool along one spatial axis. */
export function convOutSize(size: number, kernel: number, stride: number, padding: "same" | "valid"): number {
  return padding === "same" ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

/** BatchNorm parameters. */
export interface BatchNormParams {
  gamma: NetParam;
  beta: NetParam;
  mean: NetParam;
  variance: NetParam;
}

/**
 * BatchNorm over the last axis: batch statistics while training (updating the moving ones),
 * moving statistics at inference. Training runs on the fused kernels where the wasm BLAS
 * kernels are installed (backend/blas/batchnorm.ts), as tensor ops elsewhere.
 */
export function batchNormalize(y: tf.Tensor, bn: BatchNormParams, training: boolean, epsilon: number): tf.Tensor {
  let mean: tf.Tensor = bn.mean.variable;
  let variance: tf.Tensor = bn.variance.variable;
  const fused = training ? batchNormTraining(y, bn.gamma.variable, bn.beta.variable, epsilon) : undefined;
  if (training) {
    const m = fused ?? tf.moments(y, [...Array(y.rank - 1).keys()]);
    mean = m.mean;
    variance = m.variance;
    // Moving statistics for inference; not on the gradient path of the loss.
    bn.mean.variable.assign(tf.add(tf.mul(bn.mean.variable, BN_MOMENTUM), tf.mul(mean, 1 - BN_MOMENTUM)));
    bn.variance.variable.assign(tf.add(tf.mul(bn.variance.variable, BN_MOMENTUM), tf.mul(variance, 1 - BN_MOMENTUM)));
  }
  if (fused) return fused.y;
  const norm = tf.mul(tf.sub(y, mean), tf.rsqrt(tf.add(variance, epsilon)));
  return tf.add(tf.mul(norm, bn.gamma.variable), bn.beta.variable);
}

/** `act(BN(conv2d(x, W)))` or `act(conv2d(x, W) + b)`, He-normal kernel, optional filter gate. */
export class ConvLayer implements Layer {
  readonly kind = "conv2d";
  readonly inputUnitFlow = "absorb";
  readonly stride: number;
  readonly padding: "same" | "valid";
  readonly kernelSize: number;
  readonly activation: Activation;
  readonly bnEpsilon: number;
  inputShape: readonly number[];
  outputShape: readonly number[];
  kernel: NetParam;
  bias: NetParam | undefined;
  bn: BatchNormParams | undefined;
  unitGate: AttachedGate | undefined;

  constructor(
    private readonly ctx: LayerBuildContext,
    readonly name: string,
    inputShape: readonly number[],
    opts: ConvOptions,
  ) {
    if (inputShape.length !== 3) throw new RangeError(`conv layer "${name}" needs an [H, W, C] input, got [${inputShape.join(", ")}]`);
    const [h = 0, w = 0, cin = 0] = inputShape;
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? "same";
    this.kernelSize = opts.kernelSize;
    this.activation = opts.activation;
    this.bnEpsilon = opts.bnEpsilon ?? BN_EPSILON;
    const k = opts.kernelSize;
    const ho = convOutSize(h, k, this.stride, this.padding);
    const wo = convOutSize(w, k, this.stride, this.padding);
    if (ho < 1 || wo < 1) throw new InvalidTaskError(`conv layer "${name}": a ${k}x${k} kernel does not fit a ${h}x${w} input`);
    this.inputShape = inputShape;
    this.outputShape = [ho, wo, opts.filters];
    const size = k * k * cin * opts.filters;
    this.kernel = makeParam(ctx, name, "kernel", [k, k, cin, opts.filters], heNormal(size, k * k * cin, paramRng(ctx.seed, `${name}/kernel`)), {
      prunable: true,
      outputPositions: ho * wo,
    });
    const c = opts.filters;
    if (opts.batchNorm) {
      const stat = { prunable: false, outputPositions: 1 };
      this.bn = {
        gamma: makeParam(ctx, name, "scale", [c], new Float32Array(c).fill(1), { ...stat, suffix: "gamma" }),
        beta: makeParam(ctx, name, "shift", [c], new Float32Array(c), { ...stat, suffix: "beta" }),
        mean: makeParam(ctx, name, "mean", [c], new Float32Array(c), { ...stat, trainable: false, suffix: "moving-mean" }),
        variance: makeParam(ctx, name, "variance", [c], new Float32Array(c).fill(1), { ...stat, trainable: false, suffix: "moving-variance" }),
      };
    } else {
      this.bias = makeParam(ctx, name, "bias", [c], new Float32Array(c), { prunable: false, outputPositions: 1 });
    }
  }

  get filters(): number {
    return this.outputShape[2] ?? 0;
  }

  get params(): readonly NetParam[] {
    const ps = [this.kernel];
    if (this.bias) ps.push(this.bias);
    if (this.bn) ps.push(this.bn.gamma, this.bn.beta, this.bn.mean, this.bn.variance);
    if (this.unitGate) ps.push(this.unitGate.param);
    return ps;
  }

  get macs(): number {
    const [ho = 0, wo = 0, cout = 0] = this.outputShape;
    return ho * wo * this.kernelSize * this.kernelSize * (this.inputShape[2] ?? 0) * cout;
  }

  apply(x: tf.Tensor, opts: ForwardOptions): tf.Tensor {
    let y: tf.Tensor = tf.conv2d(x as tf.Tensor4D, this.kernel.variable as tf.Tensor4D, this.stride, this.padding);
    if (this.bias) y = tf.add(y, this.bias.variable);
    if (this.bn) y = this.batchNorm(y, opts.training);
    let a = activate(y, this.activation);
    if (opts.probe) a = opts.probe(this.name, a);
    if (this.unitGate) a = tf.mul(a, gateValue(this.unitGate));
    return a;
  }

  private batchNorm(y: tf.Tensor, training: boolean): tf.Tensor {
    return batchNormalize(y, this.bn as BatchNormParams, training, this.bnEpsilon);
  }

  producedUnits(): UnitInfo {
    return { id: this.name, kind: "filter", kernel: this.kernel, bnScale: this.bn?.gamma, gate: this.unitGate?.param, units: this.filters };
  }

  pruneOutputs(keep: readonly number[]): void {
    const [ho = 0, wo = 0] = this.outputShape;
    this.kernel = gatherParam(this.kernel, 3, keep);
    if (this.bias) this.bias = gatherParam(this.bias, 0, keep);
    if (this.bn) {
      const bn = this.bn;
      this.bn = { gamma: gatherParam(bn.gamma, 0, keep), beta: gatherParam(bn.beta, 0, keep), mean: gatherParam(bn.mean, 0, keep), variance: gatherParam(bn.variance, 0, keep) };
    }
    if (this.unitGate) this.unitGate = { ...this.unitGate, param: gatherParam(this.unitGate.param, 0, keep) };
    this.outputShape = [ho, wo, keep.length];
  }

  pruneInputs(keep: readonly number[]): undefined {
    this.kernel = gatherParam(this.kernel, 2, keep);
    this.inputShape = [...this.inputShape.slice(0, 2), keep.length];
    return undefined;
  }

  /** Adds a filter gate initialised to `init` (effective value). */
  attachUnitGate(config: GateConfig, init: number): NetParam {
    this.unitGate = { config, param: makeParam(this.ctx, this.name, "gate", [this.filters], new Float32Array(this.filters).fill(init / config.lrMult), { prunable: false, outputPositions: 1 }) };
    return this.unitGate.param;
  }

  /**
   * Folds the filter gate (>= 0) into BatchNorm's gamma and beta, or into the kernel and bias,
   * and drops it. @throws InvalidTaskError for tanh (not positively homogeneous)
   */
  foldUnitGate(): void {
    if (!this.unitGate) return;
    if (this.activation === "tanh") throw new InvalidTaskError(`cannot fold filter gates of "${this.name}" through tanh; use ReLU models with gates`);
    this.scaleChannels(readGate(this.unitGate));
    this.unitGate.param.variable.dispose();
    this.unitGate = undefined;
  }

  /** Multiplies the pre-activation output channels by `factors` (linear layers: exact). */
  scaleChannels(factors: Float32Array): void {
    if (this.bn) {
      this.bn = { ...this.bn, gamma: scaleLastAxis(this.bn.gamma, factors), beta: scaleLastAxis(this.bn.beta, factors) };
    } else {
      this.kernel = scaleLastAxis(this.kernel, factors);
      if (this.bias) this.bias = scaleLastAxis(this.bias, factors);
    }
  }
}

/** Max or average pooling with any square window, stride and padding. */
export class PoolLayer implements Layer {
  readonly params: readonly NetParam[] = [];
  readonly macs = 0;
  readonly inputUnitFlow = "pass";
  inputShape: readonly number[];
  outputShape: readonly number[];

  constructor(
    readonly name: string,
    inputShape: readonly number[],
    readonly kind: "max-pool" | "avg-pool",
    readonly pool: number,
    readonly stride: number,
    readonly padding: "same" | "valid",
  ) {
    const [h = 0, w = 0, c = 0] = inputShape;
    this.inputShape = inputShape;
    this.outputShape = [convOutSize(h, pool, stride, padding), convOutSize(w, pool, stride, padding), c];
  }

  apply(x: tf.Tensor): tf.Tensor {
    const op = this.kind === "max-pool" ? tf.maxPool : tf.avgPool;
    return op(x as tf.Tensor4D, this.pool, this.stride, this.padding);
  }

  pruneInputs(keep: readonly number[]): readonly number[] {
    this.inputShape = [...this.inputShape.slice(0, 2), keep.length];
    this.outputShape = [...this.outputShape.slice(0, 2), keep.length];
    return keep;
  }
}

/** 2x2 max pooling, stride 2, valid padding (the built-in CNNs). */
export class MaxPoolLayer extends PoolLayer {
  constructor(name: string, inputShape: readonly number[], pool = 2) {
    const [h = 0, w = 0] = inputShape;
    if (h < pool || w < pool) throw new InvalidTaskError(`pool "${name}": a ${pool}x${pool} window does not fit a ${h}x${w} input`);
    super(name, inputShape, "max-pool", pool, pool, "valid");
  }
}

/** Mean over the spatial axes: `[H, W, C] → [C]`. Passes unit reductions on. */
export class GlobalAvgPoolLayer implements Layer {
  readonly kind = "global-avg-pool";
  readonly params: readonly NetParam[] = [];
  readonly macs = 0;
  readonly inputUnitFlow = "pass";
  inputShape: readonly number[];

  constructor(
    readonly name: string,
    inputShape: readonly number[],
  ) {
    this.inputShape = inputShape;
  }

  get outputShape(): readonly number[] {
    return [this.inputShape[this.inputShape.length - 1] ?? 0];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return x.rank === 2 ? x : tf.mean(x, [1, 2]);
  }

  pruneInputs(keep: readonly number[]): readonly number[] {
    this.inputShape = [...this.inputShape.slice(0, -1), keep.length];
    return keep;
  }
}
