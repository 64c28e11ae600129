/**
 * Sparsity-informed Adaptive Pruning (SAP; Diao et al., ICLR 2023), methods.md §1.2-1.4.
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
 * Stopping rules (`stopRule`, design choices, methods.md §1.4 "Stopping rule" [inferred]):
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
import type { ParamRule } from "@prunesweep/proto";
import { InvalidParameterError } from "../errors.js";
import { paramOrDefault } from "./param-rules.js";
import { pqIndex, sapPruneCount, sparsityMeasures, type SapRule } from "../metrics/pqi.js";
import type { MethodParamValues, PruningContext, PruningMethod, PruningResult } from "./pruning-method.js";
import { roundDetails, runPruningRounds, type RewindMode, type RoundRecord } from "./schedule-rounds.js";
import { absValues, keptValues, pruneByUnits, PRUNE_SCOPES, scopeUnits, type PruneScope } from "./schedule-units.js";

/** SAP's optional stopping rules. */
type SapStopRule = "none" | "c-zero" | "pqi-rise" | "both";

/** Parsed parameters of {@link sapMethod}. */
export interface SapParams extends SapRule {
  readonly scope: PruneScope;
  readonly rounds: number;
  readonly roundEpochs: number;
  readonly rewind: RewindMode;
  readonly stopRule: SapStopRule;
  readonly stopDelta: number;
  readonly weightDecay: number;
}

/** Rounds the PQI must have risen in a row for the `pqi-rise` rule. */
const PQI_RISE_ROUNDS = 2;

const RULES: Readonly<Record<string, ParamRule>> = {
  p: { type: "float", min: 0, max: 10, exclusiveMin: true, default: 0.5, description: "PQ Index norm p (0 < p < q); smaller prunes less" },
  q: { type: "float", min: 0, max: 10, exclusiveMin: true, default: 1, description: "PQ Index norm q (q > p)" },
  scope: { type: "categorical", values: [...PRUNE_SCOPES], default: "global", description: "PQI and threshold per all weights, per layer or per output neuron" },
  etaR: { type: "float", min: 0, max: 100, default: 0, description: "compression tolerance eta_r; larger prunes more" },
  gamma: { type: "float", min: 0, max: 100, exclusiveMin: true, default: 1, description: "scaling factor gamma of the prune ratio" },
  beta: { type: "float", min: 0, max: 1, exclusiveMin: true, default: 0.9, description: "cap beta on the fraction of remaining weights pruned per round" },
  rounds: { type: "int", min: 1, max: 100, default: 5, description: "T: pruning rounds" },
  roundEpochs: { type: "int", min: 1, max: 1000, default: 2, description: "E: training epochs per round" },
  rewind: { type: "categorical", values: ["init", "none"], default: "init", description: "rewind to the initial weights after pruning (paper) or keep training" },
  stopRule: { type: "categorical", values: ["none", "c-zero", "pqi-rise", "both"], default: "none", description: "optional early end of the rounds" },
  stopDelta: { type: "float", min: 0, max: 1, default: 0.01, description: "pqi-rise rule: validation-accuracy drop that counts" },  weightDecay: { type: "float", min: 0, max: 1, default: 0, description: "L2 penalty on the prunable weights while retraining (the SAP paper trains with 5e-4)" },
};

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
export const sapMethod: PruningMethod<SapParams> = {
  name: "sap",
  description: "Sparsity-informed Adaptive Pruning: PQ-Index-driven prune ratio per round, rewind to init, retrain",
  paramRules: RULES,

  parseParams({ own }: MethodParamValues): SapParams {
    const get = <T extends number | string>(k: string): T => paramOrDefault<T>(own, RULES, k, `sap.${k}`);
    const p: SapParams = {
      p: get("p"),
      q: get("q"),
      scope: get("scope"),
      etaR: get("etaR"),
      gamma: get("gamma"),
      beta: get("beta"),
      rounds: get("rounds"),
      roundEpochs: get("roundEpochs"),
      rewind: get("rewind"),
      stopRule: get("stopRule"),
      stopDelta: get("stopDelta"),
      weightDecay: get("weightDecay"),
    };
    if (!(p.p < p.q)) throw new InvalidParameterError(own["p"] !== undefined ? "sap.p" : "sap.q", `must satisfy sap.p < sap.q, got p=${p.p}, q=${p.q}`);
    return p;
  },

  async run(ctx: PruningContext, p: SapParams): Promise<PruningResult> {
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
