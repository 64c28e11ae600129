/**
 * The `Net` abstraction every model, trainer, pruning method and metric works with.
 *
 * Ownership: a Net owns its variables; `dispose()` frees them. Masks and optimizers belong to
 * whoever created them. `forward*` are synchronous and must run inside `tf.tidy` or a gradient
 * function.
 */
import * as tf from "@tensorflow/tfjs";
import { WeightsMismatchError } from "../errors.js";
import { DenseLayer, FlattenLayer, type Activation, type ForwardOptions, type Layer, type LayerBuildContext, type NetParam } from "./layers.js";
import type { SerializedWeights } from "./serialized-weights.js";

/** Dense cost of one layer. */
export interface LayerCost {
  readonly layer: string;
  readonly kind: string;
  /** Dense multiply-accumulates per example. */
  readonly macs: number;
}

/** A trainable classifier with named, maskable parameters. */
export interface Net {
  /** Registry name of the architecture, e.g. `lenet-300-100`. */
  readonly architecture: string;
  /** Shape of one input example. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** Layers in execution order (backbone only; exit heads come later). */
  readonly layers: readonly Layer[];
  /** Names of the exits in order; the final classifier is last (`["final"]` without early exits). */
  readonly exitNames: readonly string[];
  /** All parameters, in layer order. */
  params(): readonly NetParam[];
  /** The parameter called `name`; throws RangeError when unknown. */
  param(name: string): NetParam;
  /** Parameters that weight pruning applies to (kernels). */
  prunableParams(): readonly NetParam[];
  /** The trainable variables, for `tf.variableGrads`. */
  trainableVariables(): tf.Variable[];
  /** Logits of the final classifier, `[batch, numClasses]`. */
  forward(x: tf.Tensor, opts: ForwardOptions): tf.Tensor2D;
  /** Logits of every exit, in {@link exitNames} order (final last). */
  forwardExits(x: tf.Tensor, opts: ForwardOptions): tf.Tensor2D[];
  /** Dense MACs per layer, per example. */
  macsPerLayer(): readonly LayerCost[];
  /** Total dense MACs per example. */
  denseMacs(): number;
  /** Number of trainable parameter values (kernels + biases + ...). */
  paramCount(): number;
  /** Copies the weights out as plain arrays. */
  getWeights(): Promise<SerializedWeights>;
  /** Overwrites the weights; names and shapes must match exactly (WeightsMismatchError). */
  setWeights(w: SerializedWeights): void;
  /** Frees the variables. Idempotent. */
  dispose(): void;
}

let netCounter = 0;

/** A fresh unique prefix for a net's tfjs variable names. */
export function nextNetUid(architecture: string): string {
  netCounter += 1;
  return `${architecture}#${netCounter}`;
}

/** A plain chain of layers ending in the classifier (the last layer's output are the logits). */
export class SequentialNet implements Net {
  readonly exitNames: readonly string[] = ["final"];
  private readonly allParams: readonly NetParam[];
  private readonly byName: ReadonlyMap<string, NetParam>;
  private disposed = false;

  constructor(
    readonly architecture: string,
    readonly inputShape: readonly number[],
    readonly numClasses: number,
    readonly layers: readonly Layer[],
  ) {
    this.allParams = layers.flatMap((l) => l.params);
    this.byName = new Map(this.allParams.map((p) => [p.name, p]));
    const last = layers[layers.length - 1];
    if (!last || last.outputShape.length !== 1 || last.outputShape[0] !== numClasses) {
      throw new RangeError(`net "${architecture}" must end in ${numClasses} logits`);
    }
  }

  params(): readonly NetParam[] {
    return this.allParams;
  }

  param(name: string): NetParam {
    const p = this.byName.get(name);
    if (!p) throw new RangeError(`net "${this.architecture}" has no parameter "${name}"`);
    return p;
  }

  prunableParams(): readonly NetParam[] {
    return this.allParams.filter((p) => p.prunable);
  }

  trainableVariables(): tf.Variable[] {
    return this.allParams.filter((p) => p.trainable).map((p) => p.variable);
  }

  forward(x: tf.Tensor, opts: ForwardOptions): tf.Tensor2D {
    let h = x;
    for (const layer of this.layers) h = layer.apply(h, opts);
    return h as tf.Tensor2D;
  }

  forwardExits(x: tf.Tensor, opts: ForwardOptions): tf.Tensor2D[] {
    return [this.forward(x, opts)];
  }

  macsPerLayer(): readonly LayerCost[] {
    return this.layers.filter((l) => l.macs > 0).map((l) => ({ layer: l.name, kind: l.kind, macs: l.macs }));
  }

  denseMacs(): number {
    return this.layers.reduce((a, l) => a + l.macs, 0);
  }

  paramCount(): number {
    return this.allParams.filter((p) => p.trainable).reduce((a, p) => a + p.size, 0);
  }

  async getWeights(): Promise<SerializedWeights> {
    const tensors = [];
    for (const p of this.allParams) {
      // Copy: the cpu backend hands out its backing array.
      const data = new Float32Array((await p.variable.data()) as Float32Array);
      tensors.push({ name: p.name, shape: [...p.shape], data });
    }
    return { tensors };
  }

  setWeights(w: SerializedWeights): void {
    const given = new Map(w.tensors.map((t) => [t.name, t]));
    for (const p of this.allParams) {
      const t = given.get(p.name);
      if (!t) throw new WeightsMismatchError(`weights for "${this.architecture}" lack parameter "${p.name}"`);
      if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i]) || t.data.length !== p.size) {
        throw new WeightsMismatchError(`parameter "${p.name}": stored shape [${t.shape.join(", ")}], model shape [${p.shape.join(", ")}]`);
      }
    }
    if (given.size !== this.allParams.length) {
      const extra = [...given.keys()].filter((k) => !this.byName.has(k));
      throw new WeightsMismatchError(`weights hold parameters the model lacks: ${extra.join(", ")}`);
    }
    tf.tidy(() => {
      for (const p of this.allParams) {
        const t = given.get(p.name);
        if (t) p.variable.assign(tf.tensor(t.data, [...p.shape], "float32"));
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.allParams) p.variable.dispose();
  }
}

/**
 * Builds a {@link SequentialNet} layer by layer, tracking the per-example shape.
 * @example new NetBuilder("mlp", [28, 28, 1], 10, seed).flatten().dense("fc1", 300, "relu").dense("out", 10).build()
 */
export class NetBuilder {
  private readonly layers: Layer[] = [];
  private shape: readonly number[];
  private readonly ctx: LayerBuildContext;

  constructor(
    private readonly architecture: string,
    private readonly inputShape: readonly number[],
    private readonly numClasses: number,
    seed: number,
  ) {
    this.shape = inputShape;
    this.ctx = { uid: nextNetUid(architecture), seed };
  }

  /** Flattens the input to one dimension. */
  flatten(name = "flatten"): this {
    return this.push(new FlattenLayer(name, this.shape));
  }

  /** Adds a dense layer (flattening first when needed). */
  dense(name: string, units: number, activation: Activation = "linear"): this {
    if (this.shape.length !== 1) this.flatten(`${name}-flatten`);
    return this.push(new DenseLayer(this.ctx, name, this.shape, units, activation));
  }

  /** Builds the net; on failure, frees the variables created so far. */
  build(): Net {
    try {
      return new SequentialNet(this.architecture, this.inputShape, this.numClasses, this.layers);
    } catch (err) {
      for (const l of this.layers) for (const p of l.params) p.variable.dispose();
      throw err;
    }
  }

  /** Current per-example output shape. */
  get currentShape(): readonly number[] {
    return this.shape;
  }

  private push(layer: Layer): this {
    this.layers.push(layer);
    this.shape = layer.outputShape;
    return this;
  }
}
