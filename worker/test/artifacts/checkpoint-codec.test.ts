import { describe, expect, it } from "vitest";
import { checkpointFromWeights, checkpointToWeights, indexFromWeights, indexToWeights, type TrialCheckpoint } from "../../src/artifacts/checkpoint-codec.js";
import { decodeWeights, encodeWeights } from "../../src/artifacts/weights-codec.js";
import { Rng } from "../../src/data/rng.js";

function sample(overrides: Partial<TrialCheckpoint> = {}): TrialCheckpoint {
  const rng = new Rng(5);
  rng.normal();
  return {
    call: 2,
    phase: "prune",
    epoch: 1,
    epochs: 3,
    complete: false,
    step: 4,
    epochsTrained: 7,
    batches: 12,
    shuffleRng: rng.state(),
    methodRng: new Rng(9).state(),
    structure: "fc1/kernel[8,16];fc1/bias[16]",
    lastLoss: 0.25,
    lastValAccuracy: Number.NaN,
    budgetExhausted: false,
    weights: [{ name: "fc1/kernel", shape: [2, 2], data: Float32Array.from([1, -2, 3.5, 0]) }],
    masks: [{ name: "gate/mask", shape: [2], data: Float32Array.from([1, 0]) }],
    optimizer: [
      { name: "iter", shape: [], data: Float32Array.from([12]) },
      { name: "fc1/kernel/m", shape: [2, 2], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) },
    ],
    ...overrides,
  };
}

describe("checkpoint codec", () => {
  it("round-trips a checkpoint through the object-store bytes (NaN included)", () => {
    const c = sample();
    const back = checkpointFromWeights(decodeWeights(encodeWeights(checkpointToWeights(c))));
    expect(back).toEqual(c);
    expect(Number.isNaN(back.lastValAccuracy)).toBe(true);
  });

  it("keeps tensors of the same name apart by kind, in order", () => {
    const c = sample({ masks: [{ name: "fc1/kernel", shape: [2, 2], data: Float32Array.from([1, 1, 0, 1]) }], complete: true, optimizer: [] });
    const back = checkpointFromWeights(checkpointToWeights(c));
    expect(back.weights[0]?.data).toEqual(c.weights[0]?.data);
    expect(back.masks[0]?.data).toEqual(Float32Array.from([1, 1, 0, 1]));
    expect(back.optimizer).toEqual([]);
  });

  it("rejects what is not a checkpoint, naming the field", () => {
    expect(() => checkpointFromWeights({ tensors: [] })).toThrow(/corrupt checkpoint: no checkpoint header/);
    const w = checkpointToWeights(sample());
    const header = JSON.parse(String(w.meta?.["checkpoint"])) as Record<string, unknown>;
    expect(() => checkpointFromWeights({ ...w, meta: { checkpoint: JSON.stringify({ ...header, v: 99 }) } })).toThrow(/checkpoint version 99, expected 1/);
    expect(() => checkpointFromWeights({ ...w, meta: { checkpoint: JSON.stringify({ ...header, epoch: -1 }) } })).toThrow(/epoch is not a count/);
    expect(() => checkpointFromWeights({ ...w, meta: { checkpoint: JSON.stringify({ ...header, shuffleRng: { s: [1] } }) } })).toThrow(/shuffleRng is not a generator state/);
    expect(() => checkpointFromWeights({ ...w, meta: { checkpoint: "{" } })).toThrow(/checkpoint header is not JSON/);
  });

  it("round-trips the index and rejects a bad one", () => {
    const i = { fingerprint: "abc", latestCall: 3, reportedStep: 5, epochsTrained: 9 };
    expect(indexFromWeights(decodeWeights(encodeWeights(indexToWeights(i))))).toEqual(i);
    expect(() => indexFromWeights({ tensors: [], meta: { index: JSON.stringify({ v: 1, fingerprint: "x", latestCall: 1.5, reportedStep: 0, epochsTrained: 0 }) } })).toThrow(/index latestCall is not a count/);
  });
});
