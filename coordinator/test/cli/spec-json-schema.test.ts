/** The spec's JSON Schema: the zod schema plus the hand-checked parts, each from its source. */
import { MODEL_CATALOG, findParamRule } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { campaignJsonSchema } from "../../src/cli/commands/spec-json-schema.js";
import { EARLY_STOPPER_NAMES } from "../../src/early-stopping/index.js";
import { SAMPLER_NAMES } from "../../src/samplers/index.js";

type Schema = Record<string, unknown> & {
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
  allOf?: Schema[];
  additionalProperties?: Schema;
  propertyNames?: { enum: string[] };
  required?: string[];
};

const s = campaignJsonSchema() as Schema & { $schema: string };
const props = s.properties ?? {};

describe("campaignJsonSchema", () => {
  it("describes the spec, including the hand-checked parts", () => {
    expect(s.$schema).toContain("json-schema.org");
    expect(s.required).toEqual(["name", "task", "objectives", "budget"]);
    expect(props["space"]?.additionalProperties?.anyOf).toHaveLength(5);
    // mnist, synthetic, cifar10, sized synthetic, then the file forms idx, images, npy, npz, csv.
    expect(props["task"]?.properties?.["dataset"]?.anyOf).toHaveLength(9);
    // task.test takes the file forms only.
    expect(props["task"]?.properties?.["test"]?.anyOf?.map((f) => Object.keys(f.properties ?? {})[0])).toEqual(["idx", "images", "npy", "npz", "csv"]);
    expect(Object.keys(props["task"]?.properties?.["normalize"]?.properties ?? {})).toEqual(["scale", "mean", "std"]);
    expect(props["sampler"]?.anyOf?.[0]).toMatchObject({ type: "string" });
  });

  it("lists every sampler's and early stopper's options from their registries", () => {
    const names = (x: Schema | undefined): unknown[] => (x?.anyOf ?? []).slice(1).map((o) => o.properties?.["name"]?.["const"]);
    expect(names(props["sampler"])).toEqual([...SAMPLER_NAMES]);
    expect(names(props["earlyStopping"])).toEqual([...EARLY_STOPPER_NAMES]);
    const tpe = props["sampler"]?.anyOf?.find((o) => o.properties?.["name"]?.["const"] === "tpe");
    expect(tpe?.properties?.["gamma"]).toMatchObject({ default: 0.1, exclusiveMinimum: 0, maximum: 1 });
    expect(tpe?.additionalProperties).toBe(false);
  });

  it("gives each model's options from the catalogue, and knows every search-space name", () => {
    const task = props["task"];
    expect(task?.allOf).toHaveLength(MODEL_CATALOG.length);
    const resnet = task?.allOf?.find((c) => JSON.stringify(c["if"]).includes('"resnet20"')) as { then: Schema } | undefined;
    expect(resnet?.then.properties?.["modelOptions"]?.properties?.["shortcut"]).toMatchObject({ enum: ["A", "B"], default: "A" });
    const names = props["space"]?.propertyNames?.enum ?? [];
    expect(names).toContain("sap.p");
    expect(names).toContain("finetune.epochs");
    for (const n of names) expect(findParamRule(n), n).toBeDefined();
  });
});
