/**
 * Iterative lottery-ticket pruning (Frankle & Carbin; the `lt-P` baseline of the SAP code,
 * docs/methods.md §1.5): every round prunes a fraction `rate` (P) of the remaining weights of each
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
import { methodEntry, withDefaults, type MethodEntry, type ParamValues } from "@prunesweep/proto";
import type { MethodMetricName, MethodParamValues, PruningContext, PruningMethod, PruningResult } from "./pruning-method.js";
import { sparsityMeasures } from "../metrics/pqi.js";
import { roundDetails, runPruningRounds } from "./schedule-rounds.js";
import { absValues, keptValues, pruneByUnits, scopeUnits } from "./schedule-units.js";

/** Parsed parameters of the lottery-ticket and one-shot baselines (one catalogue object): rate P, rounds T, epochs E per round, scope, weight decay. */
export type RateRoundsParams = ParamValues<MethodEntry<"lottery-ticket" | "one-shot">["params"]>;

/** Parses the shared parameters of `method` (the catalogue's, defaults applied). */
export function parseRateRounds(method: "lottery-ticket" | "one-shot", own: MethodParamValues["own"]): RateRoundsParams {
  return withDefaults(methodEntry(method).params, own);
}

/**
 * Rate-based rounds with rewinding to w_init. `rankBy: "current"` ranks by the weights of the
 * previous round (lottery ticket); `"dense"` by the first dense trained model, i.e. the
 * pretrained weights (one-shot).
 */
export async function runRateRounds(ctx: PruningContext, p: RateRoundsParams, rankBy: "current" | "dense"): Promise<PruningResult<MethodMetricName<"lottery-ticket" | "one-shot">>> {
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
export const lotteryTicketMethod: PruningMethod<RateRoundsParams, "lottery-ticket"> = {
  name: "lottery-ticket",
  parseParams: ({ own }) => parseRateRounds("lottery-ticket", own),
  run: (ctx, p) => runRateRounds(ctx, p, "current"),
};
