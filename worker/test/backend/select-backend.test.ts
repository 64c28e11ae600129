import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backend/select-backend.js";
import { BackendUnavailableError } from "../../src/errors.js";

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const hasNative = installed("@tensorflow/tfjs-node") || installed("@tensorflow/tfjs-node-gpu");

describe("selectBackend", () => {
  it("picks native TensorFlow when installed, else wasm, and memoises", async () => {
    const a = await selectBackend("auto");
    expect(a.backend).toBe(hasNative ? "tensorflow" : "wasm");
    expect(a.supportsConvTraining).toBe(a.backend !== "wasm");
    expect(a.tf.getBackend()).toBe(a.backend);
    expect(await selectBackend("auto")).toBe(a);
  });

  it("switches between explicit backends", async () => {
    const cpu = await selectBackend("cpu");
    expect(cpu.backend).toBe("cpu");
    expect(cpu.tf.getBackend()).toBe("cpu");
    const wasm = await selectBackend("wasm");
    expect(wasm.tf.getBackend()).toBe("wasm");
  });

  it.skipIf(hasNative)("fails clearly when tensorflow is requested but not installed", async () => {
    const err: unknown = await selectBackend("tensorflow").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/tfjs-node/);
  });
});
