/**
 * Early-exit evaluation (docs/methods.md §4.2, §4.5): per-exit accuracy, the accuracy vs expected
 * MACs curve over a τ grid, and the operating point picked by an {@link ExitRule}.
 *
 * Exits are evaluated in order; exit k < K answers when its confidence passes τ
 * (`max-softmax`: max_c p_c ≥ τ; `entropy`: H(p)/ln C ≤ τ), the final exit always answers.
 * A sample answered by exit k costs C_k (every head before it is counted, E2CM convention).
 */
import * as tf from "@tensorflow/tfjs";
import { sizeOf, type DataSplit } from "../data/types.js";
import type { ExitCriterion, ExitRule } from "../models/exits.js";
import type { Net } from "../models/net.js";
import { EVAL_BATCH_SIZE } from "./accuracy.js";
import type { ExitCost } from "./model-metrics.js";

/** Per-exit predictions of every example of a split. */
export interface ExitPredictions {
  readonly count: number;
  readonly labels: Int32Array;
  /** Per exit (final last): predicted class per example. */
  readonly predicted: readonly Int32Array[];
  /** Per exit: max softmax probability per example. */
  readonly maxProb: readonly Float32Array[];
  /** Per exit: entropy of the softmax divided by ln(C), in [0, 1]. */
  readonly entropy: readonly Float32Array[];
}

/** One τ of the curve. */
export interface ExitCurvePoint {
  readonly tau: number;
  readonly accuracy: number;
  /** Mean effective C_k over the examples. */
  readonly expectedMacs: number;
  /** Mean dense C_k over the examples. */
  readonly expectedDenseMacs: number;
  /** Fraction of the examples answered by each exit (final last). */
  readonly exitFractions: readonly number[];
}

/** Runs every exit on every example of `split` (inference mode). */
export async function predictExits(net: Net, split: DataSplit, batchSize = EVAL_BATCH_SIZE): Promise<ExitPredictions> {
  const k = net.exitNames.length;
  const n = split.count;
  const d = sizeOf(net.inputShape);
  const predicted = Array.from({ length: k }, () => new Int32Array(n));
  const maxProb = Array.from({ length: k }, () => new Float32Array(n));
  const entropy = Array.from({ length: k }, () => new Float32Array(n));
  const lnC = Math.log(net.numClasses);
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const outs = tf.tidy(() => {
      const x = tf.tensor(split.x.subarray(start * d, (start + m) * d), [m, ...net.inputShape], "float32");
      return net.forwardExits(x, { training: false }).flatMap((z) => {
        const logp = tf.logSoftmax(z);
        const p = tf.exp(logp);
        const h = tf.div(tf.neg(tf.sum(tf.mul(p, logp), 1)), lnC > 0 ? lnC : 1);
        return [tf.argMax(z, 1), tf.max(p, 1), h];
      });
    });
    for (let e = 0; e < k; e++) {
      const [arg, mp, h] = [outs[3 * e], outs[3 * e + 1], outs[3 * e + 2]] as [tf.Tensor, tf.Tensor, tf.Tensor];
      (predicted[e] as Int32Array).set((await arg.data()) as Int32Array, start);
      (maxProb[e] as Float32Array).set((await mp.data()) as Float32Array, start);
      (entropy[e] as Float32Array).set((await h.data()) as Float32Array, start);
    }
    tf.dispose(outs);
  }
  return { count: n, labels: split.y.subarray(0, n), predicted, maxProb, entropy };
}

/** Accuracy of each exit when every example leaves there (final last). NaN for an empty split. */
export function exitAccuracies(p: ExitPredictions): number[] {
  return p.predicted.map((pred) => {
    if (p.count === 0) return Number.NaN;
    let c = 0;
    for (let i = 0; i < p.count; i++) if (pred[i] === p.labels[i]) c++;
    return c / p.count;
  });
}

/** Whether exit `e` answers example `i` at threshold `tau`. */
function fires(p: ExitPredictions, e: number, i: number, criterion: ExitCriterion, tau: number): boolean {
  return criterion === "max-softmax" ? (p.maxProb[e]?.[i] ?? 0) >= tau : (p.entropy[e]?.[i] ?? 1) <= tau;
}

/** The curve point at one τ; `costs[k]` is C_k (final last). */
export function exitPoint(p: ExitPredictions, costs: readonly ExitCost[], criterion: ExitCriterion, tau: number): ExitCurvePoint {
  const k = p.predicted.length;
  const counts = new Array<number>(k).fill(0);
  let correct = 0;
  let eff = 0;
  let dense = 0;
  for (let i = 0; i < p.count; i++) {
    let e = 0;
    while (e < k - 1 && !fires(p, e, i, criterion, tau)) e++;
    counts[e] = (counts[e] ?? 0) + 1;
    if (p.predicted[e]?.[i] === p.labels[i]) correct++;
    eff += costs[e]?.effectiveMacs ?? 0;
    dense += costs[e]?.denseMacs ?? 0;
  }
  const n = Math.max(1, p.count);
  return { tau, accuracy: p.count === 0 ? Number.NaN : correct / n, expectedMacs: eff / n, expectedDenseMacs: dense / n, exitFractions: counts.map((c) => c / n) };
}

/** The curve over `grid` (ascending τ). */
export function exitCurve(p: ExitPredictions, costs: readonly ExitCost[], criterion: ExitCriterion, grid: readonly number[]): ExitCurvePoint[] {
  return grid.map((tau) => exitPoint(p, costs, criterion, tau));
}

/** How the operating point was chosen. */
export interface OperatingPointChoice {
  /** The chosen τ; undefined: no τ met the rule, every example goes to the final exit. */
  readonly tau: number | undefined;
  readonly reason: string;
}

/**
 * Picks τ: `rule.tau` when set; else the τ of `curve` with the lowest expected MACs whose
 * accuracy is at least `finalAccuracy − rule.maxAccuracyDrop` (ties: higher accuracy).
 */
export function chooseOperatingPoint(curve: readonly ExitCurvePoint[], rule: ExitRule, finalAccuracy: number): OperatingPointChoice {
  if (rule.tau !== undefined) return { tau: rule.tau, reason: `fixed tau ${rule.tau}` };
  const floor = finalAccuracy - rule.maxAccuracyDrop;
  let best: ExitCurvePoint | undefined;
  for (const pt of curve) {
    if (!(pt.accuracy >= floor - 1e-12)) continue;
    if (!best || pt.expectedMacs < best.expectedMacs || (pt.expectedMacs === best.expectedMacs && pt.accuracy > best.accuracy)) best = pt;
  }
  if (!best) return { tau: undefined, reason: `no tau keeps accuracy >= ${floor.toFixed(4)}; final exit only` };
  return { tau: best.tau, reason: `cheapest tau with accuracy >= final - ${rule.maxAccuracyDrop}` };
}
