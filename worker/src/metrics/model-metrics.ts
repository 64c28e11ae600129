/**
 * Size and cost metrics of a (possibly masked, possibly shrunk) net: parameter counts,
 * sparsity, PQI, dense and effective MACs per layer and per exit prefix (docs/methods.md
 * §0.2-0.3, §4.5). MACs are multiply-accumulates per example, not 2·MACs.
 *
 * - Dense MACs count every weight of the current (physically shrunk) structure: in·out for a
 *   dense layer, H_out·W_out·kh·kw·C_in·C_out for a conv; pooling and BatchNorm count 0.
 * - Effective MACs count only non-zero kernel weights: Σ nz(W)·outputPositions(W), so an
 *   unstructured mask lowers them while the dense count stays.
 * - Exit prefix cost C_k = backbone layers up to exit k + every exit head j ≤ k; the final
 *   exit's C_K is the whole net (backbone plus all exit heads).
 */
import type { Layer } from "../models/layers.js";
import type { Net } from "../models/net.js";
import { pqIndex } from "./pqi.js";

/** Dense and effective cost of one backbone layer or exit head. */
export interface LayerCostDetail {
  readonly layer: string;
  readonly kind: string;
  /** `backbone` or the exit head's name. */
  readonly segment: string;
  readonly denseMacs: number;
  readonly effectiveMacs: number;
}

/** Cost of evaluating the net up to (and including) one exit. */
export interface ExitCost {
  /** Exit name (`exit1`, …, `final`). */
  readonly exit: string;
  /** Blocks before the exit (the final exit: all blocks). */
  readonly position: number;
  /** Dense C_k. */
  readonly denseMacs: number;
  /** Effective (non-zero) C_k. */
  readonly effectiveMacs: number;
}

/** Size and cost of a net, as reported in trial metrics. */
export interface ModelMetrics {
  /** Trainable parameter values (kernels, biases, ...). */
  readonly params: number;
  /** Non-zero trainable parameter values. */
  readonly nonzeroParams: number;
  /** Values of the prunable tensors (kernels). */
  readonly prunableParams: number;
  readonly prunableNonzero: number;
  /** Fraction of prunable values that are exactly zero. */
  readonly sparsity: number;
  /** Dense MACs per example of the whole net (backbone and every exit head). */
  readonly denseMacs: number;
  /** Non-zero kernel weights × their output positions, plus MACs of layers without prunable kernels. */
  readonly effectiveMacs: number;
  /** Sparsity per prunable tensor, keyed by parameter name. */
  readonly layerSparsity: Readonly<Record<string, number>>;
  /** PQ Index I_{0.5,1} per prunable tensor over its non-zero entries (metrics/pqi.ts). */
  readonly layerPqi: Readonly<Record<string, number>>;
  /** PQ Index I_{0.5,1} over all non-zero prunable weights together. */
  readonly pqi: number;
  /** Per backbone layer and exit head. */
  readonly layerCosts: readonly LayerCostDetail[];
  /** C_k per exit, final last (one entry without early exits). */
  readonly exitCosts: readonly ExitCost[];
}

/** Counts the non-zero entries of an array. */
function countNonzero(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) n++;
  return n;
}

/** Effective MACs of a layer: Σ nz·outputPositions over its kernels, else its dense MACs. */
function effectiveLayerMacs(layer: Pick<Layer, "params" | "macs">, nonzero: ReadonlyMap<string, number>): number {
  const kernels = layer.params.filter((p) => p.prunable);
  if (kernels.length === 0) return layer.macs;
  return kernels.reduce((a, k) => a + (nonzero.get(k.name) ?? k.size) * k.outputPositions, 0);
}

/**
 * The `sparsity` of {@link measureModel} alone (the fraction of zeros over the trainable
 * prunable parameters), without its per-layer PQ Indices and costs: fine-tuning reports it
 * every call.
 */
export async function measureSparsity(net: Net): Promise<number> {
  let prunableParams = 0;
  let prunableNonzero = 0;
  for (const p of net.params()) {
    if (!p.trainable || !p.prunable) continue;
    prunableParams += p.size;
    prunableNonzero += countNonzero((await p.variable.data()) as Float32Array);
  }
  return prunableParams === 0 ? 0 : 1 - prunableNonzero / prunableParams;
}

/** Measures `net` by reading its weights (zeros = pruned). */
export async function measureModel(net: Net): Promise<ModelMetrics> {
  let params = 0;
  let nonzeroParams = 0;
  let prunableParams = 0;
  let prunableNonzero = 0;
  const layerSparsity: Record<string, number> = {};
  const layerPqi: Record<string, number> = {};
  const nonzeroByParam = new Map<string, number>();
  const prunableValues: Float32Array[] = [];
  for (const p of net.params()) {
    if (!p.trainable) continue;
    const values = (await p.variable.data()) as Float32Array;
    const nz = countNonzero(values);
    params += p.size;
    nonzeroParams += nz;
    nonzeroByParam.set(p.name, nz);
    if (p.prunable) {
      prunableParams += p.size;
      prunableNonzero += nz;
      layerSparsity[p.name] = p.size === 0 ? 0 : 1 - nz / p.size;
      layerPqi[p.name] = pqIndex(values, 0.5, 1, values);
      prunableValues.push(values);
    }
  }
  const { layerCosts, exitCosts } = costBreakdown(net, nonzeroByParam);
  const all = concat(prunableValues);
  const final = exitCosts[exitCosts.length - 1];
  return {
    params,
    nonzeroParams,
    prunableParams,
    prunableNonzero,
    sparsity: prunableParams === 0 ? 0 : 1 - prunableNonzero / prunableParams,
    denseMacs: net.denseMacs(),
    effectiveMacs: final?.effectiveMacs ?? 0,
    layerSparsity,
    layerPqi,
    pqi: pqIndex(all, 0.5, 1, all),
    layerCosts,
    exitCosts,
  };
}

/**
 * Per-layer costs and exit prefix sums C_k. `nonzero` maps parameter names to their non-zero
 * counts (missing: dense).
 */
export function costBreakdown(net: Net, nonzero: ReadonlyMap<string, number> = new Map()): { layerCosts: LayerCostDetail[]; exitCosts: ExitCost[] } {
  const layerCosts: LayerCostDetail[] = net.layers.map((l) => ({ layer: l.name, kind: l.kind, segment: "backbone", denseMacs: l.macs, effectiveMacs: effectiveLayerMacs(l, nonzero) }));
  const heads = net.exits.map((e) => ({ layer: e.name, kind: "exit", segment: e.name, denseMacs: e.macs, effectiveMacs: effectiveLayerMacs(e, nonzero) }));
  const exitCosts: ExitCost[] = [];
  let headsDense = 0;
  let headsEff = 0;
  net.exits.forEach((e, k) => {
    headsDense += heads[k]?.denseMacs ?? 0;
    headsEff += heads[k]?.effectiveMacs ?? 0;
    const before = layerCosts.slice(0, e.afterLayer + 1);
    exitCosts.push({
      exit: e.name,
      position: e.position,
      denseMacs: before.reduce((a, c) => a + c.denseMacs, 0) + headsDense,
      effectiveMacs: before.reduce((a, c) => a + c.effectiveMacs, 0) + headsEff,
    });
  });
  exitCosts.push({
    exit: "final",
    position: net.blocks.length,
    denseMacs: layerCosts.reduce((a, c) => a + c.denseMacs, 0) + headsDense,
    effectiveMacs: layerCosts.reduce((a, c) => a + c.effectiveMacs, 0) + headsEff,
  });
  return { layerCosts: [...layerCosts.filter((c) => c.denseMacs > 0), ...heads], exitCosts };
}

function concat(arrays: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((a, v) => a + v.length, 0));
  let off = 0;
  for (const a of arrays) {
    out.set(a, off);
    off += a.length;
  }
  return out;
}
