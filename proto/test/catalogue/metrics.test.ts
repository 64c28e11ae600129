/** The metric catalogue: families by pattern, and every method's metrics catalogued. */
import { describe, expect, it } from "vitest";
import { METHOD_CATALOG, METRIC_CATALOG, findMetric } from "@prunesweep/proto";

describe("the metric catalogue", () => {
  it("matches families by their pattern and nothing else", () => {
    expect(findMetric("accuracy_exit_3")?.name).toBe("accuracy_exit_<k>");
    expect(findMetric("latency_ms_b64")?.name).toBe("latency_ms_b<n>");
    expect(findMetric("accuracy_exit_")).toBeUndefined();
    expect(findMetric("nope")).toBeUndefined();
  });

  it("lists each metric once, and every metric a method adds is catalogued as a method metric", () => {
    const names = METRIC_CATALOG.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const method of METHOD_CATALOG) {
      for (const metric of method.metrics) expect(findMetric(metric)?.when, `${method.name}: ${metric}`).toBe("method");
    }
  });
});
