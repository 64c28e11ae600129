/**
 * Imported models (`task.model: {tfjs: model.json}`): the worker's {@link Net} built from the
 * plan proto's topology reader makes of a TF.js Layers model (proto/src/catalogue/tfjs-topology.ts),
 * with its weights. Conv + BatchNorm (+ activation) fuse into one {@link ConvLayer} (the conv
 * bias folds into the moving mean, exact at inference and cancelled by batch statistics in
 * training), so filter pruning, gates and the BatchNorm-scale criterion work on it like on
 * the built-in CNNs; a Dense layer takes the activation after it likewise; a residual block
 * takes the activation after its Add. Blocks and exits are the plan's.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { dirname, join } from "node:path";
import { loadModelFiles, type ModelPlan, type PlanLayer, type PlanNode } from "@prunesweep/proto";
import { InvalidTaskError } from "../errors.js";
import { ConvLayer, GlobalAvgPoolLayer, PoolLayer } from "./conv-layers.js";
import { DenseLayer } from "./dense-layer.js";
import { NO_EXITS, resolveExitPositions, type ExitOptions, type ExitSpec } from "./exits.js";
import { ActivationLayer, BatchNormLayer, DepthwiseConvLayer, DropoutLayer, ReshapeLayer, ResidualLayer } from "./imported-layers.js";
import { FlattenLayer, type Activation, type Layer, type LayerBuildContext, type NetParam } from "./layers.js";
import { SequentialNet, nextNetUid, type BlockSpec, type Net } from "./net.js";

/** A plan with its weight values by manifest name. */
export interface ImportedModel {
  readonly plan: ModelPlan;
  readonly weights: ReadonlyMap<string, Float32Array>;
  /** The model.json it came from. */
  readonly source: string;
}

/**
 * Reads model.json and its shards.
 * @throws InvalidTaskError naming the file (unsupported layer, missing or short shard)
 */
export function loadImportedModel(modelJsonPath: string): ImportedModel {
  let files;
  try {
    files = loadModelFiles(modelJsonPath);
  } catch (err) {
    throw new InvalidTaskError((err as Error).message, { cause: err });
  }
  const dir = dirname(modelJsonPath);
  const weights = new Map<string, Float32Array>();
  for (const g of files.plan.shardGroups) {
    const bytes = Buffer.concat(g.paths.map((p) => readFileSync(join(dir, p))));
    let off = 0;
    for (const w of g.weights) {
      const n = w.shape.reduce((a, d) => a * d, 1);
      // Copy into an aligned array (shard offsets need not be 4-byte aligned in the Buffer pool).
      const values = new Float32Array(n);
      new Uint8Array(values.buffer).set(bytes.subarray(off, off + 4 * n));
      weights.set(w.name, values);
      off += 4 * n;
    }
  }
  return { plan: files.plan, weights, source: modelJsonPath };
}

const FUSABLE: readonly string[] = ["relu", "tanh", "linear"];

function assign(p: NetParam, values: Float32Array): void {
  if (values.length !== p.size) throw new InvalidTaskError(`weight for "${p.name}": ${values.length} values, the layer needs ${p.size}`);
  tf.tidy(() => p.variable.assign(tensorOf(p, values)));
}

const tensorOf = (p: NetParam, values: Float32Array): tf.Tensor => tf.tensor(values, [...p.shape], "float32");

/** Turns plan layers into net layers, fusing conv+BN+activation and dense+activation. */
class LayerFactory {
  constructor(
    private readonly ctx: LayerBuildContext,
    private readonly model: ImportedModel,
  ) {}

  private w(l: PlanLayer, role: string): Float32Array | undefined {
    const spec = l.weights.find((x) => x.role === role);
    if (!spec) return undefined;
    const v = this.model.weights.get(spec.name);
    if (!v) throw new InvalidTaskError(`${this.model.source}: no values for weight "${spec.name}" of layer "${l.name}"`);
    return v;
  }

  /** Builds layers for `seq`; returns them and, per plan index, the net index where it starts. */
  build(seq: readonly PlanLayer[]): { layers: Layer[]; starts: number[] } {
    const layers: Layer[] = [];
    const starts: number[] = [];
    for (let i = 0; i < seq.length; i++) {
      starts[i] = layers.length;
      const l = seq[i] as PlanLayer;
      const c = l.config;
      const next = seq[i + 1];
      const fuseAct = (own: string): Activation | undefined => {
        if (own !== "linear") return undefined;
        return next?.config.op === "activation" && FUSABLE.includes(next.config.activation) ? (next.config.activation as Activation) : undefined;
      };
      switch (c.op) {
        case "conv2d": {
          // Keras applies a conv's own activation before a BatchNorm after it: fuse the BN only after a linear conv.
          const bn = next?.config.op === "batch-norm" && c.activation === "linear" ? next : undefined;
          let consumed = bn ? 1 : 0;
          let act: Activation = "linear";
          const after = seq[i + 1 + consumed];
          if (c.activation === "linear") {
            if (after?.config.op === "activation" && FUSABLE.includes(after.config.activation)) {
              act = after.config.activation as Activation;
              consumed++;
            }
          } else if (FUSABLE.includes(c.activation)) act = c.activation as Activation;
          const bnEpsilon = bn?.config.op === "batch-norm" ? bn.config.epsilon : undefined;
          const conv = new ConvLayer(this.ctx, l.name, l.inputShape, { filters: c.filters, kernelSize: c.kernelSize, stride: c.stride, padding: c.padding, activation: act, batchNorm: bn !== undefined, bnEpsilon });
          assign(conv.kernel, this.w(l, "kernel") as Float32Array);
          const bias = this.w(l, "bias");
          if (bn && conv.bn) {
            const ch = c.filters;
            const mean = new Float32Array(this.w(bn, "moving_mean") as Float32Array);
            if (bias) for (let k = 0; k < ch; k++) mean[k] = (mean[k] ?? 0) - (bias[k] ?? 0);
            assign(conv.bn.gamma, this.w(bn, "gamma") ?? new Float32Array(ch).fill(1));
            assign(conv.bn.beta, this.w(bn, "beta") ?? new Float32Array(ch));
            assign(conv.bn.mean, mean);
            assign(conv.bn.variance, this.w(bn, "moving_variance") as Float32Array);
          } else if (conv.bias) assign(conv.bias, bias ?? new Float32Array(c.filters));
          layers.push(conv);
          if (!FUSABLE.includes(c.activation)) layers.push(new ActivationLayer(`${l.name}/activation`, conv.outputShape, c.activation));
          i += consumed;
          break;
        }
        case "dense": {
          const fused = fuseAct(c.activation);
          const own = FUSABLE.includes(c.activation) ? (c.activation as Activation) : "linear";
          const d = new DenseLayer(this.ctx, l.name, l.inputShape, c.units, fused ?? own);
          assign(d.kernel, this.w(l, "kernel") as Float32Array);
          const bias = this.w(l, "bias");
          if (bias) assign(d.bias, bias);
          else assign(d.bias, new Float32Array(c.units));
          layers.push(d);
          if (!FUSABLE.includes(c.activation)) layers.push(new ActivationLayer(`${l.name}/activation`, d.outputShape, c.activation));
          if (fused) i++;
          break;
        }
        case "depthwise-conv2d": {
          const d = new DepthwiseConvLayer(this.ctx, l.name, l.inputShape, { multiplier: c.filters, kernelSize: c.kernelSize, stride: c.stride, padding: c.padding, activation: c.activation, useBias: c.useBias });
          assign(d.kernel, this.w(l, "depthwise_kernel") as Float32Array);
          if (d.bias) assign(d.bias, this.w(l, "bias") as Float32Array);
          layers.push(d);
          break;
        }
        case "batch-norm": {
          const bn = new BatchNormLayer(this.ctx, l.name, l.inputShape, c.epsilon);
          const ch = l.inputShape[l.inputShape.length - 1] ?? 0;
          assign(bn.gamma, this.w(l, "gamma") ?? new Float32Array(ch).fill(1));
          assign(bn.beta, this.w(l, "beta") ?? new Float32Array(ch));
          assign(bn.mean, this.w(l, "moving_mean") as Float32Array);
          assign(bn.variance, this.w(l, "moving_variance") as Float32Array);
          layers.push(bn);
          break;
        }
        case "activation":
          layers.push(new ActivationLayer(l.name, l.inputShape, c.activation, c.alpha));
          break;
        case "max-pool":
        case "avg-pool":
          layers.push(new PoolLayer(l.name, l.inputShape, c.op, c.pool, c.stride, c.padding));
          break;
        case "global-avg-pool":
          layers.push(new GlobalAvgPoolLayer(l.name, l.inputShape));
          break;
        case "flatten":
          layers.push(new FlattenLayer(l.name, l.inputShape));
          break;
        case "reshape":
          layers.push(new ReshapeLayer(l.name, l.inputShape, l.outputShape));
          break;
        case "dropout":
          layers.push(new DropoutLayer(l.name, l.inputShape, c.rate));
          break;
      }
    }
    starts[seq.length] = layers.length;
    return { layers, starts };
  }

  /** The top-level nodes: layers and residual blocks (with the activation after the Add fused). */
  buildNodes(nodes: readonly PlanNode[]): { layers: Layer[]; starts: number[] } {
    const layers: Layer[] = [];
    const starts: number[] = [];
    let run: PlanLayer[] = [];
    let runStart = 0;
    const flush = (): void => {
      const r = this.build(run);
      r.starts.forEach((s, j) => {
        if (j < run.length) starts[runStart + j] = layers.length + s;
      });
      layers.push(...r.layers);
      run = [];
    };
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i] as PlanNode;
      if (n.type === "layer") {
        if (run.length === 0) runStart = i;
        run.push(n.layer);
        continue;
      }
      flush();
      starts[i] = layers.length;
      const after = nodes[i + 1];
      let post: Activation = "linear";
      if (after?.type === "layer" && after.layer.config.op === "activation" && FUSABLE.includes(after.layer.config.activation)) {
        post = after.layer.config.activation as Activation;
        starts[i + 1] = layers.length;
        i++;
      }
      layers.push(new ResidualLayer(this.ctx, n.name, this.build(n.main).layers, this.build(n.shortcut).layers, post));
    }
    flush();
    starts[nodes.length] = layers.length;
    return { layers, starts };
  }
}

/** Builds the net of an imported model with its weights. */
export function buildImportedNet(model: ImportedModel, numClasses: number, exits: ExitSpec = NO_EXITS, exitOptions: ExitOptions): Net {
  const { plan } = model;
  if (plan.numClasses !== numClasses) {
    throw new InvalidTaskError(`${model.source}: the model outputs ${plan.numClasses} classes, the dataset has ${numClasses}`);
  }
  const ctx: LayerBuildContext = { uid: nextNetUid("tfjs"), seed: 0 };
  const built = new LayerFactory(ctx, model).buildNodes(plan.nodes);
  try {
    const blocks: BlockSpec[] = plan.blocks.map((b) => ({ name: b.name, start: built.starts[b.start] ?? 0, end: built.starts[b.end] ?? 0, removable: b.removable }));
    const positions = resolveExitPositions(exits, blocks.length, "tfjs");
    return new SequentialNet("tfjs", plan.inputShape, numClasses, built.layers, ctx, blocks, { positions, options: exitOptions });
  } catch (err) {
    for (const l of built.layers) for (const p of l.params) p.variable.dispose();
    throw err;
  }
}
