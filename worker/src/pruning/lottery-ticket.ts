/**
 * Iterative lottery-ticket pruning (Frankle & Carbin; the `lt-P` baseline of the SAP code,
 * methods.md §1.4): every round prunes a fraction `rate` (P) of the remaining weights of each
 * scope unit, ranked by their **current** trained magnitudes, rewinds every parameter to its
 * initial (pre-pretraining) value w_init ⊙ m, and retrains `roundEpochs` epochs. After t
 * rounds, (1 - P)^t of the weights remain (up to rounding: round(P·d) per unit and round).
 *
 * Each round is one progress step (phase `"prune"`: `val_accuracy`, `sparsity`, `remaining`,
 * `pqi_05_1`, `pqi_1_2`, `gini`). `finetune.epochs` is not used: the last round's retraining is
 * the final training; `finetune.learningRate` and `finetune.batchSize` apply to every round, with
 * an optional L2 penalty `weightDecay`.
 *
 * {@link runRateRounds} is shared with the one-shot baseline (`one-shot.ts`), which differs
 * only in the ranking.
 */
import type { ParamRule } from "@prunesweep/proto";
import { paramOrDefault } from "./param-rules.js";
import type { MethodParamValues, PruningContext, PruningMethod, PruningResult } from "./pruning-method.js";
import { sparsityMeasures } from "../metrics/pqi.js";
import { roundDetails, runPruningRounds } from "./schedule-rounds.js";
import { absValues, keptValues, pruneByUnits, PRUNE_SCOPES, scopeUnits, type PruneScope } from "./schedule-units.js";

/** Parsed parameters of the lottery-ticket and one-shot baselines. */
export interface RateRoundsParams {
  /** P: fraction of the remaining weights pruned per round, in (0, 1). */
  readonly rate: number;
  /** T: pruning rounds. */
  readonly rounds: number;
  /** E: training epochs per round (after rewinding). */
  readonly roundEpochs: number;
  readonly scope: PruneScope;
  /** L2 penalty while retraining. */
  readonly weightDecay: number;
}

/** Parameter rules shared by `lottery-ticket` and `one-shot` (mirrored in proto's METHOD_CATALOG). */
export const RATE_ROUNDS_RULES: Readonly<Record<string, ParamRule>> = {
  rate: { type: "float", min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0.2, description: "P: fraction of the remaining weights pruned per round" },
  rounds: { type: "int", min: 1, max: 100, default: 5, description: "T: pruning rounds" },
  roundEpochs: { type: "int", min: 1, max: 1000, default: 2, description: "E: training epochs per round, after rewinding to the initial weights" },
  scope: { type: "categorical", values: [...PRUNE_SCOPES], default: "global", description: "ranking scope: all weights, per layer, or per output neuron" },
  weightDecay: { type: "float", min: 0, max: 1, default: 0, description: "L2 penalty on the prunable weights while retraining (the SAP paper trains with 5e-4)" },
};

/** Parses the shared parameters; `method` names them in errors. */
export function parseRateRounds(method: string, own: MethodParamValues["own"]): RateRoundsParams {
  return {
    rate: paramOrDefault(own, RATE_ROUNDS_RULES, "rate", `${method}.rate`),
    rounds: paramOrDefault(own, RATE_ROUNDS_RULES, "rounds", `${method}.rounds`),
    roundEpochs: paramOrDefault(own, RATE_ROUNDS_RULES, "roundEpochs", `${method}.roundEpochs`),
    scope: paramOrDefault(own, RATE_ROUNDS_RULES, "scope", `${method}.scope`),
    weightDecay: paramOrDefault(own, RATE_ROUNDS_RULES, "weightDecay", `${method}.weightDecay`),
  };
}

/**
 * Rate-based rounds with rewinding to w_init. `rankBy: "current"` ranks by the weights of the
 * previous round (lottery ticket); `"dense"` by the first dense trained model, i.e. the
 * pretrained weights (one-shot).
 */
export async function runRateRounds(ctx: PruningContext, p: RateRoundsParams, rankBy: "current" | "dense"): Promise<PruningResult> {
  let denseScores: Float32Array[] | undefined;
  let units: ReturnType<typeof scopeUnits> | undefined;
  const r = await runPruningRounds(ctx, {
    rounds: p.rounds,
    epochsFor: () => p.roundEpochs,
    rewind: "init",
    weightDecay: p.weightDecay,
    select: (s) => {
      units ??= scopeUnits(
        s.params.map((q) => q.shape),
        p.scope,
      );
      const current = absValues(s.values);
      denseScores ??= current;
      const stats = pruneByUnits(units, rankBy === "dense" ? denseScores : current, s.keep, (kept) => Math.round(p.rate * kept.length));
      return { pruned: stats.pruned };
    },
    measure: (s) => ({ ...sparsityMeasures(keptValues(s.values, s.keep)) }),
  });
  const last = r.history[r.history.length - 1];
  return {
    masks: r.masks,
    stoppedEarly: r.stoppedEarly,
    metrics: { pqi_1_2: last?.metrics["pqi_1_2"] ?? 0, gini: last?.metrics["gini"] ?? 0, remaining: last?.remaining ?? 1, rounds_run: r.roundsRun },
    details: { rounds: roundDetails(r.history), rankBy, scope: p.scope, rate: p.rate, ...(r.budgetExhausted && { roundsCutByBudget: true }) },
  };
}

/** The `lottery-ticket` pruning method. */
export const lotteryTicketMethod: PruningMethod<RateRoundsParams> = {
  name: "lottery-ticket",
  description: "iterative lottery-ticket pruning: prune P of the remaining weights by current magnitude, rewind to init, retrain",
  paramRules: RATE_ROUNDS_RULES,
  parseParams: ({ own }) => parseRateRounds("lottery-ticket", own),
  run: (ctx, p) => runRateRounds(ctx, p, "current"),
};
