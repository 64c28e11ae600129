import { describe, expect, it } from "vitest";
import { learningRateAt, type ScheduleSettings } from "../../src/training/schedule.js";

const s = (over: Partial<ScheduleSettings>): ScheduleSettings => ({ schedule: "constant", base: 0.1, totalSteps: 100, warmupSteps: 0, stepSize: 30, gamma: 0.1, ...over });
const at = (settings: ScheduleSettings, steps: number[]): number[] => steps.map((t) => learningRateAt(settings, t));

describe("learning-rate schedules", () => {
  it("constant: the base rate at every step", () => {
    expect(at(s({}), [0, 1, 50, 99])).toEqual([0.1, 0.1, 0.1, 0.1]);
  });

  it("step: × gamma after every stepSize steps", () => {
    const v = at(s({ schedule: "step" }), [0, 29, 30, 59, 60, 99]);
    [0.1, 0.1, 0.01, 0.01, 0.001, 0.0001].forEach((x, i) => expect(v[i]).toBeCloseTo(x, 12));
  });

  it("cosine: from the base rate through half of it at mid-run towards 0", () => {
    const v = at(s({ schedule: "cosine" }), [0, 25, 50, 75, 99, 100]);
    [0.1, 0.1 * (1 + Math.SQRT1_2) / 2, 0.05, 0.1 * (1 - Math.SQRT1_2) / 2, (0.1 * (1 + Math.cos((Math.PI * 99) / 100))) / 2, 0].forEach((x, i) => expect(v[i]).toBeCloseTo(x, 12));
    expect(v[4]).toBeGreaterThan(0);
  });

  it("warm-up: rises linearly to the base rate, then the schedule runs over the remaining steps", () => {
    const v = at(s({ schedule: "cosine", warmupSteps: 4, totalSteps: 14 }), [0, 1, 3, 4, 9, 14]);
    [0.02, 0.04, 0.08, 0.1, 0.05, 0].forEach((x, i) => expect(v[i]).toBeCloseTo(x, 12));
    expect(at(s({ warmupSteps: 1 }), [0, 1])).toEqual([0.05, 0.1]);
  });
});
