/**
 * The `Net` abstraction every model, trainer, pruning method and metric works with.
 *
 * A net is a chain of layers; consecutive layers are grouped into **blocks** (the unit of
 * depth: what early exits are placed after and what LayerPrune removes) and it may carry
 * **early exits** (linear heads after some blocks, see exits.ts). The final classifier is
 * the last layer; `forward` returns its logits, `forwardExits` every exit's logits.
 *
 * Ownership: a Net owns its variables; `dispose()` frees them. Masks and optimizers belong to
 * whoever created them. `forward*` are synchronous and must run inside `tf.tidy` or a gradient
 * function. Structural edits (`removeBlock`, `pruneUnits`, gates) replace variables: masks
 * and optimizer slots of the affected parameters are stale afterwards.
 */
import * as tf from "@tensorflow/tfjs";
import { WeightsMismatchError } from "../errors.js";
import { ExitHead, resolveExitLossWeights, type ExitOptions } from "./exits.js";
import { IdentityLayer, type ForwardOptions, type Layer, type LayerBuildContext, type NetParam, type UnitInfo } from "./layers.js";
import type { SerializedWeights } from "./serialized-weights.js";

/** Dense cost of one layer or exit head. */
export interface LayerCost {
  readonly layer: string;
  readonly kind: string;
  /** Dense multiply-accumulates per example. */
  readonly macs: number;
}

/** A block: layers `[start, end)` of the net. */
export interface NetBlock {
  readonly name: string;
  /** 1-based position: an exit at position p sits after block p. */
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** `residual` for a residual block, else `layer` (a plain layer or stage). */
  readonly kind: "layer" | "residual";
  /** Whether the architecture allows removing it (it must also keep its shape, see {@link Net.removableBlocks}). */
  readonly removable: boolean;
  readonly removed: boolean;
}

/** A group of units (neurons/filters) that can be physically removed. */
export interface UnitGroup extends UnitInfo {
  /** Index of the (top-level) layer that owns the producer. */
  readonly layerIndex: number;
  /** True when the producer sits inside a composite block. */
  readonly inner: boolean;
}

/** A trainable classifier with named, maskable parameters. */
export interface Net {
  /** Registry name of the architecture, e.g. `lenet-300-100`. */
  readonly architecture: string;
  /** Shape of one input example. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** Backbone layers in execution order (the final classifier last; exit heads not included). */
  readonly layers: readonly Layer[];
  readonly blocks: readonly NetBlock[];
  /** Early exits in order (empty without exits). */
  readonly exits: readonly ExitHead[];
  /** Names of the exits in order; the final classifier is last (`["final"]` without early exits). */
  readonly exitNames: readonly string[];
  /** Joint-loss weight per exit, final last. */
  readonly exitLossWeights: readonly number[];
  /** Exit options from `modelOptions`. */
  readonly exitOptions: ExitOptions;
  /** All parameters, in layer order, exit heads last. */
  params(): readonly NetParam[];
  /** The parameter called `name`; throws RangeError when unknown. */
  param(name: string): NetParam;
  /** Parameters that weight pruning applies to (kernels, exit heads included). */
  prunableParams(): readonly NetParam[];
  /** The trainable variables, for `tf.variableGrads`. */
  trainableVariables(): tf.Variable[];
  /** Logits of the final classifier, `[batch, numClasses]` (exit heads are not evaluated). */
  forward(x: tf.Tensor, opts: ForwardOptions): tf.Tensor2D;
  /** Logits of every exit, in {@link exitNames} order (final last). */
  forwardExits(x: tf.Tensor, opts: ForwardOptions): tf.Tensor2D[];
  /** Outputs of the given backbone layers (index −1: the input), in the order asked. */
  forwardTaps(x: tf.Tensor, opts: ForwardOptions, layerIndices: readonly number[]): tf.Tensor[];
  /** Dense MACs per backbone layer, then per exit head (kind `exit`). */
  macsPerLayer(): readonly LayerCost[];
  /** Total dense MACs per example: backbone plus every exit head (= C_K, docs/methods.md §4.5). */
  denseMacs(): number;
  /** Number of trainable parameter values (kernels + biases + ...). */
  paramCount(): number;
  /** Copies the weights out as plain arrays. */
  getWeights(): Promise<SerializedWeights>;
  /** Makes the next synchronous parameter reads work on every backend (webgpu: host copies). */
  fetchToHost(): Promise<void>;
  /** Overwrites the weights; names and shapes must match exactly (WeightsMismatchError). */
  setWeights(w: SerializedWeights): void;
  /** Blocks that can be removed now: allowed by the architecture, not removed, shape-preserving. */
  removableBlocks(): readonly NetBlock[];
  /** Replaces a removable block by an identity. @throws RangeError when it is not removable */
  removeBlock(name: string): void;
  /** The unit groups that can be physically shrunk now. */
  unitGroups(): readonly UnitGroup[];
  /** Keeps only units `keep` of group `id` and adapts every consumer. @throws RangeError */
  pruneUnits(id: string, keep: readonly number[]): void;
  /** The units that score a block (LayerPrune): its first producer (a residual block's first layer). */
  blockUnits(block: NetBlock): UnitInfo | undefined;
  /** Re-initialises every early-exit head with `seed`. */
  reinitExits(seed: number): void;
  /** Call after editing layers directly (gates attached, folded): refreshes the parameter lists. */
  structureChanged(): void;
  /** Frees the variables. Idempotent. */
  dispose(): void;
}

let netCounter = 0;

/** A fresh unique prefix for a net's tfjs variable names. */
export function nextNetUid(architecture: string): string {
  netCounter += 1;
  return `${architecture}#${netCounter}`;
}

/** A block as the builder declares it. */
export interface BlockSpec {
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly removable: boolean;
}

/** The exit configuration handed to the net. */
export interface NetExitArgs {
  /** Resolved positions (blocks before each exit). */
  readonly positions: readonly number[];
  readonly options: ExitOptions;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The chain-of-layers net with blocks and early exits. */
export class SequentialNet implements Net {
  readonly layers: Layer[];
  readonly exits: ExitHead[];
  readonly exitLossWeights: readonly number[];
  readonly exitOptions: ExitOptions;
  private readonly blockList: { spec: BlockSpec; removed: boolean }[];
  private allParams: readonly NetParam[] = [];
  private byName: ReadonlyMap<string, NetParam> = new Map();
  private disposed = false;

  constructor(
    readonly architecture: string,
    readonly inputShape: readonly number[],
    readonly numClasses: number,
    layers: readonly Layer[],
    private readonly ctx: LayerBuildContext,
    blocks: readonly BlockSpec[],
    exits: NetExitArgs,
  ) {
    this.layers = [...layers];
    this.blockList = blocks.map((spec) => ({ spec, removed: false }));
    this.exitOptions = exits.options;
    const last = layers[layers.length - 1];
    if (!last || last.outputShape.length !== 1 || last.outputShape[0] !== numClasses) {
      throw new RangeError(`net "${architecture}" must end in ${numClasses} logits`);
    }
    // Validated before any exit head allocates variables.
    this.exitLossWeights = resolveExitLossWeights(exits.options.exitLossWeights, exits.positions.length + 1);
    this.exits = exits.positions.map((p, i) => {
      const afterLayer = p === 0 ? (blocks[0]?.start ?? 0) - 1 : (blocks[p - 1]?.end ?? 0) - 1;
      const shape = afterLayer < 0 ? inputShape : (this.layers[afterLayer]?.outputShape ?? inputShape);
      return new ExitHead(ctx, `exit${i + 1}`, p, afterLayer, shape, numClasses);
    });
    this.structureChanged();
  }

  get exitNames(): readonly string[] {
    return [...this.exits.map((e) => e.name), "final"];
  }

  get blocks(): readonly NetBlock[] {
    return this.blockList.map(({ spec, removed }, i) => ({
      ...spec,
      index: i + 1,
      removed,
      kind: this.layers[spec.start]?.kind.endsWith("-block") ? "residual" : "layer",
    }));
  }

  structureChanged(): void {
    this.allParams = [...this.layers.flatMap((l) => l.params), ...this.exits.flatMap((e) => e.params)];
    const byName = new Map<string, NetParam>();
    for (const p of this.allParams) {
      if (byName.has(p.name)) throw new RangeError(`net "${this.architecture}" has two parameters named "${p.name}"`);
      byName.set(p.name, p);
    }
    this.byName = byName;
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
    const outs: tf.Tensor2D[] = [];
    let e = 0;
    const emit = (i: number, h: tf.Tensor): void => {
      for (let head = this.exits[e]; head && head.afterLayer === i; head = this.exits[++e]) outs.push(head.apply(h, opts));
    };
    let h = x;
    emit(-1, h);
    this.layers.forEach((layer, i) => {
      h = layer.apply(h, opts);
      emit(i, h);
    });
    outs.push(h as tf.Tensor2D);
    return outs;
  }

  forwardTaps(x: tf.Tensor, opts: ForwardOptions, layerIndices: readonly number[]): tf.Tensor[] {
    const wanted = new Map<number, tf.Tensor>();
    const last = Math.max(-1, ...layerIndices);
    let h = x;
    if (layerIndices.includes(-1)) wanted.set(-1, h);
    for (let i = 0; i <= last; i++) {
      h = (this.layers[i] as Layer).apply(h, opts);
      if (layerIndices.includes(i)) wanted.set(i, h);
    }
    return layerIndices.map((i) => wanted.get(i) as tf.Tensor);
  }

  macsPerLayer(): readonly LayerCost[] {
    return [
      ...this.layers.filter((l) => l.macs > 0).map((l) => ({ layer: l.name, kind: l.kind, macs: l.macs })),
      ...this.exits.map((e) => ({ layer: e.name, kind: "exit", macs: e.macs })),
    ];
  }

  denseMacs(): number {
    return this.layers.reduce((a, l) => a + l.macs, 0) + this.exits.reduce((a, e) => a + e.macs, 0);
  }

  paramCount(): number {
    return this.allParams.filter((p) => p.trainable).reduce((a, p) => a + p.size, 0);
  }

  /**
   * Reads every parameter once asynchronously. Backends that cannot read synchronously
   * (webgpu in Node) keep the values on the host, so the synchronous reads of structural edits
   * and gate folding (`readParam`, `readGate`) work afterwards, until a parameter is replaced
   * and its replacement used on the device. Cheap elsewhere; call it before such edits.
   */
  async fetchToHost(): Promise<void> {
    await Promise.all(this.allParams.map((p) => p.variable.data()));
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
      if (!sameShape(t.shape, p.shape) || t.data.length !== p.size) {
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

  removableBlocks(): readonly NetBlock[] {
    return this.blocks.filter((b) => {
      if (!b.removable || b.removed) return false;
      const first = this.layers[b.start];
      const last = this.layers[b.end - 1];
      return first !== undefined && last !== undefined && sameShape(first.inputShape, last.outputShape);
    });
  }

  removeBlock(name: string): void {
    const i = this.blockList.findIndex((b) => b.spec.name === name);
    const block = this.blockList[i];
    if (!block || !this.removableBlocks().some((b) => b.name === name)) {
      throw new RangeError(`block "${name}" of "${this.architecture}" cannot be removed; removable: ${this.removableBlocks().map((b) => b.name).join(", ") || "none"}`);
    }
    const { start, end } = block.spec;
    const shape = (this.layers[start] as Layer).inputShape;
    for (let j = start; j < end; j++) {
      const old = this.layers[j] as Layer;
      for (const p of old.params) p.variable.dispose();
      this.layers[j] = new IdentityLayer(old.name, shape);
    }
    block.removed = true;
    this.structureChanged();
  }

  unitGroups(): readonly UnitGroup[] {
    const groups: UnitGroup[] = [];
    this.layers.forEach((layer, i) => {
      for (const u of layer.innerUnits?.() ?? []) groups.push({ ...u, layerIndex: i, inner: true });
      if (i === this.layers.length - 1 || !layer.pruneOutputs) return;
      const u = layer.producedUnits?.();
      if (u && this.consumersAbsorb(i)) groups.push({ ...u, layerIndex: i, inner: false });
    });
    return groups;
  }

  /** Whether a unit reduction at layer i's output is absorbed downstream (exits always absorb). */
  private consumersAbsorb(i: number): boolean {
    for (let j = i + 1; j < this.layers.length; j++) {
      const flow = this.layers[j]?.inputUnitFlow;
      if (flow === undefined) return false;
      if (flow === "absorb") return true;
    }
    return false;
  }

  pruneUnits(id: string, keep: readonly number[]): void {
    const g = this.unitGroups().find((u) => u.id === id);
    if (!g) throw new RangeError(`"${this.architecture}" has no prunable unit group "${id}"`);
    if (keep.length === 0 || keep.some((k, j) => !Number.isInteger(k) || k < 0 || k >= g.units || (j > 0 && k <= (keep[j - 1] ?? -1)))) {
      throw new RangeError(`unit group "${id}": keep must be a non-empty ascending list of units < ${g.units}`);
    }
    const layer = this.layers[g.layerIndex] as Layer;
    if (g.inner) {
      layer.pruneInner?.(id, keep);
    } else {
      layer.pruneOutputs?.(keep);
      let cur: readonly number[] | undefined = keep;
      for (const e of this.exits) if (e.afterLayer === g.layerIndex) e.pruneInputs(keep);
      for (let j = g.layerIndex + 1; j < this.layers.length && cur; j++) {
        cur = this.layers[j]?.pruneInputs?.(cur);
        if (cur) for (const e of this.exits) if (e.afterLayer === j) e.pruneInputs(cur);
      }
    }
    this.structureChanged();
  }

  blockUnits(block: NetBlock): UnitInfo | undefined {
    if (block.removed) return undefined;
    for (let j = block.start; j < block.end; j++) {
      const l = this.layers[j] as Layer;
      const inner = l.innerUnits?.()[0];
      if (inner) return inner;
      const own = l.producedUnits?.();
      if (own) return own;
    }
    return undefined;
  }

  reinitExits(seed: number): void {
    for (const e of this.exits) e.reinit(seed);
    this.structureChanged();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.allParams) p.variable.dispose();
  }
}
