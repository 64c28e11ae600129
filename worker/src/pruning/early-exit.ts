/**
 * Pruning early-exit networks (Görmez & Koyuncu, SNN workshop 2022; docs/methods.md §4). Needs a
 * model with `task.exits` (pretrained jointly, L = Σ w_k CE_k).
 *
 * - `simultaneous` (Approach 1): `iterations` rounds of {magnitude-prune `fraction` of the
 *   remaining weights of every kernel — backbone and exit heads together, one global
 *   threshold (`scope: global`) or per tensor; fine-tune `epochsPerIteration` epochs with the
 *   joint loss}.
 * - `ordered` (Approach 2): phase 1 prunes the backbone (every kernel but the early-exit
 *   heads; the final classifier belongs to the backbone) the same way, fine-tuning on the final
 *   exit's loss only; phase 2 re-initialises the exit heads, trains them `exitEpochs` epochs on
 *   the frozen backbone (inference-mode BatchNorm), then prunes and fine-tunes only the exit
 *   heads for `iterations` rounds.
 *
 * After t rounds a phase's tensors are at sparsity 1 − (1 − fraction)^t; the masks stay applied
 * through every Adam step (gradients masked, weights re-masked). `lossWeights` overrides the
 * model's exit loss weights while fine-tuning. The operating point of the reported τ curve is
 * picked by `criterion` with a fixed `tau`, or else the cheapest τ within `maxAccuracyDrop` of
 * the final exit on the validation split (metrics/exit-metrics.ts); each of the three given as
 * a parameter overrides the same field of `modelOptions.exitRule`.
 */
import { methodEntry, withDefaults } from "@prunesweep/proto";
import { InvalidTaskError } from "../errors.js";
import { resolveExitLossWeights, type ExitRule } from "../models/exits.js";
import type { NetParam } from "../models/layers.js";
import type { Net } from "../models/net.js";
import { weightedExitLoss, type LossFn } from "../training/train.js";
import { disposeMasks, applyMasks, type Masks } from "../training/masks.js";
import type { FineTuneResult, MethodMetricName, MethodParamValues, PruningContext, PruningMethod, PruningResult } from "./pruning-method.js";
import { subsetMagnitudeMasks } from "./structured-utils.js";

/** Parsed parameters of {@link earlyExitMethod}. */
export interface EarlyExitParams {
  readonly approach: "simultaneous" | "ordered";
  readonly iterations: number;
  readonly fraction: number;
  readonly scope: "global" | "layer";
  readonly epochsPerIteration: number;
  readonly exitEpochs: number;
  readonly lossWeights: "model" | "uniform" | "increasing";
  /** The operating-point fields given as parameters; the rest comes from `modelOptions.exitRule`. */
  readonly rule: Partial<ExitRule>;
}

const NAME = "early-exit";
const RULES = methodEntry(NAME).params;

/** Loss over the given exits with the given weights (others weight 0). */
function exitLoss(weights: readonly number[], training: boolean): LossFn {
  return (net, x, y) => weightedExitLoss(net.forwardExits(x, { training }), y, weights);
}

/** Masks of all phases so far: later phases add tensors, never drop them. */
function mergeMasks(a: Masks | undefined, b: Masks): Masks {
  const out = new Map(b);
  if (a) for (const [k, v] of a) if (!out.has(k)) out.set(k, v);
  return out;
}

interface PhaseOutcome {
  readonly masks: Masks;
  readonly stopped: boolean;
  readonly sparsities: number[];
}

/** `iterations` rounds of magnitude pruning of `params` + fine-tuning. */
async function prunePhase(
  ctx: PruningContext,
  p: EarlyExitParams,
  params: readonly NetParam[],
  earlier: Masks | undefined,
  tune: { loss: LossFn; trainableParams?: readonly string[]; phase: string },
): Promise<PhaseOutcome> {
  let own: Masks | undefined;
  const sparsities: number[] = [];
  let last: FineTuneResult | undefined;
  try {
    for (let t = 1; t <= p.iterations; t++) {
      ctx.throwIfAborted();
      if (t > 1 && ctx.checkBudget()) break;
      const sparsity = 1 - Math.pow(1 - p.fraction, t);
      const next = await subsetMagnitudeMasks(params, sparsity, p.scope);
      disposeMasks(own);
      own = next;
      applyMasks(ctx.net, own);
      sparsities.push(sparsity);
      ctx.log("early-exit pruning round", { phase: tune.phase, round: t, sparsity });
      last = await ctx.fineTune({ epochs: p.epochsPerIteration, masks: mergeMasks(earlier, own), loss: tune.loss, trainableParams: tune.trainableParams, phase: tune.phase });
      if (last.decision === "stop") break;
      if (last.budgetExhausted) break;
    }
  } catch (err) {
    disposeMasks(own);
    throw err;
  }
  return { masks: mergeMasks(earlier, own ?? new Map()), stopped: last?.decision === "stop", sparsities };
}

function exitParamsOf(net: Net): NetParam[] {
  return net.exits.flatMap((e) => e.params);
}

/** The `early-exit` pruning method. */
export const earlyExitMethod: PruningMethod<EarlyExitParams, "early-exit"> = {
  name: NAME,

  parseParams({ own }: MethodParamValues): EarlyExitParams {
    const v = withDefaults(RULES, own);
    // Operating-point fields set on the trial override `modelOptions.exitRule`; the rest comes from the model.
    const rule: { -readonly [K in keyof ExitRule]?: ExitRule[K] } = {};
    if (own["criterion"] !== undefined) rule.criterion = v.criterion;
    if (v.tau !== undefined) rule.tau = v.tau;
    if (own["maxAccuracyDrop"] !== undefined) rule.maxAccuracyDrop = v.maxAccuracyDrop;
    return {
      approach: v.approach,
      iterations: v.iterations,
      fraction: v.fraction,
      scope: v.scope,
      epochsPerIteration: v.epochsPerIteration,
      exitEpochs: v.exitEpochs,
      lossWeights: v.lossWeights,
      rule,
    };
  },

  async run(ctx: PruningContext, p: EarlyExitParams): Promise<PruningResult<MethodMetricName<"early-exit">>> {
    const net = ctx.net;
    if (net.exits.length === 0) {
      throw new InvalidTaskError(`method "${NAME}" needs a model with early exits: set task.exits (e.g. [1, 2] or {every: 2}) for "${net.architecture}"`);
    }
    const K = net.exitNames.length;
    const exitRule: ExitRule = { ...net.exitOptions.exitRule, ...p.rule };
    const weights = p.lossWeights === "model" ? net.exitLossWeights : resolveExitLossWeights(p.lossWeights, K);
    const exitNames = new Set(exitParamsOf(net).map((q) => q.name));
    let masks: Masks | undefined;
    try {
      if (p.approach === "simultaneous") {
        const r = await prunePhase(ctx, p, net.prunableParams(), undefined, { loss: exitLoss(weights, true), phase: "prune-all" });
        masks = r.masks;
        return { masks, stoppedEarly: r.stopped, exitRule, details: { earlyExit: { approach: p.approach, weights, sparsities: r.sparsities } } };
      }
      const backbone = net.prunableParams().filter((q) => !exitNames.has(q.name));
      const finalOnly = weights.map((_, k) => (k === K - 1 ? 1 : 0));
      const r1 = await prunePhase(ctx, p, backbone, undefined, { loss: exitLoss(finalOnly, true), phase: "prune-backbone" });
      masks = r1.masks;
      if (r1.stopped) return { masks, stoppedEarly: true, exitRule, details: { earlyExit: { approach: p.approach, backboneSparsities: r1.sparsities } } };
      // Phase 2: fresh exits on the frozen, pruned backbone.
      net.reinitExits(Math.floor(ctx.rng.next() * 0x7fffffff));
      const heads = exitParamsOf(net);
      const headNames = heads.filter((q) => q.trainable).map((q) => q.name);
      const exitsOnly = weights.map((w, k) => (k === K - 1 ? 0 : w));
      const loss = exitLoss(exitsOnly, false);
      const trained = await ctx.fineTune({ epochs: p.exitEpochs, masks, loss, trainableParams: headNames, phase: "train-exits" });
      if (trained.decision === "stop") return { masks, stoppedEarly: true, exitRule, details: { earlyExit: { approach: p.approach } } };
      const r2 = await prunePhase(ctx, p, heads.filter((q) => q.prunable), masks, { loss, trainableParams: headNames, phase: "prune-exits" });
      masks = r2.masks;
      return {
        masks,
        stoppedEarly: r2.stopped,
        exitRule,
        details: { earlyExit: { approach: p.approach, weights, backboneSparsities: r1.sparsities, exitSparsities: r2.sparsities } },
      };
    } catch (err) {
      disposeMasks(masks);
      throw err;
    }
  },
};
