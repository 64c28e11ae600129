/**
 * The iterative prune → (rewind) → retrain loop shared by SAP, lottery-ticket, one-shot and
 * iterative magnitude pruning (docs/methods.md §1.4).
 *
 * Round 0 is the pretrained dense net (recorded, not reported). Then, for t = 1..rounds:
 * 1. the method's `select` clears keep-mask entries, deciding from the current weights w_{t-1};
 * 2. rewind `"init"`: w ← w_init ⊙ m_t (weights, biases and every other parameter back to
 *    their initial values, as the SAP code does); rewind `"none"`: w ← w ⊙ m_t;
 * 3. retrain `epochsFor(t)` epochs with the masks enforced (no per-epoch reports);
 * 4. record and report the round as one progress step, phase `"prune"`, with
 *    `val_accuracy`, `sparsity`, `remaining` and the method's `measure` metrics (e.g. `pqi`).
 *
 * The "stop" decision, the abort signal and the step/wall budgets are honoured at every round
 * boundary. A method's `stopAfter` rule can end the loop and restore the previous round's
 * weights and masks (e.g. SAP's PQI-rise rule), and `select` can end it before a round starts
 * (e.g. SAP's c_t = 0).
 */
import * as tf from "@tensorflow/tfjs";
import type { NetParam } from "../models/layers.js";
import type { Net } from "../models/net.js";
import { crossEntropyLoss, type LossFn } from "../training/train.js";
import { countKept } from "./schedule-units.js";
import { applyMasks, disposeMasks, maskFromValues, type Masks } from "../training/masks.js";
import type { PruningContext } from "./pruning-method.js";

/** Rewind target after each pruning round. */
type RewindMode = "init" | "none";

/** What a method sees when it selects the weights to prune. */
export interface RoundState {
  /** 1-based round about to run; 0 in `measure` for the dense net. */
  readonly round: number;
  readonly params: readonly NetParam[];
  /** Current weights w_{t-1} of the prunable tensors (read-only copies). */
  readonly values: readonly Float32Array[];
  /** Keep-masks (1 = un-pruned), one per prunable tensor; `select` clears entries. */
  readonly keep: readonly Uint8Array[];
  /** Prunable entries in total. */
  readonly total: number;
}

/** What `select` decided. */
interface RoundSelection {
  /** Entries pruned this round. */
  readonly pruned: number;
  /** Set to end the loop before this round (nothing may have been pruned). */
  readonly stop?: string;
  /** Extra numbers recorded in the round's details (e.g. SAP's r_t, c_t). */
  readonly info?: Readonly<Record<string, number>>;
}

/** One round in the history (round 0 = the dense pretrained net). */
export interface RoundRecord {
  readonly round: number;
  /** Fraction of the prunable weights left, in [0, 1]. */
  readonly remaining: number;
  readonly pruned: number;
  /** Validation accuracy after the round's training (NaN without a validation split). */
  readonly valAccuracy: number;
  readonly epochs: number;
  /** The method's `measure` metrics and `select` info. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** Options of {@link runPruningRounds}. */
export interface PruningRoundsOptions {
  readonly rounds: number;
  /** Training epochs after pruning in round `t`. */
  readonly epochsFor: (round: number) => number;
  readonly rewind: RewindMode;
  /** L2 penalty of the retraining loss ({@link weightDecayLoss}). @default 0 */
  readonly weightDecay?: number;
  /** Clears `state.keep` entries; must only clear (masks only grow). */
  select(state: RoundState): RoundSelection;
  /** Metrics of the trained weights, recorded and reported every round (and for round 0). */
  measure?(state: RoundState): Readonly<Record<string, number>>;
  /**
   * Checked after every reported round with the whole history (round 0 first). A reason ends
   * the loop and restores the net and masks of the previous round.
   */
  stopAfter?(history: readonly RoundRecord[]): string | undefined;
  /** Called when the budget runs out before round `state.round`; may clear more entries. */
  onBudgetExhausted?(state: RoundState): void;
}

/** How {@link runPruningRounds} ended. */
export interface PruningRoundsResult {
  /** Final masks (undefined when nothing was ever pruned); the caller owns them. */
  readonly masks: Masks | undefined;
  /** True when the coordinator said "stop". */
  readonly stoppedEarly: boolean;
  readonly history: readonly RoundRecord[];
  /** Why a method rule ended the loop early, if one did. */
  readonly stopReason?: string;
  /** Rounds that ran (trained and reported). */
  readonly roundsRun: number;
  readonly budgetExhausted: boolean;
  /** Set when `stopAfter` fired: the round whose net and masks were restored. */
  readonly restoredRound?: number;
}

/**
 * Cross-entropy plus an L2 penalty (λ/2)·Σ‖W‖² over the prunable kernels, or undefined for
 * λ = 0 (plain cross-entropy). This stands in for the weight decay of the SAP code's recipe
 * (SGD, decay 5e-4) under our Adam fine-tuning: weights without a data gradient (e.g. inputs
 * from always-black MNIST pixels) then shrink towards 0 instead of staying at their initial
 * values, which is what makes trained weight vectors heavy-tailed (higher PQI).
 */
export function weightDecayLoss(lambda: number): LossFn | undefined {
  if (!(lambda > 0)) return undefined;
  return (net, x, y) => {
    const kernels = net.prunableParams().map((p) => tf.sum(tf.square(p.variable)));
    const penalty = kernels.length === 0 ? tf.scalar(0) : tf.addN(kernels);
    return tf.add(crossEntropyLoss(net, x, y), tf.mul(penalty, lambda / 2));
  };
}

/** Per-round details as recorded in the trial details. */
export function roundDetails(history: readonly RoundRecord[]): Record<string, number>[] {
  return history.map((h) => ({ round: h.round, remaining: h.remaining, pruned: h.pruned, val_accuracy: h.valAccuracy, epochs: h.epochs, ...h.metrics }));
}

async function readValues(params: readonly NetParam[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const p of params) out.push(new Float32Array((await p.variable.data()) as Float32Array));
  return out;
}

function toMasks(params: readonly NetParam[], keep: readonly Uint8Array[]): Masks {
  const masks = new Map<string, ReturnType<typeof maskFromValues>>();
  params.forEach((p, i) => masks.set(p.name, maskFromValues(keep[i] ?? new Uint8Array(p.size), p.shape)));
  return masks;
}

/**
 * Runs the prune/rewind/retrain rounds on `ctx.net`. The masks returned are applied to the
 * net; on a throw, every mask created here is disposed.
 * @throws TrialAbortedError when the trial is aborted; whatever training throws
 */
export async function runPruningRounds(ctx: PruningContext, opts: PruningRoundsOptions): Promise<PruningRoundsResult> {
  const net: Net = ctx.net;
  const params = net.prunableParams();
  const total = params.reduce((a, p) => a + p.size, 0);
  const keep = params.map((p) => new Uint8Array(p.size).fill(1));
  const initial = opts.rewind === "init" ? await ctx.initialWeights() : undefined;
  let masks: Masks | undefined;
  let values = await readValues(params);
  const state = (round: number): RoundState => ({ round, params, values, keep, total });
  const loss = weightDecayLoss(opts.weightDecay ?? 0);
  const history: RoundRecord[] = [];
  const dense = await ctx.evaluate("validation");
  history.push({ round: 0, remaining: 1, pruned: 0, valAccuracy: dense, epochs: 0, metrics: { ...opts.measure?.(state(0)) } });
  const done = (extra: Partial<PruningRoundsResult> = {}): PruningRoundsResult => ({
    masks,
    stoppedEarly: false,
    history,
    roundsRun: history.length - 1,
    budgetExhausted: false,
    ...extra,
  });
  try {
    for (let t = 1; t <= opts.rounds; t++) {
      ctx.throwIfAborted();
      if (ctx.checkBudget()) {
        if (opts.onBudgetExhausted) {
          opts.onBudgetExhausted(state(t));
          disposeMasks(masks);
          masks = toMasks(params, keep);
          applyMasks(net, masks);
        }
        ctx.log("trial budget exhausted; no further pruning rounds", { round: t });
        return done({ budgetExhausted: true });
      }
      const previous = opts.stopAfter ? { weights: await net.getWeights(), keep: keep.map((k) => Uint8Array.from(k)) } : undefined;
      const sel = opts.select(state(t));
      if (sel.stop !== undefined) {
        ctx.log("pruning rounds stopped by the method's rule", { round: t, reason: sel.stop });
        return done({ stopReason: sel.stop });
      }
      disposeMasks(masks);
      masks = undefined;
      masks = toMasks(params, keep);
      // Rewinding restores biases (and any other parameter) to w_init too; masks re-zero the pruned kernels.
      if (initial) net.setWeights(initial);
      applyMasks(net, masks);
      const epochs = opts.epochsFor(t);
      const ft = await ctx.fineTune({ epochs, masks, phase: "prune", progress: "none", ...(loss && { loss }) });
      values = await readValues(params);
      const remaining = total === 0 ? 1 : countKept(keep) / total;
      const valAccuracy = Number.isFinite(ft.lastValAccuracy) ? ft.lastValAccuracy : await ctx.evaluate("validation");
      const measured = { ...opts.measure?.(state(t)) };
      history.push({ round: t, remaining, pruned: sel.pruned, valAccuracy, epochs: ft.epochsRun, metrics: { ...measured, ...sel.info } });
      const progress: Record<string, number> = { sparsity: 1 - remaining, remaining, ...measured };
      if (Number.isFinite(valAccuracy)) progress["val_accuracy"] = valAccuracy;
      if (Number.isFinite(ft.lastLoss)) progress["loss"] = ft.lastLoss;
      const decision = await ctx.reportProgress("prune", progress);
      if (decision === "stop") return done({ stoppedEarly: true });
      if (previous) {
        const reason = opts.stopAfter?.(history);
        if (reason !== undefined) {
          // Back to the net before this round: the rule fired because this round degraded it.
          keep.forEach((k, i) => k.set(previous.keep[i] ?? k));
          disposeMasks(masks);
          masks = undefined;
          masks = toMasks(params, keep);
          net.setWeights(previous.weights);
          ctx.log("pruning rounds stopped by the method's rule; restored the previous round", { round: t, reason });
          return done({ stopReason: reason, restoredRound: t - 1 });
        }
      }
      if (ft.budgetExhausted) return done({ budgetExhausted: true });
    }
    return done();
  } catch (err) {
    disposeMasks(masks);
    throw err;
  }
}
