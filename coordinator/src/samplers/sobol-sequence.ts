/**
 * Sobol' low-discrepancy points in [0, 1)^d with 32-bit precision, optionally scrambled by a
 * seeded linear matrix scramble plus a random digital shift (Matoušek 1998; the scheme
 * SciPy's `qmc.Sobol(scramble=True)` uses). Point `n` is computed directly from the Gray
 * code of `n`, so any index can be produced without generating the ones before it.
 */
import { InvalidSearchSpaceError } from "../errors.js";
import { Rng } from "../domain/rng.js";
import { JOE_KUO_D6_INITIAL, SOBOL_MAX_DIMENSIONS } from "./sobol-direction-numbers.js";

/** Bits of precision (and the largest usable index is 2^BITS − 1). */
const BITS = 32;
const TWO_POW_32 = 4294967296;

/** Parsed `d s a m...` rows, parsed lazily once per process. */
let table: { s: number; a: number; m: number[] }[] | undefined;

function directionTable(): { s: number; a: number; m: number[] }[] {
  if (!table) {
    table = JOE_KUO_D6_INITIAL.trim()
      .split("\n")
      .map((line) => {
        const [, s = 0, a = 0, ...m] = line.trim().split(/\s+/).map(Number);
        return { s, a, m };
      });
  }
  return table;
}

/**
 * The 32 direction numbers of dimension `dim` (0-based), `v[k]` = m_{k+1} · 2^(32−k−1),
 * following Joe and Kuo's recurrence.
 */
export function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 0; k < BITS; k++) v[k] = (1 << (BITS - 1 - k)) >>> 0;
    return v;
  }
  const row = directionTable()[dim - 1];
  if (!row) throw new RangeError(`Sobol' direction numbers cover ${SOBOL_MAX_DIMENSIONS} dimensions, asked for dimension ${dim + 1}`);
  const { s, a, m } = row;
  for (let k = 0; k < Math.min(s, BITS); k++) v[k] = ((m[k] as number) * 2 ** (BITS - 1 - k)) >>> 0;
  for (let k = s; k < BITS; k++) {
    let x = ((v[k - s] as number) ^ ((v[k - s] as number) >>> s)) >>> 0;
    for (let j = 1; j < s; j++) if ((a >>> (s - 1 - j)) & 1) x = (x ^ (v[k - j] as number)) >>> 0;
    v[k] = x;
  }
  return v;
}

/** Parity of the set bits of a 32-bit integer. */
function parity(x: number): number {
  let y = x >>> 0;
  y ^= y >>> 16;
  y ^= y >>> 8;
  y ^= y >>> 4;
  y ^= y >>> 2;
  y ^= y >>> 1;
  return y & 1;
}

/** Options of {@link SobolSequence}. */
export interface SobolSequenceOptions {
  /** Apply a linear matrix scramble and a digital shift drawn from `seed`. @default true */
  readonly scramble?: boolean;
  /** Seed of the scramble. @default 0 */
  readonly seed?: number;
}

/** A (scrambled) Sobol' sequence of fixed dimension. */
export class SobolSequence {
  readonly dim: number;
  private readonly v: Uint32Array[];
  private readonly shift: Uint32Array;

  /** @throws InvalidSearchSpaceError when `dim` exceeds the table (512 dimensions). */
  constructor(dim: number, options: SobolSequenceOptions = {}) {
    if (dim > SOBOL_MAX_DIMENSIONS) {
      throw new InvalidSearchSpaceError(`the Sobol' sampler supports at most ${SOBOL_MAX_DIMENSIONS} parameters, the space has ${dim}`);
    }
    this.dim = dim;
    this.v = Array.from({ length: dim }, (_, d) => directionNumbers(d));
    this.shift = new Uint32Array(dim);
    if (options.scramble ?? true) {
      const rng = new Rng(options.seed ?? 0);
      for (let d = 0; d < dim; d++) {
        this.v[d] = scrambleDirections(this.v[d] as Uint32Array, rng);
        this.shift[d] = rng.nextUint32();
      }
    }
  }

  /**
   * Point number `index` (0-based). Unscrambled, point 0 is the origin; callers that want to
   * avoid it start at 1.
   *
   * @throws RangeError when `index` is not an integer in [0, 2^32).
   */
  point(index: number): number[] {
    if (!Number.isInteger(index) || index < 0 || index >= TWO_POW_32) {
      throw new RangeError(`Sobol' index must be an integer in [0, 2^32), got ${index}`);
    }
    const gray = (index ^ Math.floor(index / 2)) >>> 0;
    const out = new Array<number>(this.dim);
    for (let d = 0; d < this.dim; d++) {
      const v = this.v[d] as Uint32Array;
      let x = this.shift[d] as number;
      for (let k = 0, g = gray; g !== 0; k++, g >>>= 1) if (g & 1) x = (x ^ (v[k] as number)) >>> 0;
      out[d] = x / TWO_POW_32;
    }
    return out;
  }
}

/**
 * Linear matrix scramble of one dimension's direction numbers: output bit k (counted from the
 * most significant) is the parity of the input's first k+1 bits under a random lower
 * triangular row with a unit diagonal. The scramble is invertible and keeps the net
 * properties of the sequence.
 */
function scrambleDirections(v: Uint32Array, rng: Rng): Uint32Array {
  const rows = new Uint32Array(BITS);
  for (let k = 0; k < BITS; k++) {
    // Bits above position k (MSB-first) are random, bit k is the diagonal, lower bits are 0.
    const diagonal = (1 << (BITS - 1 - k)) >>> 0;
    const highMask = k === 0 ? 0 : (0xffffffff << (BITS - k)) >>> 0;
    const above = (rng.nextUint32() & highMask) >>> 0;
    rows[k] = (above | diagonal) >>> 0;
  }
  const out = new Uint32Array(BITS);
  for (let j = 0; j < BITS; j++) {
    let x = 0;
    for (let k = 0; k < BITS; k++) if (parity((rows[k] as number) & (v[j] as number))) x |= 1 << (BITS - 1 - k);
    out[j] = x >>> 0;
  }
  return out;
}
