/**
 * JSON Schema of the campaign spec for editors (e.g. the YAML language server's
 * `# yaml-language-server: $schema=...`). Generated with zod 4's `z.toJSONSchema()` from the
 * spec schema (input side: what users write), with the parts the zod schema accepts as
 * `unknown` and checks by hand (dataset, exits, space, strategy shorthands) filled in from
 * their sources: the sampler and early-stopper registries (each one's options), and proto's
 * catalogue (model options, search-space parameter names).
 */
import { COMMON_PARAMS, IMPORTED_MODEL, METHOD_CATALOG, MODEL_CATALOG, MODEL_NAMES, TASK_DEFAULTS, type MethodCatalogEntry } from "@prunesweep/proto";
import { z } from "zod";
import { EARLY_STOPPERS, EARLY_STOPPER_NAMES } from "../../early-stopping/index.js";
import { SAMPLERS, SAMPLER_NAMES } from "../../samplers/registry.js";
import { campaignSchema } from "../../spec/schema.js";

type Json = Record<string, unknown>;

const scalar: Json = { type: ["string", "number", "boolean"] };
const when: Json = {
  type: "object",
  description: "active only when each named parameter takes one of these values",
  additionalProperties: { anyOf: [scalar, { type: "array", items: scalar, minItems: 1 }] },
};
const str = { type: "string", minLength: 1 };

const obj = (properties: Json, required: string[]): Json => ({ type: "object", properties, required, additionalProperties: false });

/** The file forms of a dataset, also the forms of `task.test`. */
const FILE_DATASETS: Json[] = [
  obj({ idx: obj({ images: str, labels: str }, ["images", "labels"]) }, ["idx"]),
  obj(
    {
      images: { ...str, description: "folder with one sub-folder of PNG/JPEG images per class" },
      size: { type: "array", prefixItems: [{ type: "integer", minimum: 1 }, { type: "integer", minimum: 1 }], minItems: 2, maxItems: 2, description: "[height, width] to resize every image to" },
      channels: { enum: [1, 3], description: "1: grayscale, 3: RGB (unset: 1 when every image is gray)" },
    },
    ["images"],
  ),
  obj({ npy: obj({ x: str, y: str }, ["x", "y"]) }, ["npy"]),
  obj({ npz: str, x: { ...str, default: "x" }, y: { ...str, default: "y" } }, ["npz"]),
  obj({ csv: str, label: { ...str, description: "the label column; every other column is a numeric feature" } }, ["csv", "label"]),
];

const DATASET: Json = {
  description: "built-in `mnist`, `synthetic`, CIFAR-10 binary batches, a sized synthetic set, IDX files, an image folder, NumPy .npy/.npz or CSV",
  anyOf: [
    { const: "mnist" },
    { const: "synthetic" },
    obj({ cifar10: str }, ["cifar10"]),
    {
      type: "object",
      properties: {
        synthetic: {
          type: "object",
          properties: { samples: { type: "integer", minimum: 1 }, features: { type: "integer", minimum: 1 }, classes: { type: "integer", minimum: 2 } },
          additionalProperties: false,
        },
      },
      required: ["synthetic"],
      additionalProperties: false,
    },
    ...FILE_DATASETS,
  ],
};

const MODEL: Json = {
  description: "a catalogue model, or your own TF.js Layers model: {tfjs: <path to model.json>}",
  default: TASK_DEFAULTS.model,
  anyOf: [
    { type: "string", enum: MODEL_NAMES.filter((n) => n !== IMPORTED_MODEL) },
    { type: "object", properties: { tfjs: str }, required: ["tfjs"], additionalProperties: false },
  ],
};

const TEST: Json = { description: "an explicit test set (then split.test is 0), in one of the file forms of dataset", anyOf: FILE_DATASETS };

const EXITS: Json = {
  description: "early exits: none, a list of block indices (imported models: or layer names), or one every k blocks",
  anyOf: [
    { const: "none" },
    { type: "array", items: { anyOf: [{ type: "integer", minimum: 0 }, str] } },
    { type: "object", properties: { every: { type: "integer", minimum: 1 } }, required: ["every"], additionalProperties: false },
  ],
};

const SPACE: Json = {
  type: "object",
  description: "search space: `<name>: value` (fixed), {min, max[, log, step]} (float), {int: [lo, hi][, step, log]}, {values: [...]} (categorical); names `<method>.x` are active only when method is <method>",
  additionalProperties: {
    anyOf: [
      { ...scalar, description: "fixed value" },
      { type: "object", properties: { value: scalar, when }, required: ["value"], additionalProperties: false },
      {
        type: "object",
        properties: { min: { type: "number" }, max: { type: "number" }, log: { type: "boolean", default: false }, step: { type: "number", exclusiveMinimum: 0 }, when },
        required: ["min", "max"],
        additionalProperties: false,
      },
      {
        type: "object",
        properties: {
          int: { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 2 },
          step: { type: "integer", minimum: 1, default: 1 },
          log: { type: "boolean", default: false },
          when,
        },
        required: ["int"],
        additionalProperties: false,
      },
      { type: "object", properties: { values: { type: "array", items: scalar, minItems: 1 }, when }, required: ["values"], additionalProperties: false },
    ],
  },
};

/** The input-side JSON Schema of a zod schema, without its `$schema` key. */
export function inputJsonSchema(schema: z.ZodType): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  return rest;
}

/** Every search-space parameter name the catalogue knows: common ones, then `<method>.<param>`. */
function spaceParamNames(): string[] {
  const methods: readonly MethodCatalogEntry[] = METHOD_CATALOG;
  return [...Object.keys(COMMON_PARAMS), ...methods.flatMap((m) => Object.keys(m.params).map((p) => `${m.name}.${p}`))];
}

/** `modelOptions` per model: `if model is X then modelOptions follows X's options` (an absent model is the default one). */
function modelOptionsByModel(): Json[] {
  return MODEL_CATALOG.map((m) => {
    const named: Json = { properties: { model: { const: m.name } }, required: ["model"] };
    return {
      if: m.name === TASK_DEFAULTS.model ? { anyOf: [named, { not: { required: ["model"] } }] } : named,
      then: { properties: { modelOptions: inputJsonSchema(m.options) } },
    };
  });
}

/** A strategy: its name alone, or `{name, ...options}` per registered entry. */
function strategy(names: readonly string[], entries: readonly { readonly options: z.ZodType }[], fallback: string, description: string): Json {
  return { description, default: { name: fallback }, anyOf: [{ type: "string", enum: [...names] }, ...entries.map((e) => inputJsonSchema(e.options))] };
}

/** The JSON Schema (draft 2020-12) of a campaign spec. */
export function campaignJsonSchema(): Json {
  const base = z.toJSONSchema(campaignSchema(SAMPLER_NAMES, EARLY_STOPPER_NAMES), { io: "input", unrepresentable: "any" }) as Json;
  const props = base["properties"] as Record<string, Json>;
  const task = props["task"] as Json;
  const taskProps = task["properties"] as Record<string, Json>;
  taskProps["dataset"] = DATASET;
  taskProps["test"] = TEST;
  taskProps["exits"] = EXITS;
  taskProps["model"] = MODEL;
  taskProps["modelOptions"] = { ...taskProps["modelOptions"], description: "options of the model (docs/campaign-spec.md lists them per model)" };
  task["allOf"] = modelOptionsByModel();
  props["space"] = { ...SPACE, propertyNames: { enum: spaceParamNames() } };
  props["constraints"] = { ...props["constraints"], description: 'metric constraints, e.g. "accuracy >= 0.9"; infeasible trials never enter the Pareto front' };
  props["paramConstraints"] = { ...props["paramConstraints"], description: 'parameter constraints, e.g. "sap.p < sap.q"' };
  props["sampler"] = strategy(SAMPLER_NAMES, SAMPLERS, "random", "search strategy: a name, or {name, ...options}");
  props["earlyStopping"] = strategy(EARLY_STOPPER_NAMES, EARLY_STOPPERS, "none", "early stopper: a name, or {name, ...options}");
  return {
    $schema: base["$schema"],
    title: "prunesweep campaign spec",
    description: "A hyperparameter sweep of neural-network pruning methods (docs/campaign-spec.md).",
    ...base,
  };
}
