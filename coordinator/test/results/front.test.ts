import { describe, expect, it } from "vitest";
import { frontCandidates, paretoFront, referencePoint } from "../../src/results/front.js";
import type { ObjectiveSpec } from "../../src/domain/objectives.js";
import type { TrialSnapshot, TrialState } from "../../src/domain/trial.js";
import { isFeasible } from "../../src/spec/index.js";

const trial = (id: string, state: TrialState, metrics: Record<string, number>): TrialSnapshot => ({
  id,
  number: 0,
  state,
  params: {},
  metrics,
  progress: [],
  attempts: 1,
  createdAt: 0,
});

const OBJECTIVES: ObjectiveSpec[] = [
  { metric: "accuracy", direction: "maximize" },
  { metric: "macs", direction: "minimize" },
];
const CONSTRAINTS = [{ metric: "accuracy", op: ">=", value: 0.5, source: "accuracy >= 0.5" }] as const;

const TRIALS = [
  trial("a", "completed", { accuracy: 0.9, macs: 100 }),
  trial("b", "completed", { accuracy: 0.8, macs: 50 }),
  trial("c", "completed", { accuracy: 0.7, macs: 80 }), // dominated by b
  trial("d", "completed", { accuracy: 0.4, macs: 1 }), // infeasible
  trial("e", "stopped_early", { accuracy: 0.99, macs: 1 }), // not completed
  trial("f", "completed", { accuracy: 0.95 }), // missing objective
  trial("g", "completed", { accuracy: 0.9, macs: 100 }), // duplicate of a
];

describe("paretoFront", () => {
  it("keeps completed feasible trials with every objective, negating maximised ones", () => {
    expect(paretoFront(TRIALS, OBJECTIVES, CONSTRAINTS)).toEqual(["a", "b", "g"]);
    expect(frontCandidates(TRIALS, OBJECTIVES, CONSTRAINTS).map((t) => t.id)).toEqual(["a", "b", "c", "g"]);
  });

  it("includes infeasible trials once their constraint is dropped", () => {
    expect(paretoFront(TRIALS, OBJECTIVES, [])).toEqual(["a", "b", "d", "g"]);
  });
});

describe("referencePoint", () => {
  it("is the nadir plus 10% of the range in loss space", () => {
    const ref = referencePoint(TRIALS, OBJECTIVES, CONSTRAINTS);
    expect(ref?.[0]).toBeCloseTo(-0.7 + 0.1 * 0.2, 12);
    expect(ref?.[1]).toBeCloseTo(100 + 0.1 * 50, 12);
    expect(referencePoint([], OBJECTIVES, CONSTRAINTS)).toBeUndefined();
  });
});

describe("isFeasible", () => {
  it("treats a missing or non-finite metric as infeasible", () => {
    expect(isFeasible({ accuracy: 0.6 }, CONSTRAINTS)).toBe(true);
    expect(isFeasible({ accuracy: 0.4 }, CONSTRAINTS)).toBe(false);
    expect(isFeasible({}, CONSTRAINTS)).toBe(false);
    expect(isFeasible({ accuracy: Number.NaN }, CONSTRAINTS)).toBe(false);
    expect(isFeasible({}, [])).toBe(true);
  });
});
