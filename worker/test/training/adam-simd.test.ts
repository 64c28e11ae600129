import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { type WasmBackend, view } from "../../src/backend/blas/heap.js";
import { adamModuleBytes, simdAdam, webAssembly, type AdamUpdate, type WasmModuleMemory } from "../../src/training/adam-simd.js";
import { jsAdam } from "../../src/training/fused-adam.js";

type Backend = WasmBackend & { readonly wasm: WasmModuleMemory };
const B1 = 0.9;
const B2 = 0.999;
const T = 3;
const STEP = 0.01 / (1 - B1 ** T);
const INV_C2 = 1 / (1 - B2 ** T);
const EPS = 1e-7;

let backend: Backend;
beforeAll(async () => {
  await tf.setBackend("wasm");
  backend = tf.backend() as unknown as Backend;
});

/** Random w, m, g in [−1, 1), v in [0, 1e-2), a half-zero mask: as tensors on the heap. */
function operands(n: number, seed: number): tf.Tensor[] {
  return tf.tidy(() => [
    tf.randomUniform([n], -1, 1, "float32", seed),
    tf.randomUniform([n], -0.1, 0.1, "float32", seed + 1),
    tf.randomUniform([n], 0, 1e-2, "float32", seed + 2),
    tf.randomUniform([n], -1, 1, "float32", seed + 3),
    tf.cast(tf.greater(tf.randomUniform([n], 0, 1, "float32", seed + 4), 0.5), "float32"),
  ]);
}

/** Runs the SIMD update on the tensors in place and the JS loop on copies; the largest difference relative to each array's largest magnitude. */
function compare(simd: AdamUpdate, ts: tf.Tensor[], masked: boolean): number {
  const [w, m, v, g, k] = ts.map((t) => view(backend, t)) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const copies = [w, m, v, g, k].map((a) => a.slice()) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const w0 = w.slice();
  jsAdam(copies[0], copies[1], copies[2], copies[3], masked ? copies[4] : undefined, B1, B2, STEP, INV_C2, EPS);
  simd(w.byteOffset, m.byteOffset, v.byteOffset, g.byteOffset, masked ? k.byteOffset : 0, w.length, B1, 1 - B1, B2, 1 - B2, STEP, INV_C2, EPS);
  let worst = 0;
  [w, m, v].forEach((got, a) => {
    const want = copies[a] as Float32Array;
    const scale = Math.max(1e-30, ...want.map(Math.abs));
    want.forEach((x, i) => {
      worst = Math.max(worst, Math.abs((got[i] ?? NaN) - x) / scale);
    });
  });
  if (masked) expect(Array.from(w).every((x, i) => k[i] !== 0 || x === 0)).toBe(true);
  // The update did run: the weights moved.
  expect(Array.from(w).some((x, i) => x !== w0[i] && x !== 0)).toBe(true);
  return worst;
}

const wa = webAssembly as NonNullable<typeof webAssembly>;

describe("the SIMD Adam update", () => {
  it("is the JS loop's update to float rounding, with and without a mask, at lengths off the 4-wide blocks", () => {
    const simd = simdAdam(backend.wasm, {});
    expect(typeof simd).toBe("function");
    for (const n of [1, 3, 5, 8, 1027]) {
      for (const masked of [false, true]) {
        const ts = operands(n, n * 7 + (masked ? 1 : 0));
        expect(compare(simd as AdamUpdate, ts, masked), `n=${n} masked=${masked}`).toBeLessThan(1e-6);
        tf.dispose(ts);
      }
    }
  });

  it("writes nothing past its n elements", () => {
    const simd = simdAdam(backend.wasm, {}) as AdamUpdate;
    const ts = operands(8, 3);
    const before = ts.map((t) => view(backend, t).slice());
    const [w, m, v, g, k] = ts.map((t) => view(backend, t)) as Float32Array[];
    simd(w!.byteOffset, m!.byteOffset, v!.byteOffset, g!.byteOffset, k!.byteOffset, 5, B1, 1 - B1, B2, 1 - B2, STEP, INV_C2, EPS);
    for (const [a, arr] of [w, m, v].entries()) expect(Array.from(arr!.subarray(5))).toEqual(Array.from(before[a]!.subarray(5)));
    tf.dispose(ts);
  });

  it("still works on the heap after the wasm memory has grown", () => {
    const simd = simdAdam(backend.wasm, {}) as AdamUpdate;
    const small = operands(1027, 11);
    expect(compare(simd, small, true)).toBeLessThan(1e-6);
    const bytes = backend.wasm.HEAPU8.buffer.byteLength;
    const big = tf.zeros([bytes / 4 + 1024]); // more than the whole heap: it must grow
    expect(backend.wasm.HEAPU8.buffer.byteLength).toBeGreaterThan(bytes);
    // The same module (cached per memory) on the grown memory, old and new tensors.
    expect(simdAdam(backend.wasm, {})).toBe(simd);
    expect(compare(simd, small, true)).toBeLessThan(1e-6);
    const after = operands(1027, 13);
    expect(compare(simd, after, false)).toBeLessThan(1e-6);
    tf.dispose([...small, ...after, big]);
  });

  it("is declined, with the reason, where it cannot or must not run (the caller then keeps the JS loop)", () => {
    expect(simdAdam(backend.wasm, { PRUNESWEEP_ADAM: "js" })).toBe("PRUNESWEEP_ADAM=js");
    // A tfjs-backend-wasm whose memory is elsewhere.
    expect(simdAdam({ HEAPU8: backend.wasm.HEAPU8 }, {})).toMatch(/memory is not at/);
    // A memory that is not the heap's.
    expect(simdAdam({ HEAPU8: backend.wasm.HEAPU8, asm: { memory: new wa.Memory({ initial: 1 }) } }, {})).toMatch(/memory is not at/);
  });

  it("assembles a valid module for the simd (unshared) and threaded (shared) memories", () => {
    expect(wa.validate(adamModuleBytes(false))).toBe(true);
    expect(wa.validate(adamModuleBytes(true))).toBe(true);
    const shared = new wa.Memory({ initial: 1, maximum: 65536, shared: true });
    const inst = new wa.Instance(new wa.Module(adamModuleBytes(true)), { env: { memory: shared } });
    const f = new Float32Array(shared.buffer);
    f.set([0.5, 0, 0, 0.25], 0); // w, m, v, g at byte offsets 0, 4, 8, 12, n = 1
    (inst.exports["adam"] as AdamUpdate)(0, 4, 8, 12, 0, 1, B1, 1 - B1, B2, 1 - B2, 1, 1, 0);
    // m = 0.1·0.25, v = 0.001·0.0625, w = 0.5 − m/√v = 0.5 − 0.025/0.0079057 …
    expect(f[1]).toBeCloseTo(0.025, 7);
    expect(f[2]).toBeCloseTo(0.0000625, 9);
    expect(f[0]).toBeCloseTo(0.5 - 0.025 / Math.sqrt(0.0000625), 5);
  });
});
