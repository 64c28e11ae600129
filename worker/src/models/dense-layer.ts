/** The fully connected layer, with optional neuron gates and an identity-interpolating layer gate. */
import * as tf from "@tensorflow/tfjs";
import { InvalidTaskError } from "../errors.js";
import { gateValue, readGate, type AttachedGate, type GateConfig } from "./gate-value.js";
import { glorotUniform, paramRng } from "./init.js";
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

/**
 * `y = act(x · W + b)`, kernel `[in, out]` (Glorot uniform), bias zeros.
 *
 * With a neuron gate g (`[out]`): `y = g ⊙ act(x · W + b)`. With a layer gate g (scalar,
 * shape-preserving layers only): `y = g · f(x) + (1 − g) · x` (docs/methods.md §3.2),
 * so g → 0 turns the layer into an identity; the layer's width is then tied to its input.
 */
export class DenseLayer implements Layer {
  readonly kind = "dense";
  inputShape: readonly number[];
  outputShape: readonly number[];
  kernel: NetParam;
  bias: NetParam;
  unitGate: AttachedGate | undefined;
  layerGate: AttachedGate | undefined;

  constructor(
    private readonly ctx: LayerBuildContext,
    readonly name: string,
    inputShape: readonly number[],
    units: number,
    readonly activation: Activation,
  ) {
    if (inputShape.length !== 1) throw new RangeError(`dense layer "${name}" needs a flat input, got [${inputShape.join(", ")}]`);
    const fanIn = inputShape[0] ?? 0;
    this.inputShape = inputShape;
    this.outputShape = [units];
    this.kernel = makeParam(ctx, name, "kernel", [fanIn, units], glorotUniform(fanIn * units, fanIn, units, paramRng(ctx.seed, `${name}/kernel`)), {
      prunable: true,
      outputPositions: 1,
    });
    this.bias = makeParam(ctx, name, "bias", [units], new Float32Array(units), { prunable: false, outputPositions: 1 });
  }

  get units(): number {
    return this.outputShape[0] ?? 0;
  }

  get params(): readonly NetParam[] {
    const ps = [this.kernel, this.bias];
    if (this.unitGate) ps.push(this.unitGate.param);
    if (this.layerGate) ps.push(this.layerGate.param);
    return ps;
  }

  get macs(): number {
    return (this.inputShape[0] ?? 0) * this.units;
  }

  /** A layer interpolated with its input cannot change its input width. */
  get inputUnitFlow(): "absorb" | undefined {
    return this.layerGate ? undefined : "absorb";
  }

  apply(x: tf.Tensor, opts: ForwardOptions): tf.Tensor {
    let a = activate(tf.add(tf.matMul(x as tf.Tensor2D, this.kernel.variable as tf.Tensor2D), this.bias.variable), this.activation);
    if (opts.probe) a = opts.probe(this.name, a);
    if (this.unitGate) a = tf.mul(a, gateValue(this.unitGate));
    if (this.layerGate) {
      const g = gateValue(this.layerGate);
      a = tf.add(tf.mul(g, a), tf.mul(tf.sub(1, g), x));
    }
    return a;
  }

  producedUnits(): UnitInfo | undefined {
    if (this.layerGate) return undefined;
    return { id: this.name, kind: "neuron", kernel: this.kernel, gate: this.unitGate?.param, units: this.units };
  }

  pruneOutputs(keep: readonly number[]): void {
    this.kernel = gatherParam(this.kernel, 1, keep);
    this.bias = gatherParam(this.bias, 0, keep);
    if (this.unitGate) this.unitGate = { ...this.unitGate, param: gatherParam(this.unitGate.param, 0, keep) };
    this.outputShape = [keep.length];
  }

  pruneInputs(keep: readonly number[]): undefined {
    this.kernel = gatherParam(this.kernel, 0, keep);
    this.inputShape = [keep.length];
    return undefined;
  }

  /** Whether `y = g·f(x) + (1−g)·x` is possible (same input and output width). */
  get shapePreserving(): boolean {
    return this.inputShape[0] === this.units;
  }

  /** Adds a neuron gate initialised to `init` (effective value). */
  attachUnitGate(config: GateConfig, init: number): NetParam {
    this.unitGate = { config, param: makeParam(this.ctx, this.name, "gate", [this.units], new Float32Array(this.units).fill(init / config.lrMult), { prunable: false, outputPositions: 1 }) };
    return this.unitGate.param;
  }

  /** Adds a scalar layer gate (identity interpolation) initialised to `init`. */
  attachLayerGate(config: GateConfig, init: number): NetParam {
    if (!this.shapePreserving) throw new RangeError(`layer "${this.name}" is not shape-preserving; it cannot take a layer gate`);
    this.layerGate = {
      config,
      param: makeParam(this.ctx, this.name, "gate", [1], new Float32Array([init / config.lrMult]), { prunable: false, outputPositions: 1, suffix: "layer-gate" }),
    };
    return this.layerGate.param;
  }

  /**
   * Folds the neuron gate into the kernel columns and bias and drops it. Valid for gates >= 0
   * with a positively homogeneous activation (ReLU, linear): g·relu(z) = relu(g·z).
   * @throws InvalidTaskError for tanh
   */
  foldUnitGate(): void {
    if (!this.unitGate) return;
    if (this.activation === "tanh") throw new InvalidTaskError(`cannot fold neuron gates of "${this.name}" through tanh; use ReLU models with gates`);
    const g = readGate(this.unitGate);
    this.kernel = scaleLastAxis(this.kernel, g);
    this.bias = scaleLastAxis(this.bias, g);
    this.unitGate.param.variable.dispose();
    this.unitGate = undefined;
  }

  /** Multiplies the output by `factor` (folds a residual-branch gate; the layer must be linear). */
  scaleOutputs(factor: number): void {
    const f = new Float32Array(this.units).fill(factor);
    this.kernel = scaleLastAxis(this.kernel, f);
    this.bias = scaleLastAxis(this.bias, f);
  }
}
