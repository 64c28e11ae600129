/**
 * Sampler registry: the names a spec may use, their option schemas, and
 * {@link createSampler}. Unknown names and names not implemented yet fail with a
 * {@link SpecError} at `sampler.name` that lists what is available.
 */
import { z } from "zod";
import { SpecError, type SpecIssue } from "../errors.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import { parseWith } from "../spec/issues.js";
import type { ParamConstraint, ParamSpec, SamplerConfig } from "../spec/types.js";
import { GridSampler } from "./grid-sampler.js";
import { RandomSampler } from "./random-sampler.js";
import type { Sampler } from "./sampler.js";

/** Every sampler name a spec may use (campaign-spec.md `sampler.name`). */
export const SAMPLER_NAMES: readonly string[] = ["grid", "random", "sobol", "tpe", "nsga2"];

/** Values a grid tries for a float parameter without `step` (`sampler.gridPoints`). */
export const DEFAULT_GRID_POINTS = 5;
/** Largest grid accepted before constraints are applied (`sampler.maxGridSize`). */
export const DEFAULT_MAX_GRID_SIZE = 100_000;

const gridOptions = z.strictObject({
  name: z.literal("grid"),
  gridPoints: z.number().int().min(2).default(DEFAULT_GRID_POINTS),
  shuffle: z.boolean().default(false),
  maxGridSize: z.number().int().min(1).default(DEFAULT_MAX_GRID_SIZE),
});
const randomOptions = z.strictObject({ name: z.literal("random") });

interface SamplerEntry {
  /** Validates and defaults the options (`{name, ...}`); absent for samplers not built yet. */
  readonly options?: z.ZodType<{ name: string }>;
  readonly create?: (options: never, space: SearchSpace, seed: number) => Sampler;
}

const REGISTRY: Readonly<Record<string, SamplerEntry>> = {
  random: { options: randomOptions, create: (_o: z.output<typeof randomOptions>, space) => new RandomSampler(space) },
  grid: {
    options: gridOptions,
    create: (o: z.output<typeof gridOptions>, space, seed) => new GridSampler(space, { ...o, seed }),
  },
  sobol: {},
  tpe: {},
  nsga2: {},
};

/** Names of the samplers this build implements. */
export const IMPLEMENTED_SAMPLER_NAMES: readonly string[] = Object.entries(REGISTRY)
  .filter(([, e]) => e.create !== undefined)
  .map(([n]) => n);

/**
 * Issues with a sampler's options, located under `path` (`sampler.gridPoints: must be >= 2`).
 * Samplers that are not implemented yet accept any options.
 */
export function samplerOptionIssues(config: SamplerConfig, path = "sampler"): SpecIssue[] {
  const schema = REGISTRY[config.name]?.options;
  if (!schema) return [];
  const r = parseWith(schema, config, [path]);
  return r.ok ? [] : r.issues;
}

/**
 * Creates the sampler a spec names. `space` is the spec's parameter list, or a
 * {@link SearchSpace} (e.g. the whole `CampaignSpec`), whose `paramConstraints` are then
 * enforced; extra `paramConstraints` may also be passed explicitly.
 *
 * @param seed seeds sampler-owned randomness (the grid's optional shuffle); per-trial draws
 * use the `Rng` passed to `ask`.
 * @throws SpecError at `sampler.name` for an unknown or unimplemented sampler, or at
 * `sampler.<option>` for invalid options.
 * @throws InvalidSearchSpaceError when the space cannot be sampled (e.g. a grid too large).
 */
export function createSampler(
  config: SamplerConfig,
  space: readonly ParamSpec[] | SearchSpace,
  seed: number,
  paramConstraints: readonly ParamConstraint[] = [],
): Sampler {
  const entry = REGISTRY[config.name];
  if (!entry) {
    throw new SpecError([
      { path: "sampler.name", message: `unknown sampler "${config.name}"; must be one of: ${SAMPLER_NAMES.join(", ")}` },
    ]);
  }
  if (!entry.create || !entry.options) {
    throw new SpecError([
      {
        path: "sampler.name",
        message: `sampler "${config.name}" is not implemented yet; available: ${IMPLEMENTED_SAMPLER_NAMES.join(", ")}`,
      },
    ]);
  }
  const r = parseWith(entry.options, config, ["sampler"]);
  if (!r.ok) throw new SpecError(r.issues);
  const full: SearchSpace = isSpaceList(space)
    ? { space, paramConstraints }
    : { space: space.space, paramConstraints: [...space.paramConstraints, ...paramConstraints] };
  return (entry.create as (o: unknown, s: SearchSpace, seed: number) => Sampler)(r.data, full, seed);
}

const isSpaceList = (s: readonly ParamSpec[] | SearchSpace): s is readonly ParamSpec[] => Array.isArray(s);
