/** Builds a {@link SequentialNet} layer by layer, tracking the per-example shape and the blocks. */
import { exitOptionsSchema } from "@prunesweep/proto";
import { ConvLayer, GlobalAvgPoolLayer, MaxPoolLayer, type ConvOptions } from "./conv-layers.js";
import { DenseLayer } from "./dense-layer.js";
import { NO_EXITS, resolveExitPositions, type ExitOptions, type ExitSpec } from "./exits.js";
import { FlattenLayer, type Activation, type Layer, type LayerBuildContext } from "./layers.js";
import { SequentialNet, nextNetUid, type BlockSpec, type Net } from "./net.js";
import { BasicBlock, ResMlpBlock, type BasicBlockOptions } from "./residual-blocks.js";

/** Exit options when a model has none: the catalogue's defaults. */
const DEFAULT_EXIT_OPTIONS: ExitOptions = exitOptionsSchema.parse({});

/**
 * @example
 * new NetBuilder("mlp", [28, 28, 1], 10, seed).flatten()
 *   .block("fc1", true, (b) => b.dense("fc1", 300, "relu")).dense("out", 10).build()
 */
export class NetBuilder {
  private readonly layers: Layer[] = [];
  private readonly blocks: BlockSpec[] = [];
  private shape: readonly number[];
  readonly ctx: LayerBuildContext;

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

  /** Adds a conv layer (optionally with BatchNorm). */
  conv(name: string, opts: ConvOptions): this {
    return this.push(new ConvLayer(this.ctx, name, this.shape, opts));
  }

  /** Adds 2x2 max pooling. */
  maxPool(name: string): this {
    return this.push(new MaxPoolLayer(name, this.shape));
  }

  /** Adds global average pooling. */
  globalAvgPool(name = "gap"): this {
    return this.push(new GlobalAvgPoolLayer(name, this.shape));
  }

  /** Adds a residual MLP block (width = current width). */
  resMlpBlock(name: string, activation: Activation): this {
    return this.push(new ResMlpBlock(this.ctx, name, this.shape[0] ?? 0, activation));
  }

  /** Adds a ResNet basic block. */
  basicBlock(name: string, opts: BasicBlockOptions): this {
    return this.push(new BasicBlock(this.ctx, name, this.shape, opts));
  }

  /** Declares the layers added by `add` as one block (the unit of depth). */
  block(name: string, removable: boolean, add: (b: this) => void): this {
    const start = this.layers.length;
    add(this);
    this.blocks.push({ name, start, end: this.layers.length, removable });
    return this;
  }

  /** Builds the net; on failure, frees the variables created so far. */
  build(exits: ExitSpec = NO_EXITS, exitOptions: ExitOptions = DEFAULT_EXIT_OPTIONS): Net {
    try {
      const positions = resolveExitPositions(exits, this.blocks.length, this.architecture);
      return new SequentialNet(this.architecture, this.inputShape, this.numClasses, this.layers, this.ctx, this.blocks, { positions, options: exitOptions });
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
