/**
 * Sampler registry: the samplers a spec may name. Each sampler file exports its entry (name,
 * one-line summary, options schema, constructor); add a sampler by writing its file and
 * listing its entry here (docs/extending.md). Unknown names fail with a {@link SpecError} at
 * `sampler.name` that lists the registered ones.
 */
import { SpecError, type SpecIssue } from "../errors.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import { parseWith } from "../domain/spec-issues.js";
import type { ParamConstraint, ParamSpec, SamplerConfig } from "../domain/campaign-spec.js";
import { gridSamplerEntry } from "./grid-sampler.js";
import { nsga2SamplerEntry } from "./nsga2-sampler.js";
import { randomSamplerEntry } from "./random-sampler.js";
import type { Sampler, SamplerEntry } from "./sampler.js";
import { sobolSamplerEntry } from "./sobol-sampler.js";
import { tpeSamplerEntry } from "./tpe-sampler.js";
import { EnqueuedSampler, enqueueIssues } from "./warm-start.js";

/** Every registered sampler, in the order error messages and docs list them. */
export const SAMPLERS: readonly SamplerEntry[] = [gridSamplerEntry, randomSamplerEntry, sobolSamplerEntry, tpeSamplerEntry, nsga2SamplerEntry];

/** Every sampler name a spec may use (`sampler.name`). */
export const SAMPLER_NAMES: readonly string[] = SAMPLERS.map((e) => e.name);

const findSampler = (name: string): SamplerEntry | undefined => SAMPLERS.find((e) => e.name === name);

/**
 * Issues with a sampler's options, located under `path` (`sampler.gridPoints: must be >= 2`).
 * With `space`, `enqueue` entries are also checked against it (`sampler.enqueue.0.x: unknown
 * parameter`). Unknown sampler names are left to the spec schema.
 */
export function samplerOptionIssues(config: SamplerConfig, path = "sampler", space?: SearchSpace): SpecIssue[] {
  const schema = findSampler(config.name)?.options;
  if (!schema) return [];
  const r = parseWith(schema, config, [path]);
  if (!r.ok) return r.issues;
  return space && r.data.enqueue ? enqueueIssues(r.data.enqueue, space, `${path}.enqueue`) : [];
}

/**
 * Creates the sampler a spec names. `space` is the spec's parameter list, or a
 * {@link SearchSpace} (e.g. the whole `CampaignSpec`), whose `paramConstraints` are then
 * enforced; extra `paramConstraints` may also be passed explicitly. With `enqueue`, the
 * sampler is wrapped so that the first trials use those configurations.
 *
 * @param seed seeds sampler-owned randomness (the grid's optional shuffle, the Sobol'
 * scramble); per-trial draws use the `Rng` passed to `ask`.
 * @throws SpecError at `sampler.name` for an unknown sampler, or at
 * `sampler.<option>` for invalid options (`sampler.enqueue.<i>.<param>` for enqueued values).
 * @throws InvalidSearchSpaceError when the space cannot be sampled (e.g. a grid too large).
 */
export function createSampler(
  config: SamplerConfig,
  space: readonly ParamSpec[] | SearchSpace,
  seed: number,
  paramConstraints: readonly ParamConstraint[] = [],
): Sampler {
  const entry = findSampler(config.name);
  if (!entry) {
    throw new SpecError([
      { path: "sampler.name", message: `unknown sampler "${config.name}"; must be one of: ${SAMPLER_NAMES.join(", ")}` },
    ]);
  }
  const r = parseWith(entry.options, config, ["sampler"]);
  if (!r.ok) throw new SpecError(r.issues);
  const full: SearchSpace = isSpaceList(space)
    ? { space, paramConstraints }
    : { space: space.space, paramConstraints: [...space.paramConstraints, ...paramConstraints] };
  const enqueue = r.data.enqueue ?? [];
  const issues = enqueueIssues(enqueue, full);
  if (issues.length > 0) throw new SpecError(issues);
  const sampler = entry.create(r.data, full, seed);
  return enqueue.length > 0 ? new EnqueuedSampler(sampler, enqueue, full) : sampler;
}

const isSpaceList = (s: readonly ParamSpec[] | SearchSpace): s is readonly ParamSpec[] => Array.isArray(s);
