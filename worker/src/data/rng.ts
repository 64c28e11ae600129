/**
 * Seeded pseudo-random numbers for everything random in the worker (data splits, shuffles,
 * weight init, synthetic data). Never `Math.random()`: a trial must be reproducible from its
 * seed.
 */

/** Hashes a string to 32 bits (FNV-1a followed by a murmur3 finaliser). */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Derives an independent 32-bit seed from a base seed and labels, e.g.
 * `deriveSeed(task.seed, "split")`. Different labels give uncorrelated streams.
 */
function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  let h = fmix32((Math.trunc(seed) >>> 0) ^ 0x9e3779b9);
  for (const label of labels) h = fmix32(h ^ hashString(String(label)));
  return h;
}

/** The whole state of an {@link Rng}: saved in trial checkpoints, restored with {@link Rng.restore}. */
export interface RngState {
  readonly s: readonly [number, number, number, number];
  /** The second Box-Muller deviate not yet handed out, if any. */
  readonly spareNormal?: number;
}

/** A small, fast, seedable generator (xoshiro128**, seeded through splitmix32). */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  /** @param seed any integer; equal seeds give equal streams */
  constructor(seed: number) {
    let x = Math.trunc(seed) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return fmix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A new generator seeded from this seed lineage and `label`, without consuming this one. */
  static derive(seed: number, ...labels: readonly (string | number)[]): Rng {
    return new Rng(deriveSeed(seed, ...labels));
  }

  /** The generator's state: {@link restore} on any Rng continues this stream exactly. */
  state(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], ...(this.spareNormal !== undefined && { spareNormal: this.spareNormal }) };
  }

  /**
   * Continues the stream of the generator whose {@link state} this is.
   * @throws RangeError for a state that no generator can have
   */
  restore(state: RngState): void {
    const [a, b, c, d] = state.s;
    const words = [a, b, c, d];
    if (!words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) || (a | b | c | d) === 0) {
      throw new RangeError(`not an Rng state: ${JSON.stringify(state)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = words as [number, number, number, number];
    this.spareNormal = state.spareNormal;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal deviate (Box-Muller). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A shuffled permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
