/**
 * The real method catalogue of `@prunesweep/proto` (SAP, lottery-ticket, one-shot, magnitude)
 * drives spec validation: unknown parameters, bounds and the `sap.p < sap.q` relation are
 * rejected with the path of the offending entry.
 */
import { METHOD_CATALOG } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { SpecError, type SpecIssue } from "../../src/errors.js";
import { parseCampaignSpec } from "../../src/spec/index.js";
import { minimalWith } from "../fixtures/specs.js";

function issuesOf(yaml: string): SpecIssue[] {
  try {
    parseCampaignSpec(yaml, "test.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return [...(err as SpecError).issues];
  }
  throw new Error("expected a SpecError");
}

const space = (lines: string): string => minimalWith(`space:\n${lines}`);

describe("the method catalogue in campaign specs", () => {
  it("catalogues sap, lottery-ticket and one-shot with the relation sap.p < sap.q", () => {
    const names = METHOD_CATALOG.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(["magnitude", "sap", "lottery-ticket", "one-shot"]));
    expect(METHOD_CATALOG.find((m) => m.name === "sap")?.relations).toEqual([{ left: "p", op: "<", right: "q" }]);
  });

  it("rejects sap.p >= sap.q, naming the path", () => {
    const ranges = issuesOf(space("  method: sap\n  sap.p: { min: 1.0, max: 2.0 }\n  sap.q: { min: 0.5, max: 1.0 }"));
    expect(ranges).toContainEqual({ path: "space.sap.p", message: expect.stringMatching(/sap\.p < sap\.q/) as unknown });
    const fixed = issuesOf(space("  method: sap\n  sap.p: 1.5\n  sap.q: 1.5"));
    expect(fixed.map((i) => i.path)).toContain("space.sap.p");
    // Only one side in the space: checked against the other's catalogue default (q = 1).
    const alone = issuesOf(space("  method: sap\n  sap.p: { values: [1.0, 2.0] }"));
    expect(alone).toContainEqual({ path: "space.sap.p", message: expect.stringMatching(/sap\.p < sap\.q/) as unknown });
  });

  it("rejects an unknown sap parameter, naming the path and the known ones", () => {
    const issues = issuesOf(space("  method: sap\n  sap.foo: 1"));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("space.sap.foo");
    expect(issues[0]?.message).toMatch(/unknown parameter of method sap; known: p, q, scope, etaR, gamma, beta, rounds, roundEpochs, rewind, stopRule, stopDelta/);
  });

  it("checks bounds and values of the new parameters", () => {
    const issues = issuesOf(
      space(
        "  method: { values: [sap, lottery-ticket, magnitude] }\n  sap.beta: { min: 0.0, max: 0.9 }\n  sap.scope: { values: [global, filter] }\n  lottery-ticket.rate: { values: [0.2, 1.0] }\n  magnitude.mode: { values: [iterative, gradual] }",
      ),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["space.sap.beta.min", "space.sap.scope.values.1", "space.lottery-ticket.rate.values.1", "space.magnitude.mode.values.1"]));
  });

  it("accepts a conditional space over the four methods and appends the catalogue relation", () => {
    const spec = parseCampaignSpec(
      space(
        [
          "  method: { values: [magnitude, sap, lottery-ticket, one-shot] }",
          "  magnitude.mode: iterative",
          "  magnitude.rounds: { int: [2, 8] }",
          "  magnitude.initialSparsity: 0.0",
          "  sap.p: { values: [0.25, 0.5, 0.75] }",
          "  sap.q: { values: [1.0, 1.5, 2.0] }",
          "  sap.scope: { values: [global, layer, neuron] }",
          "  sap.etaR: { values: [0.0, 0.001, 0.01] }",
          "  sap.stopRule: { values: [none, c-zero, pqi-rise, both] }",
          "  sap.rewind: { values: [init, none] }",
          "  lottery-ticket.rate: { values: [0.1, 0.2, 0.3] }",
          "  one-shot.rounds: { int: [3, 10] }",
        ].join("\n"),
      ),
      "test.yaml",
    );
    expect(spec.paramConstraints).toContainEqual({ left: "sap.p", op: "<", right: "sap.q", source: "catalogue: sap.p < sap.q" });
    expect(spec.space.find((p) => p.name === "lottery-ticket.rate")?.when).toEqual({ method: ["lottery-ticket"] });
  });
});
