/**
 * JSON Schema of the campaign spec for editors (e.g. the YAML language server's
 * `# yaml-language-server: $schema=...`). Generated with zod 4's `z.toJSONSchema()` from the
 * spec schema (input side: what users write), with the parts the zod schema accepts as
 * `unknown` and checks by hand (dataset, exits, space, strategy shorthands) filled in.
 */
import { z } from "zod";
import { SAMPLER_NAMES } from "../../samplers/registry.js";
import { EARLY_STOPPING_NAMES, campaignSchema } from "../../spec/schema.js";

type Json = Record<string, unknown>;

const scalar: Json = { type: ["string", "number", "boolean"] };
const when: Json = {
  type: "object",
  description: "active only when each named parameter takes one of these values",
  additionalProperties: { anyOf: [scalar, { type: "array", items: scalar, minItems: 1 }] },
};
const str = { type: "string", minLength: 1 };

const DATASET: Json = {
  description: "built-in `mnist`, `synthetic`, IDX files, CIFAR-10 binary batches, or a sized synthetic set",
  anyOf: [
    { const: "mnist" },
    { const: "synthetic" },
    { type: "object", properties: { idx: { type: "object", properties: { images: str, labels: str }, required: ["images", "labels"], additionalProperties: false } }, required: ["idx"], additionalProperties: false },
    { type: "object", properties: { cifar10: str }, required: ["cifar10"], additionalProperties: false },
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
  ],
};

const EXITS: Json = {
  description: "early exits: none, a list of block indices, or one every k blocks",
  anyOf: [
    { const: "none" },
    { type: "array", items: { type: "integer", minimum: 0 } },
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

/** The JSON Schema (draft 2020-12) of a campaign spec. */
export function campaignJsonSchema(): Json {
  const base = z.toJSONSchema(campaignSchema(SAMPLER_NAMES), { io: "input", unrepresentable: "any" }) as Json;
  const props = base["properties"] as Record<string, Json>;
  const task = props["task"] as Json;
  const taskProps = task["properties"] as Record<string, Json>;
  taskProps["dataset"] = DATASET;
  taskProps["exits"] = EXITS;
  props["space"] = SPACE;
  props["constraints"] = { ...props["constraints"], description: 'metric constraints, e.g. "accuracy >= 0.9"; infeasible trials never enter the Pareto front' };
  props["paramConstraints"] = { ...props["paramConstraints"], description: 'parameter constraints, e.g. "sap.p < sap.q"' };
  props["sampler"] = { anyOf: [{ type: "string", enum: [...SAMPLER_NAMES] }, props["sampler"]] };
  props["earlyStopping"] = { anyOf: [{ type: "string", enum: [...EARLY_STOPPING_NAMES] }, props["earlyStopping"]] };
  return {
    $schema: base["$schema"],
    title: "prunesweep campaign spec",
    description: "A hyperparameter sweep of neural-network pruning methods (campaign-spec.md).",
    ...base,
  };
}
