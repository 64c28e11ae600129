/**
 * Sparsity-informed Adaptive Pruning (SAP; Diao et al., ICLR 2023), docs/methods.md §1.2-1.4.
 *
 * Round 0 is the pretrained dense net w_0 with mask m_0 = 1. For t = 1..`rounds`, on each scope
 * unit (all weights / one tensor / one output neuron) with d un-pruned entries of the previous
 * round's trained weights w:
 * - I = PQI_{p,q}(w) over the un-pruned entries (power-mean form; `pqi.ts`);
 * - r = ceil(d · (1+η_r)^(-q/(q-p)) · (1-I)^(qp/(q-p)));
 * - c = floor(d · min(γ·(1 - r/d), β)) (ratio clamped to [0, β]);
 * - the c smallest-magnitude un-pruned entries are pruned (exactly c; ties by position);
 * then every parameter is rewound to w_init ⊙ m (`rewind: "init"`, the paper) or training
 * continues from w ⊙ m (`"none"`, a fine-tuning variant not in the paper), and the net is
 * retrained `roundEpochs` epochs.
 *
 * Each round is one progress step (phase `"prune"`: `val_accuracy`, `sparsity`, `remaining`,
 * `pqi` (global, at this method's p and q), `pqi_05_1`, `pqi_1_2`, `gini`), so the
 * coordinator's early stoppers can stop a trial between rounds. The per-round history (also
 * Σr, Σc) is in the trial details under `rounds`; the final metrics add `sap_pqi` (global PQI
 * at this trial's p, q), `pqi_1_2`, `gini`, `remaining` and `rounds_run`.
 *
 * Stopping rules (`stopRule`, design choices, docs/methods.md §1.4):
 * - `"c-zero"`: stop before a round in which c_t = 0 on every unit (the fixed point r_t >= d_t);
 * - `"pqi-rise"`: stop after the first round whose validation accuracy is more than `stopDelta`
 *   below the previous round's while the global PQI rose in each of the last 2 rounds; the net
 *   and masks of the previous round are restored (the rule fired because this round degraded
 *   the net);
 * - `"both"`: either. `"none"` (default, the paper): run all rounds.
 *
 * `finetune.epochs` is not used; `finetune.learningRate` and `finetune.batchSize` apply to the
 * retraining of every round (Adam, fresh optimizer state per round), with an optional L2
 * penalty `weightDecay` (see `weightDecayLoss` in `schedule-rounds.ts`).
 */
import { methodEntry, withDefaults, type ParamValues } from "@prunesweep/proto";
import { pqIndex, sapPruneCount, sparsityMeasures } from "../metrics/pqi.js";
import type { MethodMetricName, MethodParamValues, PruningContext, PruningMethod, PruningResult } from "./pruning-method.js";
import { roundDetails, runPruningRounds, type RoundRecord } from "./schedule-rounds.js";
import { absValues, keptValues, pruneByUnits, scopeUnits } from "./schedule-units.js";

const RULES = methodEntry("sap").params;

/** Parsed parameters of {@link sapMethod}: the catalogue's, defaults applied. */
export type SapParams = ParamValues<typeof RULES>;

/** Rounds the PQI must have risen in a row for the `pqi-rise` rule. */
const PQI_RISE_ROUNDS = 2;

/** The `pqi-rise` rule over the history (round 0 first): a reason, or undefined. */
export function pqiRiseStop(history: readonly RoundRecord[], delta: number, riseRounds = PQI_RISE_ROUNDS): string | undefined {
  const n = history.length;
  const last = history[n - 1];
  const prev = history[n - 2];
  if (!last || !prev || n <= riseRounds) return undefined;
  if (!(last.valAccuracy < prev.valAccuracy - delta)) return undefined;
  for (let i = n - riseRounds; i < n; i++) {
    if (!((history[i]?.metrics["pqi"] ?? Number.NaN) > (history[i - 1]?.metrics["pqi"] ?? Number.NaN))) return undefined;
  }
  return `validation accuracy fell from ${prev.valAccuracy.toFixed(4)} to ${last.valAccuracy.toFixed(4)} while the PQI rose for ${riseRounds} rounds`;
}

function pick(m: Readonly<Record<string, number>> | undefined, keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) if (m?.[k] !== undefined) out[k] = m[k];
  return out;
}

/** The `sap` pruning method. */
export const sapMethod: PruningMethod<SapParams, "sap"> = {
  name: "sap",
  // sap.p < sap.q is a catalogue relation, checked with the other rules before this.
  parseParams: ({ own }: MethodParamValues): SapParams => withDefaults(RULES, own),

  async run(ctx: PruningContext, p: SapParams): Promise<PruningResult<MethodMetricName<"sap">>> {
    let units: ReturnType<typeof scopeUnits> | undefined;
    const stopOnZero = p.stopRule === "c-zero" || p.stopRule === "both";
    const stopOnRise = p.stopRule === "pqi-rise" || p.stopRule === "both";
    const r = await runPruningRounds(ctx, {
      rounds: p.rounds,
      epochsFor: () => p.roundEpochs,
      rewind: p.rewind,
      weightDecay: p.weightDecay,
      select: (s) => {
        units ??= scopeUnits(
          s.params.map((x) => x.shape),
          p.scope,
        );
        let sumR = 0;
        let sumC = 0;
        const stats = pruneByUnits(units, absValues(s.values), s.keep, (kept) => {
          const { r: keepBound, c } = sapPruneCount(kept.length, pqIndex(kept, p.p, p.q), p);
          sumR += keepBound;
          sumC += c;
          return c;
        });
        if (sumC === 0 && stopOnZero) return { pruned: 0, stop: `c_t = 0 (r_t >= d_t) in round ${s.round}` };
        return { pruned: stats.pruned, info: { d: stats.before, r: sumR, c: sumC } };
      },
      measure: (s) => {
        const kept = keptValues(s.values, s.keep);
        return { pqi: pqIndex(kept, p.p, p.q), ...sparsityMeasures(kept) };
      },
      ...(stopOnRise && { stopAfter: (h: readonly RoundRecord[]) => pqiRiseStop(h, p.stopDelta) }),
    });
    const last = r.restoredRound !== undefined ? r.history[r.restoredRound] : r.history[r.history.length - 1];
    return {
      masks: r.masks,
      stoppedEarly: r.stoppedEarly,
      // `sap_pqi`: PQI at this trial's (p, q); the runner adds `pqi` = PQI(0.5, 1) of every net.
      metrics: { sap_pqi: last?.metrics["pqi"] ?? 0, ...pick(last?.metrics, ["pqi_1_2", "gini"]), remaining: last?.remaining ?? 1, rounds_run: r.roundsRun },
      details: {
        rounds: roundDetails(r.history),
        sap: { p: p.p, q: p.q, scope: p.scope, etaR: p.etaR, gamma: p.gamma, beta: p.beta, rewind: p.rewind, stopRule: p.stopRule, weightDecay: p.weightDecay },
        ...(r.stopReason !== undefined && { stopReason: r.stopReason }),
        ...(r.restoredRound !== undefined && { restoredRound: r.restoredRound }),
        ...(r.budgetExhausted && { roundsCutByBudget: true }),
      },
    };
  },
};
