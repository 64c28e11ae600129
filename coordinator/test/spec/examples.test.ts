import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseCampaignSpec } from "../../src/spec/index.js";

const dir = fileURLToPath(new URL("../../../examples/", import.meta.url));
// Top-level specs, and those of the example folders (examples/bring-your-own/spec.yaml).
const specs = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".yaml") && !f.includes("/data/"));

describe("examples/", () => {
  it("has a spec per pruning method, all-methods.yaml and the quickstart", () => {
    for (const f of ["quickstart", "magnitude", "lottery-ticket", "one-shot", "sap", "layerprune", "gates", "early-exit", "all-methods", "multiobjective"]) {
      expect(specs).toContain(`${f}.yaml`);
    }
  });

  it.each(specs)("%s is a valid campaign spec", (f) => {
    const spec = parseCampaignSpec(readFileSync(`${dir}${f}`, "utf8"), `examples/${f}`);
    expect(spec.budget.maxTrials).toBeGreaterThan(0);
  });
});
