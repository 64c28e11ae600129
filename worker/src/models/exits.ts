/**
 * Early exits (methods.md §4): a linear classifier on globally average-pooled features,
 * attached after a block of the backbone.
 *
 * Positions (`task.exits`): position p means "after the first p blocks" (p = 0: after the
 * stem); valid positions are 0 … B−1 for a net of B blocks (after block B sits the final
 * classifier). `{every: k}` means positions k, 2k, … < B. What a block is depends on the
 * model (see each builder: a hidden layer of an MLP, a residual block, a conv+pool stage).
 *
 * Exit options live in `modelOptions` (shared by every model):
 * - `exitLossWeights`: `uniform` (w_k = 1, the default) | `increasing` (w_k = k/K) | a list of
 *   K weights (exits in order, final last). Joint loss L = Σ_k w_k · CE_k.
 * - `exitRule`: how the trial picks its operating point on the τ curve:
 *   `{criterion: max-softmax | entropy, maxAccuracyDrop: 0.01}` (default: the cheapest τ,
 *   by expected MACs on the validation split, whose accuracy is within `maxAccuracyDrop` of
 *   the final exit's) or `{tau: 0.9}` (a fixed threshold). `max-softmax` exits when
 *   max_c p_c ≥ τ; `entropy` exits when the normalised entropy H(p)/ln(C) ≤ τ.
 * - `tauGrid`: the τ values of the curve (defaults below).
 */
import * as z from "zod";
import { InvalidTaskError } from "../errors.js";
import { GlobalAvgPoolLayer } from "./conv-layers.js";
import { DenseLayer } from "./dense-layer.js";
import type { ForwardOptions, Layer, LayerBuildContext, NetParam } from "./layers.js";
import type * as tf from "@tensorflow/tfjs";

/** Exit criterion. */
export type ExitCriterion = "max-softmax" | "entropy";

/** Default τ grid for max-softmax (methods.md §4.8). */
const DEFAULT_TAU_GRID_MAX_SOFTMAX: readonly number[] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0];
/** Default τ grid for normalised entropy (exit when H/ln C ≤ τ). */
const DEFAULT_TAU_GRID_ENTROPY: readonly number[] = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5];
/** Default tolerated accuracy drop of the operating point. */
const DEFAULT_MAX_ACCURACY_DROP = 0.01;

/** The rule that picks the operating point. */
export interface ExitRule {
  readonly criterion: ExitCriterion;
  /** Fixed threshold; when set, `maxAccuracyDrop` is ignored. */
  readonly tau?: number;
  readonly maxAccuracyDrop: number;
}

/** `modelOptions` keys shared by every model (merged into each builder's schema). */
export const exitOptionsShape = {
  /** @default "uniform" */
  exitLossWeights: z.union([z.enum(["uniform", "increasing"]), z.array(z.number().min(0)).min(1).max(64)]).default("uniform"),
  /** @default {criterion: "max-softmax", maxAccuracyDrop: 0.01} */
  exitRule: z
    .strictObject({
      criterion: z.enum(["max-softmax", "entropy"]).default("max-softmax"),
      tau: z.number().min(0).max(1).optional(),
      maxAccuracyDrop: z.number().min(0).max(1).default(DEFAULT_MAX_ACCURACY_DROP),
    })
    .prefault({}),
  /** @default DEFAULT_TAU_GRID_* of the criterion */
  tauGrid: z.array(z.number().min(0).max(1)).min(1).max(64).optional(),
};

/** Parsed exit options. */
export interface ExitOptions {
  readonly exitLossWeights: "uniform" | "increasing" | readonly number[];
  readonly exitRule: ExitRule;
  readonly tauGrid?: readonly number[];
}

/** `task.exits`. */
export interface ExitSpec {
  readonly positions: readonly number[];
  readonly every: number;
}

/** No exits. */
export const NO_EXITS: ExitSpec = { positions: [], every: 0 };

/**
 * The exit positions of a net with `blocks` blocks.
 * @throws InvalidTaskError for a position >= blocks
 */
export function resolveExitPositions(spec: ExitSpec | undefined, blocks: number, architecture: string): number[] {
  if (!spec) return [];
  const out = new Set<number>();
  for (const p of spec.positions) {
    if (!Number.isInteger(p) || p < 0 || p >= blocks) {
      throw new InvalidTaskError(`exits: position ${p} is out of range for "${architecture}" with ${blocks} blocks (valid: 0 … ${blocks - 1})`);
    }
    out.add(p);
  }
  if (spec.every > 0) for (let p = spec.every; p < blocks; p += spec.every) out.add(p);
  return [...out].sort((a, b) => a - b);
}

/**
 * Per-exit loss weights, final exit last.
 * @throws InvalidTaskError when an explicit list has the wrong length
 */
export function resolveExitLossWeights(w: ExitOptions["exitLossWeights"], exits: number): number[] {
  if (w === "uniform") return Array.from({ length: exits }, () => 1);
  if (w === "increasing") return Array.from({ length: exits }, (_, i) => (i + 1) / exits);
  if (w.length !== exits) throw new InvalidTaskError(`modelOptions.exitLossWeights: expected ${exits} weights (exits + final), got ${w.length}`);
  return [...w];
}

/** The τ grid of the exit options (sorted ascending). */
export function tauGridOf(opts: ExitOptions): number[] {
  const grid = opts.tauGrid ?? (opts.exitRule.criterion === "entropy" ? DEFAULT_TAU_GRID_ENTROPY : DEFAULT_TAU_GRID_MAX_SOFTMAX);
  return [...new Set(grid)].sort((a, b) => a - b);
}

/** A linear exit head: `dense(GAP(h))` (no pooling for flat features). */
export class ExitHead {
  private pool: GlobalAvgPoolLayer | undefined;
  dense: DenseLayer;

  /**
   * @param position blocks before the exit (0 = after the stem)
   * @param afterLayer index of the backbone layer whose output the head reads
   */
  constructor(
    private readonly ctx: LayerBuildContext,
    readonly name: string,
    readonly position: number,
    readonly afterLayer: number,
    featureShape: readonly number[],
    readonly numClasses: number,
  ) {
    if (featureShape.length === 3) this.pool = new GlobalAvgPoolLayer(`${name}/pool`, featureShape);
    const flat = this.pool ? this.pool.outputShape : featureShape;
    this.dense = new DenseLayer(ctx, name, flat, numClasses, "linear");
  }

  /** The head's layers in order. */
  get layers(): readonly Layer[] {
    return this.pool ? [this.pool, this.dense] : [this.dense];
  }

  get params(): readonly NetParam[] {
    return this.dense.params;
  }

  get macs(): number {
    return this.dense.macs;
  }

  apply(h: tf.Tensor, opts: ForwardOptions): tf.Tensor2D {
    const f = this.pool ? this.pool.apply(h) : h;
    return this.dense.apply(f, opts) as tf.Tensor2D;
  }

  /** Follows a reduction of the features' units. */
  pruneInputs(keep: readonly number[]): void {
    this.dense.pruneInputs(this.pool ? this.pool.pruneInputs(keep) : keep);
  }

  /** Re-initialises the head with a fresh seed (ordered early-exit pruning attaches new exits). */
  reinit(seed: number): void {
    const inShape = this.dense.inputShape;
    this.dense.kernel.variable.dispose();
    this.dense.bias.variable.dispose();
    this.dense = new DenseLayer({ uid: this.ctx.uid, seed }, this.name, inShape, this.numClasses, "linear");
  }
}
