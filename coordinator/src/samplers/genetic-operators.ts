/**
 * Variation operators of real-coded genetic algorithms on unit coordinates in [0, 1]:
 * simulated binary crossover and polynomial mutation, in the bounded forms of Deb's NSGA-II
 * reference code (Deb and Agrawal 1995; Deb and Goyal 1996). Randomness comes from the `Rng`
 * argument only.
 */
import type { Rng } from "../domain/rng.js";

/** Parents closer than this are copied rather than crossed (the reference code's EPS). */
const SBX_EPS = 1e-14;

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/**
 * Bounded simulated binary crossover (SBX) of two values in [0, 1] with distribution index
 * `eta` (larger → children closer to the parents). Returns both children; which child
 * lies near which parent is randomised, as pymoo does.
 */
export function sbx(x1: number, x2: number, eta: number, rng: Rng): [number, number] {
  if (Math.abs(x1 - x2) <= SBX_EPS) return [x1, x2];
  const y1 = Math.min(x1, x2);
  const y2 = Math.max(x1, x2);
  const delta = y2 - y1;
  const u = rng.random();
  const betaq = (beta: number): number => {
    const alpha = 2 - beta ** -(eta + 1);
    return u <= 1 / alpha ? (u * alpha) ** (1 / (eta + 1)) : (1 / (2 - u * alpha)) ** (1 / (eta + 1));
  };
  // Spread factors limited by the distance of each parent to its bound.
  const c1 = clamp01(0.5 * (y1 + y2 - betaq(1 + (2 * y1) / delta) * delta));
  const c2 = clamp01(0.5 * (y1 + y2 + betaq(1 + (2 * (1 - y2)) / delta) * delta));
  return rng.random() < 0.5 ? [c2, c1] : [c1, c2];
}

/** Bounded polynomial mutation of a value in [0, 1] with distribution index `eta`. */
export function polynomialMutation(x: number, eta: number, rng: Rng): number {
  const u = rng.random();
  const power = 1 / (eta + 1);
  let deltaq: number;
  if (u < 0.5) {
    const xy = 1 - x;
    const val = 2 * u + (1 - 2 * u) * xy ** (eta + 1);
    deltaq = val ** power - 1;
  } else {
    const xy = x;
    const val = 2 * (1 - u) + 2 * (u - 0.5) * xy ** (eta + 1);
    deltaq = 1 - val ** power;
  }
  return clamp01(x + deltaq);
}
