import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { loadBlas } from "../../src/backend/blas/library.js";
import { selectBackend } from "../../src/backend/select-backend.js";

// A file of its own: the selections below must be this process's first (nothing memoised yet).
process.env["VK_ICD_FILENAMES"] = join(tmpdir(), "prunesweep-test-no-such-icd.json");

const resolvable = (pkg: string): boolean => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
const hasNative = resolvable("@tensorflow/tfjs-node") || resolvable("@tensorflow/tfjs-node-gpu");
const blas = loadBlas({ setting: process.env["PRUNESWEEP_BLAS"] ?? "" });

describe("selectBackend, asked for two preferences at once", () => {
  it.skipIf(hasNative)("gives both the same wasm engine and leaves the BLAS kernels installed", async () => {
    // As a worker thread that selects `auto` at start-up while its first trial asks for `wasm`:
    // the second request comes while the first is initialising the wasm backend.
    const first = selectBackend("auto");
    const engine = tf.engine() as unknown as { pendingBackendInit?: Promise<boolean> | null };
    for (let i = 0; i < 10_000 && !engine.pendingBackendInit; i++) await new Promise((r) => setImmediate(r));
    expect(engine.pendingBackendInit, "the wasm backend was not seen initialising").toBeTruthy();
    const [auto, wasm] = await Promise.all([first, selectBackend("wasm")]);
    expect(auto.backend).toBe("wasm");
    expect(wasm.backend).toBe("wasm");
    expect(wasm.tf.getBackend()).toBe("wasm");
    if (typeof blas === "string") {
      expect(auto.blas).toBeUndefined();
      expect(wasm.blas).toBeUndefined();
    } else {
      expect(auto.blas?.library).toBe(blas.name);
      expect(wasm.blas?.library).toBe(blas.name);
      // tfjs-backend-wasm's own kernel is the named function `batchMatMul`; ours replaces it.
      expect(wasm.tf.getKernel("BatchMatMul", "wasm")?.kernelFunc.name).not.toBe("batchMatMul");
    }
  }, 60_000);
});
