/** Oracle tests of the pruning scope units and the sparsity schedules. */
import { describe, expect, it } from "vitest";
import { geometricRemaining, polynomialSchedule } from "../../src/pruning/schedule.js";
import { gatherKept, keptValues, pruneByUnits, pruneSmallestKept, scopeUnits } from "../../src/pruning/schedule-units.js";

describe("scope units", () => {
  it("groups a [in, out] kernel by output neuron (last axis)", () => {
    const units = scopeUnits([[3, 2], [2]], "neuron");
    expect(units).toHaveLength(4);
    expect(units[1]).toEqual([{ tensor: 0, start: 1, stride: 2, count: 3 }]);
    const scores = [Float32Array.from([5, 1, 2, 6, 3, 7]), Float32Array.from([1, 2])];
    const keep = [new Uint8Array(6).fill(1), new Uint8Array(2).fill(1)];
    expect(Array.from(gatherKept(units[1] ?? [], scores, keep))).toEqual([1, 6, 7]);
    pruneByUnits(units, scores, keep, () => 1);
    expect(Array.from(keep[0] ?? [])).toEqual([1, 0, 0, 1, 1, 1]);
    expect(Array.from(keep[1] ?? [])).toEqual([0, 0]);
    expect(scopeUnits([[3, 2], [2]], "layer")).toHaveLength(2);
  });

  it("never prunes an entry twice and caps at the kept count", () => {
    const scores = [Float32Array.from([0, 0, 0, 1])];
    const keep = [Uint8Array.from([0, 1, 1, 1])];
    const unit = scopeUnits([[4]], "global")[0] ?? [];
    expect(pruneSmallestKept(unit, scores, keep, 10)).toBe(3);
    expect(Array.from(keep[0] ?? [])).toEqual([0, 0, 0, 0]);
    expect(keptValues([Float32Array.from([1, 2])], [Uint8Array.from([0, 1])])).toEqual(Float32Array.from([2]));
  });
});

describe("schedules", () => {
  it("ends the cubic schedule at s_f and LT/OS at (1-P)^t", () => {
    expect(polynomialSchedule(0.1, 0.9, 5, 5)).toBe(0.9);
    expect(polynomialSchedule(0.1, 0.9, 0, 5)).toBeCloseTo(0.1);
    expect(polynomialSchedule(0, 0.8, 1, 4)).toBeCloseTo(0.8 - 0.8 * 0.75 ** 3);
    expect(geometricRemaining(0.2, 3)).toBeCloseTo(0.512);
  });
});
