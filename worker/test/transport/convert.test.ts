import { TrialAssignment, type TaskSpec } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { InvalidAssignmentError } from "../../src/errors.js";
import { decodeAssignment } from "../../src/transport/convert.js";

const encode = (task: Partial<TaskSpec>): Uint8Array =>
  TrialAssignment.encode(TrialAssignment.fromPartial({ campaignId: "c", trialId: "t", coordinatorEndpoint: "127.0.0.1:1", task })).finish();
const decodeTask = (task: Partial<TaskSpec>) => decodeAssignment(encode(task), 1).request.task;

describe("decodeAssignment: datasets", () => {
  it("decodes every file dataset form, the test set and the normalisation", () => {
    expect(decodeTask({ dataset: { source: { $case: "images", value: { dir: "d", size: [4, 5], channels: 3 } } } }).dataset).toEqual({ kind: "images", dir: "d", size: [4, 5], channels: 3 });
    expect(decodeTask({ dataset: { source: { $case: "images", value: { dir: "d", size: [], channels: 0 } } } }).dataset).toEqual({ kind: "images", dir: "d" });
    expect(decodeTask({ dataset: { source: { $case: "npy", value: { x: "a", y: "b" } } } }).dataset).toEqual({ kind: "npy", x: "a", y: "b" });
    expect(decodeTask({ dataset: { source: { $case: "npz", value: { file: "f", x: "x", y: "y" } } } }).dataset).toEqual({ kind: "npz", file: "f", x: "x", y: "y" });
    const t = decodeTask({
      dataset: { source: { $case: "builtin", value: "mnist" } },
      test: { source: { $case: "csv", value: { file: "t.csv", label: "c" } } },
      normalize: { mean: [1, 2], std: [3, 4] },
    });
    expect(t.test).toEqual({ kind: "csv", file: "t.csv", label: "c" });
    expect(t.normalize).toEqual({ mean: [1, 2], std: [3, 4] });
    const plain = decodeTask({ dataset: { source: { $case: "builtin", value: "mnist" } } });
    expect(plain.test).toBeUndefined();
    expect(plain.normalize).toBeUndefined();
  });

  it("rejects a test set that is not files", () => {
    const bad = encode({ dataset: { source: { $case: "builtin", value: "mnist" } }, test: { source: { $case: "cifar10Dir", value: "c" } } });
    expect(() => decodeAssignment(bad, 1)).toThrow(InvalidAssignmentError);
    expect(() => decodeAssignment(bad, 1)).toThrow("assignment t: the test set must be idx, images, npy, npz or csv data, got cifar10");
  });
});
