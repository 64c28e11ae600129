/** Samplers: the registry, the random, grid, Sobol', TPE and NSGA-II samplers, warm starts, and the seeded Rng. */
export { createSampler, samplerOptionIssues, SAMPLERS, SAMPLER_NAMES } from "./registry.js";
export { trialsFromResults } from "./warm-start.js";
export { RandomSampler } from "./random-sampler.js";
export { GridSampler, enumerateGrid, paramsKey } from "./grid-sampler.js";
export { SobolSampler } from "./sobol-sampler.js";
export { SobolSequence, directionNumbers } from "./sobol-sequence.js";
export { TpeSampler } from "./tpe-sampler.js";
export { Nsga2Sampler } from "./nsga2-sampler.js";
export { sbx, polynomialMutation } from "./genetic-operators.js";
export { Rng, seedFrom } from "../domain/rng.js";
export type { Sampler, Suggestion, SamplerView } from "./sampler.js";
