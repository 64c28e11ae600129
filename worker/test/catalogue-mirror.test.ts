/** The worker's parameter rules of the weight-pruning methods mirror proto's METHOD_CATALOG exactly. */
import { findMethod } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { resolveTrialParams } from "../src/pruning/params.js";
import { getPruningMethod } from "../src/pruning/registry.js";

describe.each(["magnitude", "sap", "lottery-ticket", "one-shot"])("catalogue mirror of %s", (name) => {
  it("has the same rules in the worker and in the catalogue", () => {
    expect(getPruningMethod(name).paramRules).toEqual(findMethod(name)?.params);
  });

  it("parses the catalogue defaults", () => {
    const r = resolveTrialParams({ method: name });
    expect(r.method.name).toBe(name);
    const own = r.methodParams as Record<string, unknown>;
    for (const [k, rule] of Object.entries(findMethod(name)?.params ?? {})) expect(own[k], `${name}.${k}`).toEqual(rule.default);
  });
});
