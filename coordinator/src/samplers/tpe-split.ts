/**
 * TPE's split of the history into "below" (good) and "above" (the rest), with the weights of
 * each observation, following Optuna's TPESampler (single objective) and its MOTPE variant
 * (Ozaki et al. 2020/2022) for several objectives:
 *
 * - feasible completed trials first, ordered by loss (one objective) or by non-domination
 *   rank with a greedy hypervolume subset selection in the last admitted front; then
 *   infeasible completed trials by total violation;
 * - below weights: Optuna's ramp (one objective) or each member's hypervolume contribution
 *   within the below set (several); above weights: the ramp in trial order.
 */
import { hypervolume } from "../pareto/index.js";

/** Smallest weight, as Optuna's EPS. */
const EPS = 1e-12;

/**
 * Optuna's default observation weights for `n` observations, oldest first: 1 for the newest
 * 25, a linear ramp from 1/n up for the older ones.
 */
export function rampWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const out: number[] = [];
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) out.push(1);
  return out;
}

/** Optuna's reference point for a set of losses: max(1.1·worst, 0.9·worst) per objective, 0 → EPS. */
export function tightReference(losses: readonly (readonly number[])[]): number[] {
  const dim = losses[0]?.length ?? 0;
  const ref: number[] = [];
  for (let m = 0; m < dim; m++) {
    let worst = Number.NEGATIVE_INFINITY;
    for (const l of losses) worst = Math.max(worst, l[m] as number);
    const r = Math.max(1.1 * worst, 0.9 * worst);
    ref.push(r === 0 ? EPS : r);
  }
  return ref;
}

/**
 * Greedy hypervolume subset selection (Guerreiro et al. 2016; Optuna's `_solve_hssp`): picks
 * `k` of `losses` one at a time, each maximising the hypervolume added to those already
 * chosen. Returns indices in the order picked; ties go to the lower index.
 */
export function greedyHypervolumeSubset(losses: readonly (readonly number[])[], k: number, reference: readonly number[]): number[] {
  const n = losses.length;
  if (k >= n) return losses.map((_, i) => i);
  const chosen: number[] = [];
  const taken = new Array<boolean>(n).fill(false);
  let hvChosen = 0;
  // Contributions only shrink as the set grows (lazy greedy): a stale upper bound that is
  // still the best after recomputation is the true maximum.
  const bound = losses.map((l) => hypervolume([l], reference));
  while (chosen.length < k) {
    let best = -1;
    let bestGain = Number.NEGATIVE_INFINITY;
    const order = losses.map((_, i) => i).filter((i) => !taken[i]).sort((a, b) => (bound[b] as number) - (bound[a] as number) || a - b);
    for (const i of order) {
      if ((bound[i] as number) < bestGain || ((bound[i] as number) === bestGain && i > best)) break;
      const gain = hypervolume([...chosen.map((c) => losses[c] as readonly number[]), losses[i] as readonly number[]], reference) - hvChosen;
      bound[i] = gain;
      if (gain > bestGain || (gain === bestGain && i < best)) {
        best = i;
        bestGain = gain;
      }
    }
    taken[best] = true;
    chosen.push(best);
    hvChosen += Math.max(0, bestGain);
  }
  return chosen;
}

/**
 * Weights of the below set for several objectives (Optuna's
 * `_calculate_weights_below_for_multi_objective`): each point's exclusive hypervolume
 * contribution within the set, plus EPS, divided by the largest. Infeasible points get EPS.
 */
export function hypervolumeWeights(losses: readonly (readonly number[])[], feasible: readonly boolean[]): number[] {
  const idx = losses.map((_, i) => i).filter((i) => feasible[i]);
  const out = new Array<number>(losses.length).fill(EPS);
  if (idx.length === 1) out[idx[0] as number] = 1;
  if (idx.length <= 1) return out;
  const pts = idx.map((i) => losses[i] as readonly number[]);
  const ref = tightReference(pts);
  const total = hypervolume(pts, ref);
  const contrib = pts.map((_, j) => total - hypervolume(pts.filter((__, q) => q !== j), ref) + EPS);
  const max = Math.max(...contrib);
  idx.forEach((i, j) => (out[i] = Math.min(1, Math.max(0, (contrib[j] as number) / max))));
  return out;
}
