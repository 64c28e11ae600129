/**
 * Unstructured magnitude pruning: zero the prunable weights (kernels, not biases) with the
 * smallest |w|, then fine-tune with the masks enforced.
 *
 * - `scope: "global"`: one threshold over all prunable kernels (layers end up with different
 *   sparsities); `"layer"`: every kernel pruned to the target on its own.
 * - `mode: "one-shot"`: prune once to `sparsity`, fine-tune `finetune.epochs`.
 * - `mode: "iterative"`: `rounds` prune/fine-tune rounds along the polynomial (cubic) schedule
 *   of Zhu & Gupta (2017), s_r = s_f + (s_0 - s_f)(1 - r/R)^3, with `roundEpochs` epochs after
 *   each intermediate round and `finetune.epochs` after the last.
 *
 * Exactly round(s·N) weights are pruned: ties at the threshold are broken by position, so the
 * achieved sparsity matches the target up to rounding. Weights that are already zero (pruned
 * earlier) have |w| = 0 and are pruned first, so masks only grow across rounds.
 */
import type { ParamRule } from "@prunesweep/proto";
import type * as tf from "@tensorflow/tfjs";
import type { Net } from "../models/net.js";
import { InvalidParameterError } from "../errors.js";
import { applyMasks, disposeMasks, maskFromValues, type Masks } from "./masks.js";
import { paramOrDefault } from "./param-rules.js";
import type { MethodParamValues, PruningContext, PruningMethod, PruningResult } from "./pruning-method.js";

/** Threshold scope. */
export type MagnitudeScope = "global" | "layer";

/** Parsed parameters of {@link magnitudeMethod}. */
export interface MagnitudeParams {
  /** Final fraction of prunable weights set to zero, in [0, 1). */
  readonly sparsity: number;
  readonly scope: MagnitudeScope;
  readonly mode: "one-shot" | "iterative";
  readonly rounds: number;
  readonly roundEpochs: number;
  readonly initialSparsity: number;
}

const RULES: Readonly<Record<string, ParamRule>> = {
  sparsity: { type: "float", min: 0, max: 1, exclusiveMax: true, default: 0.9, description: "target sparsity" },
  scope: { type: "categorical", values: ["global", "layer"], default: "global", description: "threshold scope" },
  mode: { type: "categorical", values: ["one-shot", "iterative"], default: "one-shot", description: "prune once, or in rounds" },
  rounds: { type: "int", min: 1, max: 100, default: 3, description: "iterative: pruning rounds" },
  roundEpochs: { type: "int", min: 0, max: 100, default: 1, description: "iterative: fine-tune epochs after each intermediate round" },
  initialSparsity: { type: "float", min: 0, max: 1, exclusiveMax: true, default: 0, description: "iterative: schedule start s_0" },
};

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
  all.sort();
  const threshold = all[Math.min(k, total) - 1] ?? 0;
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

/** Sparsity of round `r` (1-based) of `rounds` on the cubic schedule from `s0` to `sf`. */
export function polynomialSchedule(s0: number, sf: number, r: number, rounds: number): number {
  return sf + (s0 - sf) * Math.pow(1 - r / rounds, 3);
}

/** Prunes the net in place to `sparsity`; replaces (and disposes) `previous`. */
async function pruneTo(net: Net, sparsity: number, scope: MagnitudeScope, previous: Masks | undefined): Promise<Masks> {
  const masks = await computeMagnitudeMasks(net, sparsity, scope);
  disposeMasks(previous);
  applyMasks(net, masks);
  return masks;
}

/** The `magnitude` pruning method. */
export const magnitudeMethod: PruningMethod<MagnitudeParams> = {
  name: "magnitude",
  description: "global or layer-wise magnitude pruning, one-shot or iterative with a polynomial schedule",
  paramRules: RULES,

  parseParams({ own, common }: MethodParamValues): MagnitudeParams {
    // `magnitude.sparsity` wins over the common `sparsity`; then the rule's default.
    const sparsity = (own["sparsity"] ?? common["sparsity"] ?? RULES["sparsity"]?.default) as number;
    const p: MagnitudeParams = {
      sparsity,
      scope: paramOrDefault(own, RULES, "scope", "magnitude.scope"),
      mode: paramOrDefault(own, RULES, "mode", "magnitude.mode"),
      rounds: paramOrDefault(own, RULES, "rounds", "magnitude.rounds"),
      roundEpochs: paramOrDefault(own, RULES, "roundEpochs", "magnitude.roundEpochs"),
      initialSparsity: paramOrDefault(own, RULES, "initialSparsity", "magnitude.initialSparsity"),
    };
    if (p.mode === "iterative" && p.initialSparsity > p.sparsity) {
      throw new InvalidParameterError("magnitude.initialSparsity", `must be <= the target sparsity ${p.sparsity}, got ${p.initialSparsity}`);
    }
    return p;
  },

  async run(ctx: PruningContext, p: MagnitudeParams): Promise<PruningResult> {
    let masks: Masks | undefined;
    try {
      const rounds = p.mode === "iterative" ? p.rounds : 1;
      const schedule: number[] = [];
      for (let r = 1; r <= rounds; r++) {
        ctx.throwIfAborted();
        const target = rounds === 1 ? p.sparsity : polynomialSchedule(p.initialSparsity, p.sparsity, r, rounds);
        schedule.push(target);
        masks = await pruneTo(ctx.net, target, p.scope, masks);
        const last = r === rounds;
        ctx.log("magnitude pruning round", { round: r, rounds, sparsity: target, scope: p.scope });
        const ft = await ctx.fineTune({ epochs: last ? ctx.settings.epochs : p.roundEpochs, masks, phase: last ? "finetune" : "iterative" });
        if (ft.decision === "stop") return { masks, stoppedEarly: true, details: { schedule } };
        if (ft.budgetExhausted && !last) {
          // Out of budget mid-schedule: jump to the final sparsity so the trial still measures its target.
          schedule.push(p.sparsity);
          masks = await pruneTo(ctx.net, p.sparsity, p.scope, masks);
          break;
        }
      }
      return { masks, stoppedEarly: false, details: { schedule, scope: p.scope, mode: p.mode } };
    } catch (err) {
      disposeMasks(masks);
      throw err;
    }
  },
};
