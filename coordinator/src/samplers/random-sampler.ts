/**
 * The seeded reference sampler: each active parameter drawn independently from its
 * distribution with the `Rng` handed to `ask`.
 */
import { z } from "zod";
import { InvalidSearchSpaceError } from "../errors.js";
import { conditionsHold, sampleOrder } from "../search-space/conditions.js";
import type { Scalar } from "../search-space/distribution.js";
import { sampleValue } from "../search-space/encoding.js";
import { satisfiesConstraints } from "../search-space/param-constraints.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import type { ParamConstraint, ParamSpec } from "../domain/campaign-spec.js";
import type { Rng } from "../domain/rng.js";
import { enqueueSchema, samplerEntry, type SamplerView, type Sampler, type Suggestion } from "./sampler.js";

/** Draws before giving up on a space whose constraints rarely hold. */
export const MAX_CONSTRAINT_TRIES = 1000;

/**
 * One draw of every active parameter, in dependency order: a parameter is drawn only when
 * its conditions hold on the values drawn before it.
 */
function sampleParams(space: readonly ParamSpec[], rng: Rng): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const p of sampleOrder(space)) {
    if (conditionsHold(p, out, (n) => out[n] !== undefined)) out[p.name] = sampleValue(p.distribution, rng);
  }
  return out;
}

/**
 * Samples uniformly (log-uniformly for log parameters) and independently; draws again until
 * the parameter constraints hold. Stateless: `ask` depends only on the `Rng` it is given.
 */
export class RandomSampler implements Sampler {
  readonly name = "random";
  readonly derivesFromView = true;
  private readonly order: readonly ParamSpec[];
  private readonly constraints: readonly ParamConstraint[];

  /** @throws InvalidSearchSpaceError when the conditions form a cycle. */
  constructor(space: SearchSpace, private readonly maxTries = MAX_CONSTRAINT_TRIES) {
    this.order = sampleOrder(space.space);
    this.constraints = space.paramConstraints;
  }

  /**
   * Draws one parameter set; constraints also come from `view.paramConstraints` when set.
   *
   * @throws InvalidSearchSpaceError when no draw satisfies the constraints in `maxTries`.
   */
  ask(view: SamplerView, rng: Rng): Suggestion {
    const constraints = [...this.constraints, ...(view.paramConstraints ?? [])];
    for (let i = 0; i < this.maxTries; i++) {
      const params = sampleParams(this.order, rng);
      if (satisfiesConstraints(params, constraints)) return { kind: "params", params };
    }
    throw new InvalidSearchSpaceError(
      `no parameter set satisfying ${constraints.map((c) => c.source).join(", ")} found in ${this.maxTries} draws`,
    );
  }
}

/** The `random` sampler's registry entry. */
export const randomSamplerEntry = samplerEntry({
  name: "random",
  summary: "independent draws from each active parameter's distribution",
  options: z.strictObject({ name: z.literal("random"), enqueue: enqueueSchema }),
  create: (_o, space) => new RandomSampler(space),
});
