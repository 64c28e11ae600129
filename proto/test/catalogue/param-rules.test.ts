/** The one rule checker of the catalogue: types, bounds, allowed values, defaults and relations. */
import { describe, expect, it } from "vitest";
import { COMMON_PARAMS, findMethod, findParamRule, relationViolation, ruleViolation, withDefaults, type ParamRule } from "@prunesweep/proto";

const fraction: ParamRule = { type: "float", min: 0, max: 1, exclusiveMax: true, description: "" };

describe("ruleViolation", () => {
  it("accepts values of the rule's type within its bounds", () => {
    expect(ruleViolation(fraction, 0)).toBeUndefined();
    expect(ruleViolation({ type: "int", min: 1, max: 3, description: "" }, 3)).toBeUndefined();
    expect(ruleViolation({ type: "categorical", values: ["a", "b"], description: "" }, "b")).toBeUndefined();
    expect(ruleViolation({ type: "bool", description: "" }, false)).toBeUndefined();
  });

  it("reports a value of the wrong type as a type violation that shows the value", () => {
    expect(ruleViolation(fraction, "0.5")).toEqual({ kind: "type", message: "expected a number, got string" });
    expect(ruleViolation(fraction, Number.POSITIVE_INFINITY)).toEqual({ kind: "type", message: "expected a finite number, got Infinity" });
    expect(ruleViolation({ type: "int", description: "" }, 1.5)).toEqual({ kind: "type", message: "expected an integer, got 1.5" });
    expect(ruleViolation({ type: "bool", description: "" }, "yes")).toEqual({ kind: "type", message: 'expected a boolean, got "yes"' });
    expect(ruleViolation({ type: "categorical", values: ["a"], description: "" }, 1)).toEqual({ kind: "type", message: "expected a string, got 1" });
  });

  it("reports bounds and allowed values as range violations, exclusive bounds included", () => {
    expect(ruleViolation(fraction, 1)).toEqual({ kind: "range", message: "must be < 1" });
    expect(ruleViolation(fraction, -0.1)).toEqual({ kind: "range", message: "must be >= 0" });
    expect(ruleViolation({ type: "float", min: 0, exclusiveMin: true, description: "" }, 0)).toEqual({ kind: "range", message: "must be > 0" });
    expect(ruleViolation({ type: "int", max: 3, description: "" }, 4)).toEqual({ kind: "range", message: "must be <= 3" });
    expect(ruleViolation({ type: "categorical", values: ["a", "b"], description: "" }, "c")).toEqual({ kind: "range", message: "must be one of: a, b" });
  });
});

describe("the method catalogue", () => {
  it("fills in defaults and leaves parameters without one unset", () => {
    const sap = findMethod("sap");
    expect(sap).toBeDefined();
    const v = withDefaults(sap?.params ?? {}, { p: 0.25 });
    expect(v).toMatchObject({ p: 0.25, q: 1, scope: "global", rounds: 5 });
    expect(withDefaults(COMMON_PARAMS, {})["finetune.batchSize"]).toBeUndefined();
  });

  it("checks relations and blames the parameter the trial set", () => {
    const sap = findMethod("sap");
    if (!sap) throw new Error("sap is catalogued");
    expect(relationViolation(sap, { p: 0.5, q: 1 })).toBeUndefined();
    expect(relationViolation(sap, { p: 1, q: 1 }, { q: 1 })).toEqual({ param: "sap.q", message: "must satisfy sap.p < sap.q, got p=1, q=1" });
    expect(relationViolation(sap, { p: 2, q: 1 }, { p: 2 })?.param).toBe("sap.p");
  });

  it("finds common and namespaced parameters; `method` takes the catalogued names", () => {
    expect(findParamRule("sap.p")).toMatchObject({ method: "sap", rule: { type: "float" } });
    expect(findParamRule("finetune.epochs")?.method).toBeUndefined();
    expect(findParamRule("method")?.rule.values).toContain("layerprune");
    expect(findParamRule("sap.nope")).toBeUndefined();
    expect(findParamRule("nope")).toBeUndefined();
  });
});
