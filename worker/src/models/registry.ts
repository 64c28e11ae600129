/**
 * Model registry: `buildModel(name, options, inputShape, numClasses, seed, exits?)`. One
 * builder per model of proto's catalogue: add an architecture by writing its builder, adding
 * its catalogue entry (`proto/src/catalogue/models.ts`) and one line here (docs/extending.md).
 * The map is typed against the catalogue, so a missing or extra builder does not compile.
 */
import { MODEL_NAMES, modelOptionsSchema, type ModelName } from "@prunesweep/proto";
import * as z from "zod";
import { InvalidTaskError, UnknownModelError } from "../errors.js";
import { buildLenet5, buildResnet } from "./cnn.js";
import type { ExitSpec } from "./exits.js";
import { buildDeepMlp, buildLenet300100, buildMlpModel, buildResMlp, buildSapMlp } from "./mlp.js";
import type { Net } from "./net.js";
import { buildImportedNet, type ImportedModel } from "./imported.js";
import type { ModelBuildArgs } from "./registry-types.js";

/** A model builder; validates `args.options` against the catalogue's schema and returns a freshly initialised net. */
type ModelBuilder = (args: ModelBuildArgs) => Net;

/** Builders by catalogue name. */
const MODEL_BUILDERS = {
  "lenet-300-100": buildLenet300100,
  mlp: buildMlpModel,
  "sap-mlp": buildSapMlp,
  "deep-mlp": buildDeepMlp,
  "res-mlp": buildResMlp,
  lenet5: buildLenet5,
  resnet8: (a) => buildResnet(8, a),
  resnet14: (a) => buildResnet(14, a),
  resnet20: (a) => buildResnet(20, a),
  tfjs: buildImportedModel,
} as const satisfies { readonly [N in ModelName]: ModelBuilder };

/** `tfjs`: an imported model, read beforehand (trial/imported-model.ts); its options are the exit options. */
function buildImportedModel(args: ModelBuildArgs): Net {
  if (!args.imported) throw new InvalidTaskError('model "tfjs" needs task.model: {tfjs: <path to model.json>}');
  const declared = args.imported.plan.inputShape;
  if (declared.join() !== args.inputShape.join()) {
    throw new InvalidTaskError(`${args.imported.source}: the model takes examples of shape [${declared.join(", ")}], the dataset has [${args.inputShape.join(", ")}]`);
  }
  return buildImportedNet(args.imported, args.numClasses, args.exits, modelOptionsSchema("tfjs").parse(args.options));
}

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
  imported?: ImportedModel,
): Net {
  const builder = (MODEL_BUILDERS as Readonly<Record<string, ModelBuilder>>)[name];
  if (!builder) throw new UnknownModelError(name, MODEL_NAMES);
  try {
    return builder({ options, inputShape, numClasses, seed, exits, imported });
  } catch (err) {
    if (err instanceof z.ZodError) {
      const issues = err.issues.map((i) => `${["modelOptions", ...i.path.map(String)].join(".")}: ${i.message}`).join("; ");
      throw new InvalidTaskError(`model "${name}": invalid options: ${issues}`, { cause: err });
    }
    throw err;
  }
}
