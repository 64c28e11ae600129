/**
 * Scope units of unstructured pruning and "prune the c smallest un-pruned entries of a unit"
 * (docs/methods.md §1.6), over plain arrays: one `Float32Array` of scores (usually |w|)
 * and one `Uint8Array` keep-mask (1 = un-pruned) per prunable tensor.
 *
 * | scope    | one unit is                                                                   |
 * |----------|-------------------------------------------------------------------------------|
 * | `global` | every prunable tensor together                                                |
 * | `layer`  | one prunable tensor                                                           |
 * | `neuron` | one output unit of a tensor: TF.js kernels are `[in, out]` / `[kh, kw, in, out]`, |
 * |          | so a unit is every entry with the same index on the **last** axis             |
 */

/** Scope of a pruning decision. */
export type PruneScope = "global" | "layer" | "neuron";

/** A strided run of entries of one tensor: `start, start + stride, ...` (`count` entries). */
interface UnitPart {
  readonly tensor: number;
  readonly start: number;
  readonly stride: number;
  readonly count: number;
}

/** One scope unit: the entries of its parts, in order. */
export type ScopeUnit = readonly UnitPart[];

/** The scope units of tensors with the given shapes. */
export function scopeUnits(shapes: readonly (readonly number[])[], scope: PruneScope): ScopeUnit[] {
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  switch (scope) {
    case "global":
      return [sizes.map((count, tensor) => ({ tensor, start: 0, stride: 1, count }))];
    case "layer":
      return sizes.map((count, tensor) => [{ tensor, start: 0, stride: 1, count }]);
    case "neuron": {
      const units: ScopeUnit[] = [];
      shapes.forEach((shape, tensor) => {
        const out = shape[shape.length - 1] ?? 1;
        const size = sizes[tensor] ?? 0;
        if (out <= 0 || size === 0) return;
        for (let j = 0; j < out; j++) units.push([{ tensor, start: j, stride: out, count: size / out }]);
      });
      return units;
    }
  }
}

/** Calls `fn(tensor, index)` for every entry of `unit`, in order. */
function forEachEntry(unit: ScopeUnit, fn: (tensor: number, index: number) => void): void {
  for (const part of unit) for (let k = 0, i = part.start; k < part.count; k++, i += part.stride) fn(part.tensor, i);
}

/** The scores of the un-pruned entries of `unit`, in entry order (their count is d). */
export function gatherKept(unit: ScopeUnit, scores: readonly Float32Array[], keep: readonly Uint8Array[]): Float32Array {
  let d = 0;
  forEachEntry(unit, (t, i) => {
    if (keep[t]?.[i]) d++;
  });
  const out = new Float32Array(d);
  let k = 0;
  forEachEntry(unit, (t, i) => {
    if (keep[t]?.[i]) out[k++] = scores[t]?.[i] ?? 0;
  });
  return out;
}

/**
 * Prunes (clears `keep` of) exactly `c` un-pruned entries of `unit` with the smallest scores;
 * ties at the threshold go by entry order. Returns how many were pruned (min(c, d)).
 */
export function pruneSmallestKept(unit: ScopeUnit, scores: readonly Float32Array[], keep: readonly Uint8Array[], c: number): number {
  if (c <= 0) return 0;
  const kept = gatherKept(unit, scores, keep);
  if (kept.length === 0) return 0;
  const n = Math.min(c, kept.length);
  const sorted = Float32Array.from(kept).sort();
  const threshold = sorted[n - 1] ?? 0;
  let below = 0;
  for (const v of kept) if (v < threshold) below++;
  let ties = n - below;
  forEachEntry(unit, (t, i) => {
    const kt = keep[t];
    if (!kt || !kt[i]) return;
    const v = scores[t]?.[i] ?? 0;
    if (v < threshold) kt[i] = 0;
    else if (v === threshold && ties > 0) {
      kt[i] = 0;
      ties--;
    }
  });
  return n;
}

/** What {@link pruneByUnits} did. */
export interface UnitPruneStats {
  /** Entries pruned over all units. */
  readonly pruned: number;
  /** Un-pruned entries before pruning, over all units (Σ d). */
  readonly before: number;
  readonly units: number;
}

/**
 * For every scope unit, asks `countFor` how many of its un-pruned entries to prune (given their
 * scores) and prunes that many of the smallest.
 */
export function pruneByUnits(
  units: readonly ScopeUnit[],
  scores: readonly Float32Array[],
  keep: readonly Uint8Array[],
  countFor: (keptScores: Float32Array, unit: number) => number,
): UnitPruneStats {
  let pruned = 0;
  let before = 0;
  units.forEach((unit, u) => {
    const kept = gatherKept(unit, scores, keep);
    before += kept.length;
    const c = Math.max(0, Math.floor(countFor(kept, u)));
    if (c > 0) pruned += pruneSmallestKept(unit, scores, keep, c);
  });
  return { pruned, before, units: units.length };
}

/** Number of un-pruned entries over all keep-masks. */
export function countKept(keep: readonly Uint8Array[]): number {
  let n = 0;
  for (const k of keep) for (let i = 0; i < k.length; i++) if (k[i]) n++;
  return n;
}

/** |values| per tensor. */
export function absValues(values: readonly Float32Array[]): Float32Array[] {
  return values.map((v) => {
    const a = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = Math.abs(v[i] ?? 0);
    return a;
  });
}

/** The un-pruned values of all tensors, concatenated (tensor order, then index order). */
export function keptValues(values: readonly Float32Array[], keep: readonly Uint8Array[]): Float32Array {
  const unit = scopeUnits(
    values.map((v) => [v.length]),
    "global",
  )[0];
  return unit ? gatherKept(unit, values, keep) : new Float32Array(0);
}
