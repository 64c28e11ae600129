/**
 * The search space is driven by the catalogue's data: with a catalogue that has more methods
 * and relations (as later work adds), names, conditions and relations follow without code
 * changes. The proto catalogue is replaced by a fixture for this file only.
 */
import { describe, expect, it, vi } from "vitest";

vi.mock(import("@prunesweep/proto"), async (importOriginal) => {
  type Rule = { type: string; min?: number; max?: number; exclusiveMax?: boolean; values?: string[]; default?: unknown; description: string };
  const COMMON_PARAMS: Record<string, Rule> = {
    method: { type: "categorical", values: [], description: "method" },
    "finetune.epochs": { type: "int", min: 0, max: 1000, default: 2, description: "epochs" },
  };
  const METHOD_CATALOG = [
    {
      name: "magnitude",
      description: "",
      params: {
        sparsity: { type: "float", min: 0, max: 1, exclusiveMax: true, description: "" },
        scope: { type: "categorical", values: ["global", "layer"], description: "" },
      },
    },
    {
      name: "sap",
      description: "",
      params: {
        p: { type: "float", min: 0, max: 4, description: "" },
        q: { type: "float", min: 0, max: 4, default: 2, description: "" },
        rounds: { type: "int", min: 1, max: 50, description: "" },
      },
      relations: [{ left: "p", op: "<", right: "q" }],
    },
    { name: "early-exit", description: "", params: { tau: { type: "float", min: 0, max: 1, description: "" } } },
  ];
  const METHOD_NAMES = METHOD_CATALOG.map((m) => m.name);
  const findMethod = (name: string) => METHOD_CATALOG.find((m) => m.name === name);
  const findParamRule = (name: string) => {
    const common = COMMON_PARAMS[name];
    if (common) return { rule: name === "method" ? { ...common, values: METHOD_NAMES } : common };
    const dot = name.indexOf(".");
    if (dot < 0) return undefined;
    const method = findMethod(name.slice(0, dot));
    const rule = (method?.params as Record<string, Rule> | undefined)?.[name.slice(dot + 1)];
    return rule && method ? { method: method.name, rule } : undefined;
  };
  // The rule checkers stay the real ones; only the catalogue data and its lookups are replaced.
  const actual: object = await importOriginal();
  return { ...actual, COMMON_PARAMS, METHOD_CATALOG, METHOD_NAMES, findMethod, findParamRule } as never;
});

const { parseSearchSpace, activeParams } = await import("../../src/search-space/index.js");

describe("parseSearchSpace with a larger catalogue", () => {
  const space = {
    method: { values: ["magnitude", "sap", "early-exit"] },
    "magnitude.sparsity": { min: 0.5, max: 0.99 },
    "sap.p": { min: 0.25, max: 1.0 },
    "sap.q": { min: 1.0, max: 2.0 },
    "sap.rounds": { int: [3, 10] },
    "early-exit.tau": { values: [0.7, 0.8, 0.9] },
    "finetune.epochs": { int: [1, 3], when: { method: ["sap", "magnitude"] } },
  };

  it("conditions namespaced parameters on their method", () => {
    const { result, issues } = parseSearchSpace(space, ["sap.p < sap.q"]);
    expect(issues).toEqual([]);
    const when = Object.fromEntries(result.space.map((p) => [p.name, p.when]));
    expect(when["sap.p"]).toEqual({ method: ["sap"] });
    expect(when["early-exit.tau"]).toEqual({ method: ["early-exit"] });
    expect(when["finetune.epochs"]).toEqual({ method: ["sap", "magnitude"] });
    const names = (m: string): string[] => activeParams(result.space, { method: m }).map((p) => p.name);
    expect(names("sap")).toEqual(["method", "sap.p", "sap.q", "sap.rounds", "finetune.epochs"]);
    expect(names("early-exit")).toEqual(["method", "early-exit.tau"]);
  });

  it("does not duplicate a catalogue relation the user wrote", () => {
    const { result } = parseSearchSpace(space, ["sap.p < sap.q"]);
    expect(result.paramConstraints).toEqual([{ left: "sap.p", op: "<", right: "sap.q", source: "sap.p < sap.q" }]);
  });

  it("applies catalogue relations, against the default when one side is absent", () => {
    expect(parseSearchSpace(space).result.paramConstraints).toEqual([
      { left: "sap.p", op: "<", right: "sap.q", source: "catalogue: sap.p < sap.q" },
    ]);
    const onlyP = parseSearchSpace({ method: "sap", "sap.p": { min: 0.5, max: 3 } });
    expect(onlyP.result.paramConstraints).toEqual([{ left: "sap.p", op: "<", right: 2, source: "catalogue: sap.p < sap.q" }]);
  });

  it("reports a relation the space can never satisfy", () => {
    const { issues } = parseSearchSpace({ method: "sap", "sap.p": { min: 2, max: 3 }, "sap.q": { min: 1, max: 2 } });
    expect(issues).toEqual([
      { path: "space.sap.p", message: "can never satisfy catalogue: sap.p < sap.q: sap.p is at least 2 but sap.q is at most 2" },
    ]);
    const user = parseSearchSpace({ method: "sap", "sap.p": { min: 2, max: 3 }, "sap.q": { min: 1, max: 2 } }, ["sap.p < sap.q"]);
    expect(user.issues[0]).toEqual({
      path: "paramConstraints.0",
      message: "can never hold: sap.p is at least 2 but sap.q is at most 2",
    });
  });

  it("requires the method of a namespaced parameter among the method values", () => {
    const { issues } = parseSearchSpace({ method: { values: ["magnitude"] }, "sap.p": { min: 0.25, max: 1 } });
    expect(issues).toEqual([{ path: "space.sap.p", message: 'method "sap" is not among the values of space.method' }]);
  });

  it("asks for a method parameter when several methods appear without one", () => {
    const { issues } = parseSearchSpace({ "sap.p": { min: 0.25, max: 1 }, "magnitude.sparsity": { min: 0.5, max: 0.9 } });
    expect(issues).toEqual([
      { path: "space", message: 'parameters of several methods (sap, magnitude) need a "method" parameter, e.g. method: {values: [sap, magnitude]}' },
    ]);
  });

  it("names the known parameters of the new method", () => {
    expect(parseSearchSpace({ method: "sap", "sap.r": 1 }).issues).toEqual([
      { path: "space.sap.r", message: "unknown parameter of method sap; known: p, q, rounds" },
    ]);
  });
});
