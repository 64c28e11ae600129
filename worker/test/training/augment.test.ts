import { describe, expect, it } from "vitest";
import { Rng } from "../../src/data/rng.js";
import { augmentBatch } from "../../src/training/augment.js";

/** n examples of [h, w, c]: value = 1 + index within the example (so 0 means padding). */
function batch(n: number, h: number, w: number, c: number): Float32Array {
  const per = h * w * c;
  return Float32Array.from({ length: n * per }, (_, i) => 1 + (i % per));
}

describe("augmentBatch", () => {
  it("keeps the batch shape and each example's values (a crop of the zero-padded image, maybe flipped)", () => {
    const [n, h, w, c] = [50, 5, 6, 3];
    const xs = batch(n, h, w, c);
    augmentBatch(xs, n, [h, w, c], { padding: 2, rng: new Rng(1) });
    expect(xs.length).toBe(n * h * w * c);
    let padded = 0;
    let flipped = 0;
    for (let i = 0; i < n; i++) {
      const ex = xs.subarray(i * h * w * c, (i + 1) * h * w * c);
      // Channels move together: pixel values are 3p+1, 3p+2, 3p+3 or all 0.
      for (let p = 0; p < h * w; p++) {
        const v = ex[p * 3] ?? 0;
        if (v === 0) {
          padded++;
          expect([ex[p * 3 + 1], ex[p * 3 + 2]]).toEqual([0, 0]);
        } else expect([ex[p * 3 + 1], ex[p * 3 + 2]]).toEqual([v + 1, v + 2]);
      }
      // Within a row, neighbours differ by one pixel (+3 or, flipped, −3) wherever both are in the image.
      const a = ex[0] ?? 0;
      const b = ex[3] ?? 0;
      if (a > 0 && b > 0 && b - a === -3) flipped++;
    }
    expect(padded).toBeGreaterThan(0);
    expect(flipped).toBeGreaterThan(5);
    expect(flipped).toBeLessThan(45);
  });

  it("with no padding only flips, each example left-right mirrored or untouched", () => {
    const [n, h, w, c] = [40, 2, 3, 1];
    const xs = batch(n, h, w, c);
    augmentBatch(xs, n, [h, w, c], { padding: 0, rng: new Rng(2) });
    let flips = 0;
    for (let i = 0; i < n; i++) {
      const ex = Array.from(xs.subarray(i * 6, i * 6 + 6));
      if (ex[0] === 3) {
        expect(ex).toEqual([3, 2, 1, 6, 5, 4]);
        flips++;
      } else expect(ex).toEqual([1, 2, 3, 4, 5, 6]);
    }
    expect(flips).toBeGreaterThan(10);
    expect(flips).toBeLessThan(30);
  });

  it("is reproducible from the seed", () => {
    const a = batch(8, 4, 4, 1);
    const b = batch(8, 4, 4, 1);
    augmentBatch(a, 8, [4, 4, 1], { padding: 1, rng: new Rng(3) });
    augmentBatch(b, 8, [4, 4, 1], { padding: 1, rng: new Rng(3) });
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});
