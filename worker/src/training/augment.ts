/**
 * Image augmentation of training batches (the recipe's `finetune.augment`): each example
 * `[H, W, C]` (channels last, flattened) is randomly shifted by up to `padding` pixels in each
 * direction with zeros filling in (a random crop of the zero-padded image, as in the usual
 * CIFAR-10 recipe) and flipped left-right with probability 1/2. Runs on the batch's CPU copy,
 * before it becomes a tensor, so it works on every backend.
 */
import type { Rng } from "../data/rng.js";

/** Augmentation settings. */
export interface Augmentation {
  /** Crop padding in pixels (0: flips only). */
  readonly padding: number;
  /** Draws the crops and flips; derive it from the trial seed. */
  readonly rng: Rng;
}

/** Augments `n` examples of shape `[h, w, c]` in `xs` in place. */
export function augmentBatch(xs: Float32Array, n: number, shape: readonly number[], aug: Augmentation): void {
  const [h = 1, w = 1, c = 1] = shape;
  const per = h * w * c;
  const src = new Float32Array(per);
  for (let i = 0; i < n; i++) {
    const base = i * per;
    src.set(xs.subarray(base, base + per));
    const dy = aug.padding > 0 ? aug.rng.int(2 * aug.padding + 1) - aug.padding : 0;
    const dx = aug.padding > 0 ? aug.rng.int(2 * aug.padding + 1) - aug.padding : 0;
    const flip = aug.rng.next() < 0.5;
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      for (let x = 0; x < w; x++) {
        const sx = (flip ? w - 1 - x : x) + dx;
        const out = base + (y * w + x) * c;
        if (sy < 0 || sy >= h || sx < 0 || sx >= w) xs.fill(0, out, out + c);
        else for (let k = 0; k < c; k++) xs[out + k] = src[(sy * w + sx) * c + k] ?? 0;
      }
    }
  }
}
