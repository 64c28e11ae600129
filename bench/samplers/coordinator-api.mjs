/**
 * The coordinator code the benchmark runs, from its build output (`npx tsc -b coordinator`).
 * The samplers, stoppers and search-space parser are imported from their modules rather than
 * the package entry so that the benchmark does not load the transport layer.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "coordinator", "dist");
if (!existsSync(join(dist, "samplers", "index.js"))) {
  throw new Error(`${dist} is missing: build the coordinator first (npx tsc -b coordinator, or npm run build)`);
}
const samplers = await import(join(dist, "samplers", "index.js"));
const pareto = await import(join(dist, "pareto", "index.js"));
const searchSpace = await import(join(dist, "search-space", "index.js"));
const earlyStopping = await import(join(dist, "early-stopping", "index.js"));

export const { Rng, seedFrom, createSampler, RandomSampler, SobolSampler, TpeSampler, Nsga2Sampler } = samplers;
export const { hypervolume } = pareto;
export const { parseSearchSpace } = searchSpace;
export const { createEarlyStopper } = earlyStopping;
