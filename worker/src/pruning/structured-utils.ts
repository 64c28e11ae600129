/** Helpers shared by the structured methods (layerprune, gates) and early-exit pruning. */
import type * as tf from "@tensorflow/tfjs";
import type { Net, UnitGroup } from "../models/net.js";
import type { NetParam } from "../models/layers.js";
import { maskFromValues, type Masks } from "../training/masks.js";

/** Size and cost before/after a structural edit, for details. */
export interface StructureSnapshot {
  readonly params: number;
  readonly denseMacs: number;
  readonly layers: number;
  readonly units: Readonly<Record<string, number>>;
}

/** Parameter count, dense MACs, non-identity layers and units per group. */
export function snapshotStructure(net: Net): StructureSnapshot {
  return {
    params: net.paramCount(),
    denseMacs: net.denseMacs(),
    layers: net.layers.filter((l) => l.kind !== "identity").length,
    units: Object.fromEntries(net.unitGroups().map((g) => [g.id, g.units])),
  };
}

/**
 * Tracks a group's surviving original unit indices so that later prunes (given on original
 * indices) map onto the current, already shrunk, layer.
 */
export class UnitTracker {
  private readonly alive = new Map<string, number[]>();

  constructor(groups: readonly UnitGroup[]) {
    for (const g of groups) this.alive.set(g.id, Array.from({ length: g.units }, (_, i) => i));
  }

  /** Keeps the original units `keep` of group `id` (a subset of the alive ones); returns how many were removed. */
  prune(net: Net, id: string, keep: ReadonlySet<number>): number {
    const alive = this.alive.get(id) ?? [];
    const positions = alive.flatMap((orig, pos) => (keep.has(orig) ? [pos] : []));
    if (positions.length === alive.length || positions.length === 0) return 0;
    net.pruneUnits(id, positions);
    this.alive.set(
      id,
      alive.filter((orig) => keep.has(orig)),
    );
    return alive.length - positions.length;
  }
}

/**
 * The units to keep when removing `fraction` of them: per group (`layer`) or by one global
 * ranking of per-group L2-normalised scores (`global`). Every group keeps at least one unit.
 */
export function unitsToKeep(scores: ReadonlyMap<string, Float64Array>, fraction: number, scope: "layer" | "global", normalise = true): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  const rank = (id: string, s: Float64Array): { id: string; unit: number; score: number }[] => {
    let norm = 0;
    for (const v of s) norm += v * v;
    norm = normalise && norm > 0 ? Math.sqrt(norm) : 1;
    return [...s].map((v, unit) => ({ id, unit, score: v / norm }));
  };
  if (scope === "layer") {
    for (const [id, s] of scores) {
      const order = rank(id, s).sort((a, b) => b.score - a.score || a.unit - b.unit);
      const keepN = Math.max(1, s.length - Math.floor(fraction * s.length));
      out.set(id, new Set(order.slice(0, keepN).map((u) => u.unit)));
    }
    return out;
  }
  const all = [...scores].flatMap(([id, s]) => rank(id, s)).sort((a, b) => a.score - b.score || a.unit - b.unit);
  const removeN = Math.floor(fraction * all.length);
  const remaining = new Map([...scores].map(([id, s]) => [id, s.length]));
  const removed = new Set<string>();
  for (const u of all) {
    if (removed.size >= removeN) break;
    if ((remaining.get(u.id) ?? 0) <= 1) continue;
    remaining.set(u.id, (remaining.get(u.id) ?? 0) - 1);
    removed.add(`${u.id}#${u.unit}`);
  }
  for (const [id, s] of scores) out.set(id, new Set([...s.keys()].filter((unit) => !removed.has(`${id}#${unit}`))));
  return out;
}

/**
 * Magnitude masks over a subset of parameters: the smallest round(sparsity·N) |w| are pruned,
 * over all of them (`global`) or per tensor (`layer`). Already-zero weights go first, so masks
 * only grow when the sparsity grows. The caller owns the masks.
 */
export async function subsetMagnitudeMasks(params: readonly NetParam[], sparsity: number, scope: "global" | "layer"): Promise<Masks> {
  const values = await Promise.all(params.map(async (p) => Float32Array.from((await p.variable.data()) as Float32Array, Math.abs)));
  const keep = values.map((a) => new Uint8Array(a.length).fill(1));
  const prune = (idx: readonly number[]): void => {
    const entries: { t: number; i: number; a: number }[] = [];
    for (const t of idx) (values[t] as Float32Array).forEach((a, i) => entries.push({ t, i, a }));
    entries.sort((x, y) => x.a - y.a || x.t - y.t || x.i - y.i);
    const k = Math.round(sparsity * entries.length);
    for (const e of entries.slice(0, k)) (keep[e.t] as Uint8Array)[e.i] = 0;
  };
  if (scope === "global") prune(params.map((_, t) => t));
  else params.forEach((_, t) => prune([t]));
  const masks = new Map<string, tf.Tensor>();
  params.forEach((p, t) => masks.set(p.name, maskFromValues(keep[t] as Uint8Array, p.shape)));
  return masks;
}
