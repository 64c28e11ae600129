/**
 * Quasi-random sampling: trial n gets the n-th Sobol' point (of those satisfying the
 * parameter constraints), decoded through the unit-cube encoding. Conditional parameters are
 * handled by decoding only the active ones; each parameter owns one dimension whether or not
 * it is active.
 */
import { z } from "zod";
import { InvalidSearchSpaceError } from "../errors.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import type { ParamConstraint } from "../domain/campaign-spec.js";
import { MAX_CONSTRAINT_TRIES } from "./random-sampler.js";
import type { Rng } from "../domain/rng.js";
import { enqueueSchema, samplerEntry, type SamplerView, type Sampler, type Suggestion } from "./sampler.js";
import { SobolSequence } from "./sobol-sequence.js";
import { UnitSpace } from "./unit-space.js";
import type { Scalar } from "../search-space/distribution.js";

/** Options of {@link SobolSampler}. */
export interface SobolSamplerOptions {
  /**
   * Scramble the sequence (linear matrix scramble + digital shift) with `seed`. Scrambled
   * points are uniformly distributed and keep the sequence's balance; unscrambled points are
   * the classic sequence without its first point (the origin). @default true
   */
  readonly scramble?: boolean;
  /** Seed of the scramble. @default 0 */
  readonly seed?: number;
}

/**
 * Suggests the points of one Sobol' sequence in order. Trial number n (the number of trials
 * in the view) gets the n-th point that satisfies the parameter constraints, so suggestions
 * are a pure function of n: asking twice for the same view gives the same point, and a
 * rebuilt sampler continues where the campaign left off. The per-trial `Rng` is unused.
 *
 * The scrambled sequence keeps its first point: scrambling moves it off the origin, and
 * dropping it would break the balance of the first 2^k points (Owen, "On dropping the first
 * Sobol' point", 2022). Unscrambled, the origin is skipped.
 */
export class SobolSampler implements Sampler {
  readonly name = "sobol";
  readonly derivesFromView = true;
  private readonly unit: UnitSpace;
  private readonly sequence: SobolSequence;
  private readonly firstIndex: number;
  /** Sequence indices of the points accepted so far, in order (memo of the pure mapping). */
  private accepted: number[] = [];
  private acceptedFor = "";

  /** @throws InvalidSearchSpaceError when the space has more than 512 parameters or cyclic conditions. */
  constructor(space: SearchSpace, options: SobolSamplerOptions = {}) {
    this.unit = new UnitSpace(space);
    const scramble = options.scramble ?? true;
    this.sequence = new SobolSequence(Math.max(1, this.unit.dim), { scramble, seed: options.seed ?? 0 });
    this.firstIndex = scramble ? 0 : 1;
  }

  /**
   * The point for trial number `view.trials.length`.
   *
   * @throws InvalidSearchSpaceError when `MAX_CONSTRAINT_TRIES` consecutive points violate
   * the parameter constraints.
   */
  ask(view: SamplerView, _rng?: Rng): Suggestion {
    const extra = view.paramConstraints ?? [];
    const key = extra.map((c) => c.source).join("\n");
    if (key !== this.acceptedFor) {
      this.accepted = [];
      this.acceptedFor = key;
    }
    const n = view.trials.length;
    while (this.accepted.length <= n) this.acceptNext(extra);
    return { kind: "params", params: this.paramsAt(this.accepted[n] as number) };
  }

  private paramsAt(index: number): Record<string, Scalar> {
    const u = this.sequence.point(index);
    return this.unit.decode(u, () => 0.5);
  }

  private acceptNext(extra: readonly ParamConstraint[]): void {
    let index = this.accepted.length === 0 ? this.firstIndex : (this.accepted[this.accepted.length - 1] as number) + 1;
    for (let tries = 0; tries < MAX_CONSTRAINT_TRIES; tries++, index++) {
      if (this.unit.satisfies(this.paramsAt(index), extra)) {
        this.accepted.push(index);
        return;
      }
    }
    const all = [...this.unit.constraints, ...extra].map((c) => c.source).join(", ");
    throw new InvalidSearchSpaceError(`no Sobol' point satisfying ${all} found in ${MAX_CONSTRAINT_TRIES} consecutive points`);
  }
}

/** The `sobol` sampler's registry entry. */
export const sobolSamplerEntry = samplerEntry({
  name: "sobol",
  summary: "scrambled Sobol' sequence over the unit cube (all-zero point skipped when unscrambled)",
  options: z.strictObject({ name: z.literal("sobol"), scramble: z.boolean().default(true).describe("scramble the sequence (seeded); unscrambled, the origin is skipped"), enqueue: enqueueSchema }),
  create: (o, space, seed) => new SobolSampler(space, { scramble: o.scramble, seed }),
});
