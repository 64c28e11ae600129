/** Sparsity schedules of iterative pruning. */

/**
 * Sparsity after round `r` (1-based) of `rounds` on the polynomial (cubic) schedule of Zhu &
 * Gupta (2017): s_r = s_f + (s_0 - s_f)(1 - r/rounds)^3. Rises fast early, flattens late;
 * round `rounds` gives exactly `sf`.
 */
export function polynomialSchedule(s0: number, sf: number, r: number, rounds: number): number {
  if (rounds <= 0 || r >= rounds) return sf;
  return sf + (s0 - sf) * Math.pow(1 - r / rounds, 3);
}

/**
 * Fraction of the weights left after `t` rounds that each prune `rate` of the remaining
 * weights (lottery-ticket / one-shot baselines): (1 - rate)^t.
 */
export function geometricRemaining(rate: number, t: number): number {
  return Math.pow(1 - rate, t);
}
