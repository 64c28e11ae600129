/**
 * The best few non-domination fronts of a growing point set, maintained incrementally so that
 * TPE's "below" split stays cheap at 10,000 trials.
 *
 * Invariant: `members` is exactly the set of points of global non-domination rank <= `depth`
 * (ranks over every point added so far), with those ranks. Adding a point p keeps it: a
 * point of rank <= depth has all its dominators at smaller ranks, so they are members, and
 * ranks computed over members ∪ {p} are global ranks; points outside never move up. When the
 * members become too few, the pool is rebuilt from every point with a deeper cut.
 */
import { dominates, nonDominatedRanks, paretoFrontMask } from "../pareto/index.js";

/** A point with a loss vector and a tie-breaking order key (smaller = older). */
export interface PoolPoint {
  readonly loss: readonly number[];
  readonly order: number;
}

/** Incremental top fronts of a point set; see the module note. */
export class FrontPool<T extends PoolPoint> {
  private all: T[] = [];
  private members: T[] = [];
  private ranks: number[] = [];
  private depth = -1;

  /** @param minMembers the pool keeps complete fronts holding at least this many points (when there are that many). */
  constructor(private readonly minMembers: number) {}

  /** Number of points added. */
  get count(): number {
    return this.all.length;
  }

  add(p: T): void {
    this.all.push(p);
    if (this.depth < 0) return this.rebuild();
    // Rank of p among the members: one more than the deepest member dominating it.
    let rank = 0;
    this.members.forEach((q, i) => {
      if (dominates(q.loss, p.loss)) rank = Math.max(rank, (this.ranks[i] as number) + 1);
    });
    if (rank <= this.depth) {
      const pts = [...this.members, p];
      const ranks = nonDominatedRanks(pts.map((x) => x.loss));
      const keep = pts.map((_, i) => i).filter((i) => (ranks[i] as number) <= this.depth);
      this.members = keep.map((i) => pts[i] as T);
      this.ranks = keep.map((i) => ranks[i] as number);
    }
    if (this.members.length < Math.min(this.minMembers, this.all.length)) this.rebuild();
  }

  /**
   * The points of the first fronts in rank order, each front sorted by `order`; at least
   * `n` points when the pool has that many (whole fronts, so possibly more).
   */
  fronts(n: number): T[][] {
    const byRank: T[][] = [];
    this.members.forEach((m, i) => {
      const r = this.ranks[i] as number;
      while (byRank.length <= r) byRank.push([]);
      (byRank[r] as T[]).push(m);
    });
    const out: T[][] = [];
    let count = 0;
    for (const f of byRank) {
      if (count >= n) break;
      if (f.length === 0) continue;
      out.push([...f].sort((a, b) => a.order - b.order));
      count += f.length;
    }
    return out;
  }

  /** Recomputes the members from every point, peeling fronts until `2 × minMembers` are in. */
  private rebuild(): void {
    const target = Math.min(this.all.length, 2 * this.minMembers);
    let remaining = this.all;
    const members: T[] = [];
    const ranks: number[] = [];
    let rank = 0;
    while (members.length < target && remaining.length > 0) {
      // Peel one front at a time: only the first few fronts are needed.
      const front = paretoFrontMask(remaining.map((x) => x.loss));
      const next: T[] = [];
      remaining.forEach((x, i) => {
        if (front[i]) {
          members.push(x);
          ranks.push(rank);
        } else next.push(x);
      });
      remaining = next;
      rank++;
    }
    this.members = members;
    this.ranks = ranks;
    this.depth = Math.max(0, rank - 1);
  }
}
