/**
 * Model registry: `buildModel(name, options, inputShape, numClasses, seed, exits?)`.
 * Add an architecture by adding a builder to {@link MODEL_BUILDERS} (and its name to the
 * coordinator's MODEL_NAMES).
 */
import * as z from "zod";
import { InvalidTaskError, UnknownModelError } from "../errors.js";
import { buildLenet5, buildResnet } from "./cnn.js";
import type { ExitSpec } from "./exits.js";
import { buildDeepMlp, buildLenet300100, buildMlpModel, buildResMlp, buildSapMlp } from "./mlp.js";
import type { Net } from "./net.js";
import type { ModelBuildArgs } from "./registry-types.js";

/** A model builder; validates `args.options` (zod) and returns a freshly initialised net. */
type ModelBuilder = (args: ModelBuildArgs) => Net;

/** Registered builders by name. */
const MODEL_BUILDERS: ReadonlyMap<string, ModelBuilder> = new Map<string, ModelBuilder>([
  ["lenet-300-100", buildLenet300100],
  ["mlp", buildMlpModel],
  ["sap-mlp", buildSapMlp],
  ["deep-mlp", buildDeepMlp],
  ["res-mlp", buildResMlp],
  ["lenet5", buildLenet5],
  ["resnet8", (a) => buildResnet(8, a)],
  ["resnet14", (a) => buildResnet(14, a)],
  ["resnet20", (a) => buildResnet(20, a)],
]);

/** Names of the registered architectures. */
export const MODEL_NAMES: readonly string[] = [...MODEL_BUILDERS.keys()];

/**
 * Builds a model with seeded initialisation (same seed, same weights).
 * @throws UnknownModelError listing the valid names; InvalidTaskError for bad `options` or exits.
 */
export function buildModel(
  name: string,
  options: Readonly<Record<string, unknown>>,
  inputShape: readonly number[],
  numClasses: number,
  seed: number,
  exits?: ExitSpec,
): Net {
  const builder = MODEL_BUILDERS.get(name);
  if (!builder) throw new UnknownModelError(name, MODEL_NAMES);
  try {
    return builder({ options, inputShape, numClasses, seed, exits });
  } catch (err) {
    if (err instanceof z.ZodError) {
      const issues = err.issues.map((i) => `${["modelOptions", ...i.path.map(String)].join(".")}: ${i.message}`).join("; ");
      throw new InvalidTaskError(`model "${name}": invalid options: ${issues}`, { cause: err });
    }
    throw err;
  }
}
