/** Runs the same computation on the cpu backend and on wasm with the BLAS kernels, and compares. */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { expect } from "vitest";
import { installBlasKernels } from "../../../src/backend/blas/install.js";
import { ensureWasmConvTraining } from "../../../src/backend/wasm-conv-grad.js";
import { loadBlas, type BlasLibrary } from "../../../src/backend/blas/library.js";

tf.enableProdMode();
const loaded = loadBlas({ setting: process.env["PRUNESWEEP_BLAS"] ?? "", threads: 2 });

/** The BLAS, or why there is none (tests skip then: CI installs libopenblas0-pthread). */
export const blas: BlasLibrary | undefined = typeof loaded === "string" ? undefined : loaded;

/** sgemm calls made through {@link countingBlas}. */
export const sgemmCalls = { n: 0 };

/** The real library, counting its sgemm calls (to show the BLAS path really ran). */
function countingBlas(lib: BlasLibrary): BlasLibrary {
  return {
    name: lib.name,
    path: lib.path,
    threads: lib.threads,
    setThreads: (n) => lib.setThreads(n),
    sgemm: (...args) => {
      sgemmCalls.n++;
      lib.sgemm(...args);
    },
  };
}

let counting: BlasLibrary | undefined;

/** Activates wasm with the BLAS kernels. */
export async function useBlasWasm(): Promise<void> {
  if (!blas) throw new Error("no BLAS");
  await tf.setBackend("wasm");
  await tf.ready();
  counting ??= countingBlas(blas);
  // As the wasm tiers do: the filter-gradient kernel the BLAS one falls back to for thin inputs.
  ensureWasmConvTraining();
  installBlasKernels(counting);
}

/** Deterministic values in [-1, 1). */
export function values(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = seed * 2654435761 + 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s / 2147483648) * 2 - 1;
  }
  return out;
}

/** Outputs of `f` and the gradients of sum(outputs · fixed weights) with respect to each input. */
function run(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: { shape: number[]; seed: number }[], gradOf: readonly number[]): Float32Array[] {
  return tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(values(i.shape, i.seed), i.shape));
    const y = f(...xs);
    if (gradOf.length === 0) return [y.dataSync() as Float32Array];
    const w = tf.tensor(values(y.shape, 99), y.shape);
    const g = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...xs.map((x, i) => a[gradOf.indexOf(i)] ?? x)), w)));
    return [y, ...g(gradOf.map((i) => xs[i] as tf.Tensor))].map((t) => t.dataSync() as Float32Array);
  });
}

/** Maximum |a - b| over max |b|. */
export function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 1e-12;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs((a[i] ?? NaN) - (b[i] ?? 0)));
    m = Math.max(m, Math.abs(b[i] ?? 0));
  }
  return d / m;
}

/**
 * Forward and backward of `f` agree between the cpu backend (reference) and wasm with the BLAS
 * kernels to `tol` relative, and the BLAS path made sgemm calls. `gradOf`: the inputs to
 * differentiate (default all; empty: forward only); `reference`: what the cpu backend runs instead of `f`;
 * `usesSgemm`: false for kernels that make no sgemm call.
 */
export async function expectAgreement(
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: { shape: number[]; seed: number }[],
  gradOf: readonly number[] = inputs.map((_, i) => i),
  reference: (...xs: tf.Tensor[]) => tf.Tensor = f,
  tol = 1e-4,
  usesSgemm = true,
): Promise<void> {
  await tf.setBackend("cpu");
  const ref = run(reference, inputs, gradOf);
  await useBlasWasm();
  const before = sgemmCalls.n;
  const got = run(f, inputs, gradOf);
  if (usesSgemm) expect(sgemmCalls.n).toBeGreaterThan(before);
  expect(got.length).toBe(ref.length);
  ref.forEach((r, i) => {
    expect(got[i]?.length).toBe(r.length);
    expect(relErr(got[i] ?? new Float32Array(), r), `output ${i} (0 = forward, then the gradient of each input)`).toBeLessThan(tol);
  });
}
