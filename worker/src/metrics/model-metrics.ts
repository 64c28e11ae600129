/**
 * Size and cost metrics of a (possibly masked) net: parameter counts, sparsity, dense and
 * effective MACs (methods.md §0.2-0.3). MACs are multiply-accumulates per example, not 2·MACs.
 */
import type { Net } from "../models/net.js";

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
  /** Dense MACs per example (sum of in·out over dense layers, conv formula for conv layers). */
  readonly denseMacs: number;
  /** Non-zero kernel weights × their output positions, plus MACs of layers without prunable kernels. */
  readonly effectiveMacs: number;
  /** Sparsity per prunable tensor, keyed by parameter name. */
  readonly layerSparsity: Readonly<Record<string, number>>;
}

/** Counts the non-zero entries of an array. */
export function countNonzero(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) n++;
  return n;
}

/** Measures `net` by reading its weights (zeros = pruned). */
export async function measureModel(net: Net): Promise<ModelMetrics> {
  let params = 0;
  let nonzeroParams = 0;
  let prunableParams = 0;
  let prunableNonzero = 0;
  const layerSparsity: Record<string, number> = {};
  const nonzeroByParam = new Map<string, number>();
  for (const p of net.params()) {
    if (!p.trainable) continue;
    const nz = countNonzero((await p.variable.data()) as Float32Array);
    params += p.size;
    nonzeroParams += nz;
    nonzeroByParam.set(p.name, nz);
    if (p.prunable) {
      prunableParams += p.size;
      prunableNonzero += nz;
      layerSparsity[p.name] = p.size === 0 ? 0 : 1 - nz / p.size;
    }
  }
  let effectiveMacs = 0;
  for (const layer of net.layers) {
    const kernels = layer.params.filter((p) => p.prunable);
    if (kernels.length === 0) {
      effectiveMacs += layer.macs;
      continue;
    }
    for (const k of kernels) effectiveMacs += (nonzeroByParam.get(k.name) ?? k.size) * k.outputPositions;
  }
  return {
    params,
    nonzeroParams,
    prunableParams,
    prunableNonzero,
    sparsity: prunableParams === 0 ? 0 : 1 - prunableNonzero / prunableParams,
    denseMacs: net.denseMacs(),
    effectiveMacs,
    layerSparsity,
  };
}
