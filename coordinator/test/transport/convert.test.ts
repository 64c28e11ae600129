import { TrialAssignment } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { parseCampaignSpec } from "../../src/spec/index.js";
import { assignmentFromRequest } from "../../src/transport/convert.js";
import { MINIMAL_SPEC } from "../fixtures/specs.js";

/** The task of an assignment for `task`, through the wire encoding. */
function wireTask(task: string) {
  const spec = parseCampaignSpec(MINIMAL_SPEC.replace("task: { dataset: synthetic }", `task: ${task}`));
  const bytes = TrialAssignment.encode(assignmentFromRequest({ campaignId: "c", trialId: "t", dedupeId: "t", params: {}, spec }, "127.0.0.1:1")).finish();
  return TrialAssignment.decode(bytes).task;
}

describe("assignmentFromRequest: datasets", () => {
  it("carries every file dataset form, the test set and the normalisation", () => {
    expect(wireTask("{ dataset: { images: tr, size: [8, 9], channels: 1 } }")?.dataset?.source).toEqual({ $case: "images", value: { dir: "tr", size: [8, 9], channels: 1 } });
    expect(wireTask("{ dataset: { images: tr } }")?.dataset?.source).toEqual({ $case: "images", value: { dir: "tr", size: [], channels: 0 } });
    expect(wireTask("{ dataset: { npy: { x: a, y: b } } }")?.dataset?.source).toEqual({ $case: "npy", value: { x: "a", y: "b" } });
    expect(wireTask("{ dataset: { npz: f.npz } }")?.dataset?.source).toEqual({ $case: "npz", value: { file: "f.npz", x: "x", y: "y" } });
    expect(wireTask("{ dataset: { csv: f.csv, label: c } }")?.dataset?.source).toEqual({ $case: "csv", value: { file: "f.csv", label: "c" } });
    const t = wireTask("{ dataset: { npy: { x: a, y: b } }, test: { csv: t.csv, label: c }, normalize: { mean: [0.5], std: 0.25 } }");
    expect(t?.test?.source).toEqual({ $case: "csv", value: { file: "t.csv", label: "c" } });
    expect(t?.split).toEqual({ train: 0.9, validation: 0.1, test: 0 });
    expect(t?.normalize).toEqual({ mean: [0.5], std: [0.25] });
    expect(wireTask("{ dataset: mnist, normalize: { scale: 2 } }")?.normalize).toEqual({ scale: 2, mean: [], std: [] });
    expect(wireTask("{ dataset: mnist }")?.test).toBeUndefined();
    expect(wireTask("{ dataset: mnist }")?.normalize).toBeUndefined();
  });
});
