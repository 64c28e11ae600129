/**
 * Sampler registry: the names a spec may use, their option schemas, and
 * {@link createSampler}. Unknown names and names not implemented yet fail with a
 * {@link SpecError} at `sampler.name` that lists what is available.
 */
import { z } from "zod";
import { SpecError, type SpecIssue } from "../errors.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import { parseWith } from "../domain/spec-issues.js";
import type { ParamConstraint, ParamSpec, SamplerConfig } from "../domain/campaign-spec.js";
import { GridSampler } from "./grid-sampler.js";
import { Nsga2Sampler } from "./nsga2-sampler.js";
import { RandomSampler } from "./random-sampler.js";
import type { Sampler } from "./sampler.js";
import { SobolSampler } from "./sobol-sampler.js";
import { TpeSampler } from "./tpe-sampler.js";
import { EnqueuedSampler, enqueueIssues, enqueueSchema, type EnqueuedParams } from "./warm-start.js";

/** Every sampler name a spec may use (campaign-spec.md `sampler.name`). */
export const SAMPLER_NAMES: readonly string[] = ["grid", "random", "sobol", "tpe", "nsga2"];

/** Values a grid tries for a float parameter without `step` (`sampler.gridPoints`). */
const DEFAULT_GRID_POINTS = 5;
/** Largest grid accepted before constraints are applied (`sampler.maxGridSize`). */
const DEFAULT_MAX_GRID_SIZE = 100_000;

const gridOptions = z.strictObject({
  name: z.literal("grid"),
  gridPoints: z.number().int().min(2).default(DEFAULT_GRID_POINTS),
  shuffle: z.boolean().default(false),
  maxGridSize: z.number().int().min(1).default(DEFAULT_MAX_GRID_SIZE),
});
/** Defaults of the TPE options (`sampler.<option>`); see {@link TpeSampler}. */
const DEFAULT_TPE_OPTIONS = {
  nStartupTrials: 10,
  nEiCandidates: 24,
  gamma: 0.1,
  maxBelow: 25,
  priorWeight: 1,
  multivariate: true,
  bandwidthFactor: 3,
  mixedCandidates: 0.5,
  constantLiar: true,
  maxAbove: 500,
} as const;
/** Defaults of the NSGA-II options (`sampler.<option>`); see {@link Nsga2Sampler}. */
const DEFAULT_NSGA2_OPTIONS = {
  populationSize: 50,
  crossover: "uniform",
  crossoverProb: 0.9,
  crossoverEta: 20,
  mutationEta: 20,
  swappingProb: 0.5,
} as const;

const probability = z.number().min(0).max(1);
const randomOptions = z.strictObject({ name: z.literal("random"), enqueue: enqueueSchema });
const sobolOptions = z.strictObject({ name: z.literal("sobol"), scramble: z.boolean().default(true), enqueue: enqueueSchema });
const tpeOptions = z.strictObject({
  name: z.literal("tpe"),
  nStartupTrials: z.number().int().min(0).default(DEFAULT_TPE_OPTIONS.nStartupTrials),
  nEiCandidates: z.number().int().min(1).default(DEFAULT_TPE_OPTIONS.nEiCandidates),
  gamma: z.number().gt(0).max(1).default(DEFAULT_TPE_OPTIONS.gamma),
  maxBelow: z.number().int().min(1).default(DEFAULT_TPE_OPTIONS.maxBelow),
  priorWeight: z.number().gt(0).default(DEFAULT_TPE_OPTIONS.priorWeight),
  multivariate: z.boolean().default(DEFAULT_TPE_OPTIONS.multivariate),
  bandwidthFactor: z.number().gt(0).max(100).default(DEFAULT_TPE_OPTIONS.bandwidthFactor),
  mixedCandidates: probability.default(DEFAULT_TPE_OPTIONS.mixedCandidates),
  constantLiar: z.boolean().default(DEFAULT_TPE_OPTIONS.constantLiar),
  maxAbove: z.number().int().min(10).default(DEFAULT_TPE_OPTIONS.maxAbove),
  enqueue: enqueueSchema,
});
const nsga2Options = z.strictObject({
  name: z.literal("nsga2"),
  populationSize: z.number().int().min(2).default(DEFAULT_NSGA2_OPTIONS.populationSize),
  crossover: z.enum(["uniform", "sbx"]).default(DEFAULT_NSGA2_OPTIONS.crossover),
  crossoverProb: probability.default(DEFAULT_NSGA2_OPTIONS.crossoverProb),
  crossoverEta: z.number().min(0).default(DEFAULT_NSGA2_OPTIONS.crossoverEta),
  mutationEta: z.number().min(0).default(DEFAULT_NSGA2_OPTIONS.mutationEta),
  mutationProb: probability.optional(),
  swappingProb: probability.default(DEFAULT_NSGA2_OPTIONS.swappingProb),
  enqueue: enqueueSchema,
});

interface SamplerEntry {
  /** Validates and defaults the options (`{name, ...}`); absent for samplers not built yet. */
  readonly options?: z.ZodType<{ name: string; enqueue?: readonly EnqueuedParams[] }>;
  readonly create?: (options: never, space: SearchSpace, seed: number) => Sampler;
}

const REGISTRY: Readonly<Record<string, SamplerEntry>> = {
  random: { options: randomOptions, create: (_o: z.output<typeof randomOptions>, space) => new RandomSampler(space) },
  grid: {
    options: gridOptions,
    create: (o: z.output<typeof gridOptions>, space, seed) => new GridSampler(space, { ...o, seed }),
  },
  sobol: {
    options: sobolOptions,
    create: (o: z.output<typeof sobolOptions>, space, seed) => new SobolSampler(space, { scramble: o.scramble, seed }),
  },
  tpe: {
    options: tpeOptions,
    create: (o: z.output<typeof tpeOptions>, space) => new TpeSampler(space, withoutEnqueue(o)),
  },
  nsga2: {
    options: nsga2Options,
    create: (o: z.output<typeof nsga2Options>, space) => new Nsga2Sampler(space, withoutEnqueue(o)),
  },
};

/** The options minus the registry-level ones (`name`, `enqueue`). */
function withoutEnqueue<T extends { name: string; enqueue?: unknown }>(o: T): Omit<T, "name" | "enqueue"> {
  const { name: _name, enqueue: _enqueue, ...rest } = o;
  return rest;
}

/** Names of the samplers this build implements. */
export const IMPLEMENTED_SAMPLER_NAMES: readonly string[] = Object.entries(REGISTRY)
  .filter(([, e]) => e.create !== undefined)
  .map(([n]) => n);

/**
 * Issues with a sampler's options, located under `path` (`sampler.gridPoints: must be >= 2`).
 * With `space`, `enqueue` entries are also checked against it (`sampler.enqueue.0.x: unknown
 * parameter`). Samplers that are not implemented yet accept any options.
 */
export function samplerOptionIssues(config: SamplerConfig, path = "sampler", space?: SearchSpace): SpecIssue[] {
  const schema = REGISTRY[config.name]?.options;
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
 * @throws SpecError at `sampler.name` for an unknown or unimplemented sampler, or at
 * `sampler.<option>` for invalid options (`sampler.enqueue.<i>.<param>` for enqueued values).
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
  const enqueue = r.data.enqueue ?? [];
  const issues = enqueueIssues(enqueue, full);
  if (issues.length > 0) throw new SpecError(issues);
  const sampler = (entry.create as (o: unknown, s: SearchSpace, seed: number) => Sampler)(r.data, full, seed);
  return enqueue.length > 0 ? new EnqueuedSampler(sampler, enqueue, full) : sampler;
}

const isSpaceList = (s: readonly ParamSpec[] | SearchSpace): s is readonly ParamSpec[] => Array.isArray(s);
