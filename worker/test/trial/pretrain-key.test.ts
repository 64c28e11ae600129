import { describe, expect, it } from "vitest";
import { canonicalJson, pretrainKey } from "../../src/trial/pretrain-key.js";
import { syntheticTask } from "../helpers.js";

describe("pretrainKey", () => {
  it("is stable under key order and changes with the pretrain config", () => {
    const t = syntheticTask();
    const reordered = { ...syntheticTask(), pretrain: { batchSize: 32, learningRate: 0.01, optimizer: "adam", epochs: 2 } };
    expect(pretrainKey(reordered)).toBe(pretrainKey(t));
    expect(pretrainKey({ ...t, pretrain: { ...t.pretrain, epochs: 3 } })).not.toBe(pretrainKey(t));
    expect(pretrainKey({ ...t, backend: "cpu" })).toBe(pretrainKey(t));
    // The normalisation changes what is trained on; a test set changes the train/validation pool.
    expect(pretrainKey({ ...t, normalize: { mean: [0.5], std: [0.25] } })).not.toBe(pretrainKey(t));
    expect(pretrainKey({ ...t, test: { kind: "csv", file: "t.csv", label: "y" } })).not.toBe(pretrainKey(t));
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
  });
});
