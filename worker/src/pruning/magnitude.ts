/**
 * Unstructured magnitude pruning: zero the prunable weights (kernels, not biases) with the
 * smallest |w|, then fine-tune with the masks enforced.
 *
 * - `scope: "global"`: one threshold over all prunable kernels (layers end up with different
 *   sparsities); `"layer"`: every kernel pruned to the target on its own.
 * - `mode: "one-shot"`: prune once to `sparsity`, fine-tune `finetune.epochs`.
 * - `mode: "iterative"`: `rounds` prune/fine-tune rounds along the polynomial (cubic) schedule
 *   of Zhu & Gupta (2017), s_r = s_f + (s_0 - s_f)(1 - r/R)^3, with `roundEpochs` epochs after
 *   each intermediate round and `finetune.epochs` after the last; no rewinding. Each round is
 *   one progress step (phase `"prune"`: `val_accuracy`, `sparsity`, `remaining`, PQI and Gini;
 *   see `schedule-rounds.ts`); one-shot mode reports every fine-tuning epoch instead. When the
 *   trial budget runs out mid-schedule, the net is pruned straight to the final sparsity.
 *
 * Exactly round(s·N) weights are pruned (per kernel for layer scope): ties at the threshold are
 * broken by position, so the achieved sparsity matches the target up to rounding. Iterative
 * rounds only prune un-pruned entries, so masks only grow across rounds.
 */
import { methodEntry, withDefaults, type ParamValues } from "@prunesweep/proto";
import type * as tf from "@tensorflow/tfjs";
import type { Net } from "../models/net.js";
import { InvalidParameterError } from "../errors.js";
import { applyMasks, disposeMasks, maskFromValues, type Masks } from "../training/masks.js";
import type { MethodMetricName, MethodParamValues, PruningContext, PruningMethod, PruningResult } from "./pruning-method.js";
import { sparsityMeasures } from "../metrics/pqi.js";
import { polynomialSchedule } from "./schedule.js";
import { roundDetails, runPruningRounds, weightDecayLoss, type RoundState } from "./schedule-rounds.js";
import { absValues, keptValues, pruneByUnits, scopeUnits, type ScopeUnit } from "./schedule-units.js";

export { polynomialSchedule } from "./schedule.js";

/** Threshold scope. */
export type MagnitudeScope = MagnitudeParams["scope"];

const RULES = methodEntry("magnitude").params;

/** Parsed parameters of {@link magnitudeMethod}: the catalogue's, defaults applied. */
export type MagnitudeParams = ParamValues<typeof RULES>;

/**
 * Computes magnitude masks for `sparsity` over the net's prunable parameters.
 * The caller owns the returned masks.
 */
export async function computeMagnitudeMasks(net: Net, sparsity: number, scope: MagnitudeScope): Promise<Masks> {
  const params = net.prunableParams();
  const abs: Float32Array[] = [];
  for (const p of params) {
    const v = (await p.variable.data()) as Float32Array;
    const a = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = Math.abs(v[i] ?? 0);
    abs.push(a);
  }
  const keep = abs.map((a) => new Uint8Array(a.length).fill(1));
  if (scope === "global") {
    const total = abs.reduce((s, a) => s + a.length, 0);
    pruneSmallest(abs, keep, Math.round(sparsity * total));
  } else {
    abs.forEach((a, i) => pruneSmallest([a], [keep[i] as Uint8Array], Math.round(sparsity * a.length)));
  }
  const masks = new Map<string, tf.Tensor>();
  params.forEach((p, i) => masks.set(p.name, maskFromValues(keep[i] as Uint8Array, p.shape)));
  return masks;
}

/** Clears `keep` for exactly `k` of the smallest values across `abs` (ties by position). */
function pruneSmallest(abs: readonly Float32Array[], keep: readonly Uint8Array[], k: number): void {
  if (k <= 0) return;
  const total = abs.reduce((s, a) => s + a.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const a of abs) {
    all.set(a, off);
    off += a.length;
  }
  const threshold = kthSmallest(all, Math.min(k, total) - 1);
  let below = 0;
  for (const a of abs) for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) < threshold) below++;
  let ties = k - below;
  abs.forEach((a, t) => {
    const kt = keep[t] as Uint8Array;
    for (let i = 0; i < a.length; i++) {
      const v = a[i] ?? 0;
      if (v < threshold) kt[i] = 0;
      else if (v === threshold && ties > 0) {
        kt[i] = 0;
        ties--;
      }
    }
  });
}

/**
 * The value at index `k` of `a` sorted ascending (`a` is reordered): Hoare's selection with
 * median-of-three pivots, O(n) on average where a full sort is O(n log n) (every trial
 * thresholds all prunable weights of the net, 266k for LeNet-300-100). `a` holds no NaN
 * (absolute values of finite weights).
 */
function kthSmallest(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of a[lo], a[mid], a[hi] as the pivot.
    const x = a[lo] as number;
    const y = a[mid] as number;
    const z = a[hi] as number;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    // Now a[lo..j] <= pivot, a[i..hi] >= pivot, and a[j+1..i-1] == pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

/** Prunes the net in place to `sparsity`; replaces (and disposes) `previous`. */
async function pruneTo(net: Net, sparsity: number, scope: MagnitudeScope, previous: Masks | undefined): Promise<Masks> {
  const masks = await computeMagnitudeMasks(net, sparsity, scope);
  disposeMasks(previous);
  applyMasks(net, masks);
  return masks;
}

/** The `magnitude` pruning method. */
export const magnitudeMethod: PruningMethod<MagnitudeParams, "magnitude"> = {
  name: "magnitude",

  parseParams({ own, common }: MethodParamValues): MagnitudeParams {
    // `magnitude.sparsity` wins over the common `sparsity`; then the rule's default.
    const p: MagnitudeParams = withDefaults(RULES, { ...(common["sparsity"] !== undefined && { sparsity: common["sparsity"] }), ...own });
    if (p.mode === "iterative" && p.initialSparsity > p.sparsity) {
      throw new InvalidParameterError("magnitude.initialSparsity", `must be <= the target sparsity ${p.sparsity}, got ${p.initialSparsity}`);
    }
    return p;
  },

  async run(ctx: PruningContext, p: MagnitudeParams): Promise<PruningResult<MethodMetricName<"magnitude">>> {
    if (p.mode === "iterative") return runIterative(ctx, p);
    let masks: Masks | undefined;
    try {
      ctx.throwIfAborted();
      masks = await pruneTo(ctx.net, p.sparsity, p.scope, undefined);
      ctx.log("magnitude pruning", { sparsity: p.sparsity, scope: p.scope });
      const loss = weightDecayLoss(p.weightDecay);
      const ft = await ctx.fineTune({ epochs: ctx.settings.epochs, masks, phase: "finetune", ...(loss && { loss }) });
      return { masks, stoppedEarly: ft.decision === "stop", details: { schedule: [p.sparsity], scope: p.scope, mode: p.mode } };
    } catch (err) {
      disposeMasks(masks);
      throw err;
    }
  },
};

/**
 * Prunes the units' un-pruned entries with the smallest |w| until `target` of each unit's
 * entries (of the whole net for global scope) are pruned. Returns the entries pruned.
 */
function pruneToTarget(s: RoundState, units: readonly ScopeUnit[], target: number): number {
  const sizes = units.map((u) => u.reduce((a, part) => a + part.count, 0));
  return pruneByUnits(units, absValues(s.values), s.keep, (kept, u) => {
    const size = sizes[u] ?? 0;
    return Math.round(target * size) - (size - kept.length);
  }).pruned;
}

/** Iterative mode: the cubic schedule over `rounds` progress steps, no rewinding. */
async function runIterative(ctx: PruningContext, p: MagnitudeParams): Promise<PruningResult<MethodMetricName<"magnitude">>> {
  let units: ScopeUnit[] | undefined;
  const unitsOf = (s: RoundState): ScopeUnit[] =>
    (units ??= scopeUnits(
      s.params.map((x) => x.shape),
      p.scope,
    ));
  const schedule: number[] = [];
  const r = await runPruningRounds(ctx, {
    rounds: p.rounds,
    epochsFor: (t) => (t === p.rounds ? ctx.settings.epochs : p.roundEpochs),
    rewind: "none",
    weightDecay: p.weightDecay,
    select: (s) => {
      const target = polynomialSchedule(p.initialSparsity, p.sparsity, s.round, p.rounds);
      schedule.push(target);
      ctx.log("magnitude pruning round", { round: s.round, rounds: p.rounds, sparsity: target, scope: p.scope });
      return { pruned: pruneToTarget(s, unitsOf(s), target), info: { target } };
    },
    measure: (s) => ({ ...sparsityMeasures(keptValues(s.values, s.keep)) }),
    onBudgetExhausted: (s) => {
      // Out of budget mid-schedule: jump to the final sparsity so the trial still measures its target.
      schedule.push(p.sparsity);
      pruneToTarget(s, unitsOf(s), p.sparsity);
    },
  });
  const last = r.history[r.history.length - 1];
  return {
    masks: r.masks,
    stoppedEarly: r.stoppedEarly,
    metrics: { pqi_1_2: last?.metrics["pqi_1_2"] ?? 0, gini: last?.metrics["gini"] ?? 0, rounds_run: r.roundsRun },
    details: { schedule, scope: p.scope, mode: p.mode, rounds: roundDetails(r.history), ...(r.budgetExhausted && { roundsCutByBudget: true }) },
  };
}
