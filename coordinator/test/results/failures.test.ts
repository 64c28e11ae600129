import { describe, expect, it } from "vitest";
import type { TrialSnapshot, TrialState } from "../../src/domain/trial.js";
import { failuresText, groupFailures } from "../../src/results/failures.js";

const trial = (number: number, state: TrialState, error?: string): TrialSnapshot => ({
  id: `c-${number}`,
  number,
  state,
  params: {},
  metrics: {},
  progress: [],
  attempts: 1,
  createdAt: 0,
  ...(error !== undefined && { error }),
});

describe("groupFailures", () => {
  it("groups failed trials by error, most frequent first, ignoring other states", () => {
    const groups = groupFailures([
      trial(0, "failed", "timed out after 1 s"),
      trial(1, "completed"),
      trial(2, "failed", "dataset missing"),
      trial(3, "failed", "timed out after 1 s"),
      trial(4, "waiting", "timed out after 1 s"),
      trial(5, "failed"),
    ]);
    expect(groups).toEqual([
      { error: "timed out after 1 s", trials: [0, 3] },
      { error: "dataset missing", trials: [2] },
      { error: "(no error reported)", trials: [5] },
    ]);
    expect(failuresText(groups)).toBe(
      "  2 × timed out after 1 s (trials 0, 3)\n  1 × dataset missing (trial 2)\n  1 × (no error reported) (trial 5)",
    );
  });
});
