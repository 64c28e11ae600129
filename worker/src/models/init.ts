/** Seeded weight initialisers (deterministic per seed and parameter name). */
import { Rng } from "../data/rng.js";

/**
 * Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)), the Keras default
 * for dense and conv kernels.
 */
export function glorotUniform(size: number, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

/** He (Kaiming) normal: N(0, 2 / fanIn), for ReLU conv stacks. */
export function heNormal(size: number, fanIn: number, rng: Rng): Float32Array {
  const std = Math.sqrt(2 / fanIn);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.normal() * std;
  return out;
}

/** The generator for one parameter: independent of the order in which parameters are built. */
export function paramRng(seed: number, paramName: string): Rng {
  return Rng.derive(seed, "init", paramName);
}
