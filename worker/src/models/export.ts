/**
 * A trained (pruned) {@link Net} as a TF.js Layers model that plain `tf.loadLayersModel` loads:
 * the net's layers rebuilt as tfjs layers (functional model) with its current weights, the
 * final classifier and every early exit as outputs (exits first, final last, each with a
 * softmax). Structured edits made the net physically smaller, so the file is; unstructured
 * pruning leaves its zeros in place, and the sparsity goes into the model's
 * `userDefinedMetadata.prunesweep` together with whatever the caller adds.
 *
 * Exportable: every layer of the imported models and of the built-in MLPs and CNNs, except the
 * parameter-free "option A" shortcut of ResNets (zero-padded channels) and layers interpolated
 * with their input by a surviving layer gate; those raise a {@link ModelExportError}.
 */
import * as tf from "@tensorflow/tfjs";
import type { BlobFile } from "@prunesweep/proto";
import { ConvLayer, GlobalAvgPoolLayer, PoolLayer } from "./conv-layers.js";
import { DenseLayer } from "./dense-layer.js";
import { ActivationLayer, BatchNormLayer, DepthwiseConvLayer, DropoutLayer, ReshapeLayer, ResidualLayer } from "./imported-layers.js";
import { FlattenLayer, IdentityLayer, type Layer } from "./layers.js";
import type { Net } from "./net.js";
import { BasicBlock, ResMlpBlock } from "./residual-blocks.js";

/** The net has a layer the TF.js Layers format cannot express. */
export class ModelExportError extends Error {
  override readonly name = "ModelExportError";
}

/** Name of the weights shard an export writes. */
const SHARD = "group1-shard1of1.bin";

type Sym = tf.SymbolicTensor;

/** Keras layer names cannot hold "/" (weights are named `<layer>/<weight>`). */
const kerasName = (name: string): string => name.replace(/[^A-Za-z0-9_.-]/g, "_");

class Exporter {
  private readonly used = new Set<string>();
  private readonly weighted: { layer: tf.layers.Layer; values: tf.Tensor[] }[] = [];

  private name(base: string): string {
    let n = kerasName(base);
    for (let i = 2; this.used.has(n); i++) n = `${kerasName(base)}_${i}`;
    this.used.add(n);
    return n;
  }

  private apply(layer: tf.layers.Layer, x: Sym | Sym[], values: tf.Tensor[] = []): Sym {
    const y = layer.apply(x) as Sym;
    if (values.length > 0) this.weighted.push({ layer, values });
    return y;
  }

  private activation(x: Sym, fn: string, base: string, alpha = 0): Sym {
    if (fn === "linear") return x;
    if (fn === "leaky_relu") return this.apply(tf.layers.leakyReLU({ alpha, name: this.name(base) }), x);
    const act = fn === "silu" ? "swish" : fn;
    return this.apply(tf.layers.activation({ activation: act as "relu", name: this.name(base) }), x);
  }

  dense(l: DenseLayer, x: Sym, final: boolean): Sym {
    if (l.layerGate) throw new ModelExportError(`layer "${l.name}" keeps a layer gate (y = g·f(x) + (1−g)·x), which the TF.js Layers format cannot express`);
    const units = l.units;
    const act = final ? "softmax" : l.activation;
    return this.apply(tf.layers.dense({ units, activation: act, name: this.name(l.name) }), x, [l.kernel.variable, l.bias.variable]);
  }

  conv(l: ConvLayer, x: Sym): Sym {
    const c = tf.layers.conv2d({ filters: l.filters, kernelSize: l.kernelSize, strides: l.stride, padding: l.padding, useBias: !l.bn, name: this.name(l.name) });
    let y = this.apply(c, x, l.bn ? [l.kernel.variable] : [l.kernel.variable, (l.bias as NonNullable<typeof l.bias>).variable]);
    if (l.bn) {
      const bn = l.bn;
      y = this.apply(tf.layers.batchNormalization({ epsilon: l.bnEpsilon, name: this.name(`${l.name}_bn`) }), y, [bn.gamma.variable, bn.beta.variable, bn.mean.variable, bn.variance.variable]);
    }
    return this.activation(y, l.activation, `${l.name}_act`);
  }

  layer(l: Layer, x: Sym): Sym {
    if (l instanceof IdentityLayer) return x;
    if (l instanceof DenseLayer) return this.dense(l, x, false);
    if (l instanceof ConvLayer) return this.conv(l, x);
    if (l instanceof FlattenLayer) return x.shape.length === 2 ? x : this.apply(tf.layers.flatten({ name: this.name(l.name) }), x);
    if (l instanceof PoolLayer) {
      const o = { poolSize: l.pool, strides: l.stride, padding: l.padding, name: this.name(l.name) };
      return this.apply(l.kind === "max-pool" ? tf.layers.maxPooling2d(o) : tf.layers.averagePooling2d(o), x);
    }
    if (l instanceof GlobalAvgPoolLayer) return x.shape.length === 2 ? x : this.apply(tf.layers.globalAveragePooling2d({ name: this.name(l.name) }), x);
    if (l instanceof ActivationLayer) return this.activation(x, l.fn, l.name, l.alpha);
    if (l instanceof DropoutLayer) return this.apply(tf.layers.dropout({ rate: l.rate, name: this.name(l.name) }), x);
    if (l instanceof BatchNormLayer) {
      return this.apply(tf.layers.batchNormalization({ epsilon: l.epsilon, name: this.name(l.name) }), x, [l.gamma.variable, l.beta.variable, l.mean.variable, l.variance.variable]);
    }
    if (l instanceof ReshapeLayer) return this.apply(tf.layers.reshape({ targetShape: [...l.outputShape], name: this.name(l.name) }), x);
    if (l instanceof DepthwiseConvLayer) {
      const d = tf.layers.depthwiseConv2d({ kernelSize: l.opts.kernelSize, depthMultiplier: l.opts.multiplier, strides: l.opts.stride, padding: l.opts.padding, useBias: l.bias !== undefined, name: this.name(l.name) });
      const y = this.apply(d, x, l.bias ? [l.kernel.variable, l.bias.variable] : [l.kernel.variable]);
      return this.activation(y, l.opts.activation, `${l.name}_act`);
    }
    if (l instanceof ResidualLayer) return this.residual(l.name, x, l.main, l.shortcut, l.post, l.blockGate !== undefined);
    if (l instanceof ResMlpBlock) return this.residual(l.name, x, [l.fc1, l.fc2], [], l.activation, l.blockGate !== undefined);
    if (l instanceof BasicBlock) {
      if (!l.shapePreserving && !l.projection) {
        throw new ModelExportError(`block "${l.name}" has a parameter-free zero-padding shortcut (shortcut: A), which the TF.js Layers format cannot express; use shortcut: B`);
      }
      return this.residual(l.name, x, [l.conv1, l.conv2], l.projection ? [l.projection] : [], "relu", l.blockGate !== undefined);
    }
    throw new ModelExportError(`layer "${l.name}" (${l.kind}) cannot be exported`);
  }

  private residual(name: string, x: Sym, main: readonly Layer[], shortcut: readonly Layer[], post: string, gated: boolean): Sym {
    if (gated) throw new ModelExportError(`block "${name}" still carries its block gate; fold it first`);
    let r = x;
    for (const l of main) r = this.layer(l, r);
    let s = x;
    for (const l of shortcut) s = this.layer(l, s);
    const sum = this.apply(tf.layers.add({ name: this.name(name) }), [s, r]);
    return this.activation(sum, post, `${name}_out`);
  }

  /** Copies every layer's weights in (after the model is built). */
  setWeights(): void {
    for (const { layer, values } of this.weighted) layer.setWeights(values);
  }
}

/** What an export produced. */
export interface ExportedModel {
  /** `model.json` and its shard. */
  readonly files: readonly BlobFile[];
  readonly bytes: number;
  /** Trainable parameter values in the file (what the trial reports as `params`). */
  readonly params: number;
}

/**
 * Writes `net` (as it is now: masks applied, gates folded) as a TF.js Layers model.
 * @param metadata stored under `userDefinedMetadata.prunesweep` in model.json
 * @throws ModelExportError for a layer the format cannot express
 */
export async function exportNet(net: Net, metadata: Readonly<Record<string, unknown>>): Promise<ExportedModel> {
  const ex = new Exporter();
  const input = tf.input({ shape: [...net.inputShape], name: "input" });
  const outputs: Sym[] = [];
  const exits = [...net.exits];
  const emit = (i: number, h: Sym): void => {
    for (const head of exits.filter((e) => e.afterLayer === i)) {
      let f = h;
      for (const l of head.layers.slice(0, -1)) f = ex.layer(l, f);
      outputs.push(ex.dense(head.dense, f, true));
    }
  };
  let h: Sym = input;
  emit(-1, h);
  const last = net.layers.length - 1;
  net.layers.forEach((layer, i) => {
    if (i === last) {
      if (!(layer instanceof DenseLayer)) throw new ModelExportError(`the classifier "${layer.name}" must be a dense layer`);
      h = ex.dense(layer, h, true);
    } else {
      h = ex.layer(layer, h);
      emit(i, h);
    }
  });
  outputs.push(h);
  const model = tf.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0] as Sym : outputs, name: kerasName(net.architecture) });
  try {
    ex.setWeights();
    // Plain JSON only (tfjs refuses undefined values).
    model.setUserDefinedMetadata(JSON.parse(JSON.stringify({ prunesweep: { outputs: net.exitNames, ...metadata } })) as object);
    let files: BlobFile[] = [];
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        const weights = new Uint8Array(a.weightData as ArrayBuffer);
        const json = {
          format: "layers-model",
          generatedBy: `prunesweep (TensorFlow.js ${tf.version.tfjs})`,
          convertedBy: null,
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: [SHARD], weights: a.weightSpecs }],
          userDefinedMetadata: a.userDefinedMetadata,
        };
        files = [
          { name: "model.json", bytes: new TextEncoder().encode(JSON.stringify(json)) },
          { name: SHARD, bytes: weights },
        ];
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    const params = model.trainableWeights.reduce((a, w) => a + w.shape.reduce((n: number, d) => n * (d ?? 1), 1), 0);
    return { files, bytes: files.reduce((a, f) => a + f.bytes.byteLength, 0), params };
  } finally {
    model.dispose();
  }
}
