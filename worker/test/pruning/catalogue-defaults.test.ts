/** The worker applies proto's METHOD_CATALOG: its defaults and its relations. */
import { findMethod } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { resolveTrialParams } from "../../src/pruning/params.js";

describe.each(["magnitude", "sap", "lottery-ticket", "one-shot"])("catalogue defaults of %s", (name) => {
  it("parses the catalogue defaults", () => {
    const r = resolveTrialParams({ method: name });
    expect(r.method.name).toBe(name);
    const own = r.methodParams as Record<string, unknown>;
    for (const [k, rule] of Object.entries(findMethod(name)?.params ?? {})) expect(own[k], `${name}.${k}`).toEqual(rule.default);
  });
});
