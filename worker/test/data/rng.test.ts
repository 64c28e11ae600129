import { describe, expect, it } from "vitest";
import { Rng } from "../../src/data/rng.js";

describe("Rng state", () => {
  it("restore continues the stream exactly, the spare normal deviate included", () => {
    const a = new Rng(42);
    for (let i = 0; i < 1000; i++) a.nextUint32();
    a.normal(); // leaves a spare deviate
    const saved = JSON.parse(JSON.stringify(a.state())) as ReturnType<Rng["state"]>;
    const b = new Rng(1);
    b.restore(saved);
    expect([b.normal(), b.next(), ...b.permutation(20)]).toEqual([a.normal(), a.next(), ...a.permutation(20)]);
    expect(saved.s.every((w) => w >= 0 && w <= 0xffffffff)).toBe(true);
  });

  it("rejects a state no generator can have, naming it", () => {
    expect(() => new Rng(1).restore({ s: [0, 0, 0, 0] })).toThrow(/not an Rng state: \{"s":\[0,0,0,0\]\}/);
    expect(() => new Rng(1).restore({ s: [1, 2, 3, -4] })).toThrow(RangeError);
  });
});
