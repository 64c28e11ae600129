import { describe, expect, it } from "vitest";
import type { TrialSnapshot } from "../../src/domain/trial.js";
import { backends } from "../../src/results/statistics.js";

const trial = (n: number, backend: string | undefined, details: unknown): TrialSnapshot => ({
  id: `t${n}`,
  number: n,
  state: "completed",
  params: {},
  metrics: {},
  progress: [],
  attempts: 1,
  createdAt: 0,
  ...(backend !== undefined && { backend }),
  details,
});

describe("backends", () => {
  it("counts trials per engine (backend, BLAS library and threads), else per backend", () => {
    const trials = [
      trial(0, "wasm", { backend: "wasm", engine: "wasm + OpenBLAS 0.3.21 (2 threads)" }),
      trial(1, "wasm", { backend: "wasm", engine: "wasm + OpenBLAS 0.3.21 (2 threads)" }),
      trial(2, "wasm", { backend: "wasm", engine: "wasm (stock kernels)" }),
      trial(3, "cpu", {}),
      trial(4, undefined, { backend: "tensorflow" }),
      trial(5, undefined, undefined),
    ];
    expect(backends(trials)).toEqual({ "wasm + OpenBLAS 0.3.21 (2 threads)": 2, "wasm (stock kernels)": 1, cpu: 1, tensorflow: 1 });
  });
});
