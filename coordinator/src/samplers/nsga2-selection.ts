/**
 * NSGA-II survival and mating selection (Deb et al. 2002) with constraint domination: a
 * feasible point beats an infeasible one, infeasible points compare by total violation, and
 * feasible points by Pareto dominance. Pure functions over loss vectors and violations.
 */
import { crowdingDistance, nonDominatedRanks } from "../pareto/index.js";
import type { Rng } from "../domain/rng.js";

/** A point to select: its loss vector (minimised) and total constraint violation (0 = feasible). */
export interface Candidate {
  readonly loss: readonly number[];
  readonly violation: number;
}

/**
 * Constrained non-domination rank of each point: feasible points get their Pareto rank
 * (0 = front); infeasible points come after every feasible rank, one rank per distinct
 * violation value in increasing order.
 */
export function constrainedRanks(points: readonly Candidate[]): number[] {
  const feasible: number[] = [];
  const infeasible: number[] = [];
  points.forEach((p, i) => (p.violation > 0 ? infeasible : feasible).push(i));
  const ranks = new Array<number>(points.length).fill(0);
  const fr = nonDominatedRanks(feasible.map((i) => (points[i] as Candidate).loss));
  let next = 0;
  feasible.forEach((i, k) => {
    ranks[i] = fr[k] as number;
    next = Math.max(next, (fr[k] as number) + 1);
  });
  const byViolation = [...infeasible].sort((a, b) => (points[a] as Candidate).violation - (points[b] as Candidate).violation || a - b);
  let prev = Number.NaN;
  for (const i of byViolation) {
    const v = (points[i] as Candidate).violation;
    if (v !== prev && !Number.isNaN(prev)) next++;
    ranks[i] = next;
    prev = v;
  }
  return ranks;
}

/** Crowding distance of each point within its own rank. */
function crowdingByRank(points: readonly Candidate[], ranks: readonly number[]): number[] {
  const out = new Array<number>(points.length).fill(0);
  const groups = new Map<number, number[]>();
  ranks.forEach((r, i) => {
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  });
  for (const idx of groups.values()) {
    const d = crowdingDistance(idx.map((i) => (points[i] as Candidate).loss));
    idx.forEach((i, k) => (out[i] = d[k] as number));
  }
  return out;
}

/** A selected population with the rank and crowding distance of each member. */
export interface Population<T> {
  readonly members: readonly T[];
  readonly ranks: readonly number[];
  readonly crowding: readonly number[];
}

/**
 * NSGA-II survival: the `size` best points by constrained rank, the last admitted front cut by
 * decreasing crowding distance. Ties keep input order, so callers pass points in a
 * deterministic order (by trial number).
 */
export function selectElites<T extends Candidate>(points: readonly T[], size: number): Population<T> {
  if (points.length === 0) return { members: [], ranks: [], crowding: [] };
  const ranks = constrainedRanks(points);
  const order = points.map((_, i) => i).sort((a, b) => (ranks[a] as number) - (ranks[b] as number) || a - b);
  const chosen: number[] = [];
  let k = 0;
  while (k < order.length && chosen.length < size) {
    const r = ranks[order[k] as number] as number;
    let end = k;
    while (end < order.length && ranks[order[end] as number] === r) end++;
    const front = order.slice(k, end);
    if (chosen.length + front.length <= size) chosen.push(...front);
    else {
      const d = crowdingDistance(front.map((i) => (points[i] as T).loss));
      const byCrowding = front.map((i, j) => ({ i, d: d[j] as number })).sort((a, b) => b.d - a.d || a.i - b.i);
      chosen.push(...byCrowding.slice(0, size - chosen.length).map((x) => x.i));
    }
    k = end;
  }
  chosen.sort((a, b) => a - b);
  const members = chosen.map((i) => points[i] as T);
  const memberRanks = chosen.map((i) => ranks[i] as number);
  return { members, ranks: memberRanks, crowding: crowdingByRank(members, memberRanks) };
}

/**
 * Binary crowded tournament: two members drawn at random; the lower rank wins, then the larger
 * crowding distance, then the first drawn.
 */
export function tournament<T>(pop: Population<T>, rng: Rng): number {
  const n = pop.members.length;
  const a = rng.int(0, n - 1);
  const b = rng.int(0, n - 1);
  const ra = pop.ranks[a] as number;
  const rb = pop.ranks[b] as number;
  if (ra !== rb) return ra < rb ? a : b;
  return (pop.crowding[b] as number) > (pop.crowding[a] as number) ? b : a;
}
