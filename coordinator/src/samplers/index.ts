/** Samplers: the registry, the random and grid samplers, and the seeded Rng. */
export { createSampler, samplerOptionIssues, SAMPLER_NAMES, IMPLEMENTED_SAMPLER_NAMES } from "./registry.js";
export { DEFAULT_GRID_POINTS, DEFAULT_MAX_GRID_SIZE } from "./registry.js";
export { RandomSampler, sampleParams, MAX_CONSTRAINT_TRIES } from "./random-sampler.js";
export { GridSampler, enumerateGrid, paramsKey } from "./grid-sampler.js";
export type { GridSamplerOptions } from "./grid-sampler.js";
export { Rng, seedFrom } from "./rng.js";
export type { Sampler, Suggestion, CampaignView } from "./sampler.js";
export { isFeasible } from "../spec/metric-constraints.js";
export { paretoFront, referencePoint, frontCandidates } from "../domain/front.js";
