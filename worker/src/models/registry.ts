/**
 * Model registry: `buildModel(name, options, inputShape, numClasses, seed)`.
 * Add an architecture by adding a builder to {@link MODEL_BUILDERS}.
 */
import * as z from "zod";
import { InvalidTaskError, UnknownModelError } from "../errors.js";
import { buildLenet300100, buildMlpModel } from "./mlp.js";
import type { Net } from "./net.js";
import type { ModelBuildArgs } from "./registry-types.js";

/** A model builder; validates `args.options` (zod) and returns a freshly initialised net. */
export type ModelBuilder = (args: ModelBuildArgs) => Net;

/** Registered builders by name. */
export const MODEL_BUILDERS: ReadonlyMap<string, ModelBuilder> = new Map<string, ModelBuilder>([
  ["lenet-300-100", buildLenet300100],
  ["mlp", buildMlpModel],
]);

/** Names of the registered architectures. */
export const MODEL_NAMES: readonly string[] = [...MODEL_BUILDERS.keys()];

/**
 * Builds a model with seeded Glorot initialisation (same seed, same weights).
 * @throws UnknownModelError listing the valid names; InvalidTaskError for bad `options`.
 */
export function buildModel(
  name: string,
  options: Readonly<Record<string, unknown>>,
  inputShape: readonly number[],
  numClasses: number,
  seed: number,
): Net {
  const builder = MODEL_BUILDERS.get(name);
  if (!builder) throw new UnknownModelError(name, MODEL_NAMES);
  try {
    return builder({ options, inputShape, numClasses, seed });
  } catch (err) {
    if (err instanceof z.ZodError) {
      const issues = err.issues.map((i) => `${["modelOptions", ...i.path.map(String)].join(".")}: ${i.message}`).join("; ");
      throw new InvalidTaskError(`model "${name}": invalid options: ${issues}`, { cause: err });
    }
    throw err;
  }
}
