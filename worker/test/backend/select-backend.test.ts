import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BACKEND_NAMES, TrialAssignment } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { loadBlas } from "../../src/backend/blas/library.js";
import { AUTO_TIERS, describeTiers, selectBackend } from "../../src/backend/select-backend.js";
import { loadWorkerConfig } from "../../src/config.js";
import { listVulkanIcds, findLibVulkan, vulkanDiagnosis } from "../../src/backend/webgpu.js";
import { BackendUnavailableError, InvalidAssignmentError, WebGpuUnavailableError, isRetryable } from "../../src/errors.js";
import { decodeAssignment } from "../../src/transport/convert.js";

// Dawn really runs here; point the Vulkan loader at no driver so that no adapter exists even
// on a machine with a Vulkan ICD installed (the loader reads this when Dawn starts).
process.env["VK_ICD_FILENAMES"] = join(tmpdir(), "prunesweep-test-no-such-icd.json");

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

const hasNative = installed("@tensorflow/tfjs-node") || installed("@tensorflow/tfjs-node-gpu");
const blas = loadBlas({ setting: process.env["PRUNESWEEP_BLAS"] ?? "" });
const wasmTier = typeof blas === "string" ? "wasm" : "wasm-blas";

describe("selectBackend", () => {
  it("tries tensorflow GPU, webgpu, tensorflow CPU, wasm with BLAS, wasm, cpu in that order", () => {
    expect(AUTO_TIERS.map((t) => t.tier)).toEqual(["tensorflow-gpu", "webgpu", "tensorflow-cpu", "wasm-blas", "wasm", "cpu"]);
  });

  it("auto skips webgpu without an adapter, says why for every tier, and memoises", async () => {
    const lines: { msg: string; fields: Readonly<Record<string, unknown>> }[] = [];
    const a = await selectBackend("auto", (msg, fields) => lines.push({ msg, fields }));
    expect(a.backend).toBe(hasNative ? "tensorflow" : "wasm");
    if (a.backend === "wasm") expect(a.tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
    expect(a.gpu).toBe(false);
    expect(a.tf.getBackend()).toBe(a.backend);
    const order = AUTO_TIERS.map((t) => t.tier);
    expect(a.tiers.map((t) => t.tier)).toEqual(order.slice(0, a.tiers.length));
    expect(a.tiers.at(-1)).toEqual({ tier: hasNative ? "tensorflow-cpu" : wasmTier });
    if (!hasNative) expect(a.blas?.library).toBe(typeof blas === "string" ? undefined : blas.name);
    const webgpu = a.tiers.find((t) => t.tier === "webgpu");
    expect(webgpu?.skipped).toMatch(/^no adapter \(/);
    expect(webgpu?.skipped).toContain("VK_DRIVER_FILES/VK_ICD_FILENAMES=");
    expect(webgpu?.skipped).toMatch(/is a Vulkan ICD installed\?/);
    expect(webgpu?.skipped).toContain("NVIDIA: NVIDIA_DRIVER_CAPABILITIES must include graphics");
    if (!hasNative) expect(a.tiers[0]?.skipped).toMatch(/@tensorflow\/tfjs-node-gpu and @tensorflow\/tfjs-node not installed/);
    // One log line with every tier and its reason.
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toBe("tfjs backend selected");
    expect(lines[0]?.fields).toMatchObject({ requested: "auto", backend: a.backend, tiers: describeTiers(a.tiers) });
    expect(lines[0]?.fields["tiers"]).toMatch(/webgpu: no adapter/);
    expect(await selectBackend("auto")).toBe(a);
    expect(lines).toHaveLength(1);
  });

  it("switches between explicit backends", async () => {
    const cpu = await selectBackend("cpu");
    expect(cpu.backend).toBe("cpu");
    expect(cpu.tiers).toEqual([{ tier: "cpu" }]);
    expect(cpu.tf.getBackend()).toBe("cpu");
    const wasm = await selectBackend("wasm");
    expect(wasm.tf.getBackend()).toBe("wasm");
  });

  it("fails explicit webgpu without an adapter non-retryably, naming what is missing", async () => {
    const err: unknown = await selectBackend("webgpu").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebGpuUnavailableError);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    const e = err as Error;
    expect(e.name).toBe("WebGpuUnavailableError");
    expect(e.message).toMatch(/^backend "webgpu" requested but no adapter \(/);
    expect(e.message).toMatch(/is a Vulkan ICD installed\?/);
    expect(isRetryable(e)).toBe(false);
    expect(isRetryable({ name: e.name, message: e.message })).toBe(false);
    // The engine stays usable on the backend it had.
    expect((await selectBackend("wasm")).tf.getBackend()).toBe("wasm");
  });

  it.skipIf(hasNative)("fails clearly when tensorflow is requested but not installed", async () => {
    const err: unknown = await selectBackend("tensorflow").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toMatch(/tfjs-node/);
    expect(isRetryable(err)).toBe(true);
  });
});

describe("the worker's --backend", () => {
  it("defaults to auto, takes PRUNESWEEP_BACKEND, and rejects unknown names with the valid ones", () => {
    expect(loadWorkerConfig({}, {}).backend).toBe("auto");
    expect(loadWorkerConfig({}, { PRUNESWEEP_BACKEND: "webgpu" }).backend).toBe("webgpu");
    expect(() => loadWorkerConfig({ backend: "gpu" }, {})).toThrow('--backend: must be one of auto, tensorflow, webgpu, wasm, cpu; got "gpu"');
  });
});

describe("vulkanDiagnosis", () => {
  const dir = mkdtempSync(join(tmpdir(), "prunesweep-vk-"));

  it("names a missing libvulkan, missing ICDs and the NVIDIA capability", () => {
    const text = vulkanDiagnosis({ vkDriverFiles: join(dir, "none.json"), ldLibraryPath: dir, nvidiaDriverCapabilities: "compute,utility" });
    expect(text).toContain(`VK_DRIVER_FILES/VK_ICD_FILENAMES=${join(dir, "none.json")}`);
    expect(text).toContain("no Vulkan ICD manifest in the files named: is a Vulkan ICD installed?");
    expect(text).toContain('NVIDIA: NVIDIA_DRIVER_CAPABILITIES must include graphics (it is "compute,utility")');
    if (!findLibVulkan({})) expect(text).toContain("libvulkan.so.1 not found (Debian/Ubuntu: apt-get install libvulkan1)");
  });

  it("finds libvulkan on LD_LIBRARY_PATH and lists the ICDs named; an NVIDIA ICD drops the hint", () => {
    writeFileSync(join(dir, "libvulkan.so.1"), "");
    const icd = join(dir, "nvidia_icd.json");
    writeFileSync(icd, "{}");
    expect(findLibVulkan({ ldLibraryPath: `/nonexistent:${dir}` })).toBe(join(dir, "libvulkan.so.1"));
    expect(listVulkanIcds({ vkDriverFiles: `${icd}:${join(dir, "gone.json")}` })).toEqual([icd]);
    const text = vulkanDiagnosis({ vkDriverFiles: icd, ldLibraryPath: dir });
    expect(text).not.toContain("libvulkan.so.1 not found");
    expect(text).toContain(`the ICDs ${icd} offered no device Dawn accepts`);
    expect(text).not.toContain("NVIDIA_DRIVER_CAPABILITIES");
  });

  it("says what it can on platforms without Vulkan", () => {
    expect(vulkanDiagnosis({}, "darwin")).toBe("Dawn found no GPU it supports on darwin");
  });
});

describe("decodeAssignment backend", () => {
  const encode = (backend: string): Uint8Array =>
    TrialAssignment.encode(
      TrialAssignment.fromPartial({ campaignId: "c", trialId: "t", coordinatorEndpoint: "127.0.0.1:1", task: { dataset: { source: { $case: "builtin", value: "mnist" } }, backend } }),
    ).finish();

  it("accepts every name of the shared list; empty means auto", () => {
    for (const name of BACKEND_NAMES) expect(decodeAssignment(encode(name), 1).request.task.backend).toBe(name);
    expect(decodeAssignment(encode(""), 1).request.task.backend).toBe("auto");
  });

  it("rejects an unknown name, listing the valid ones", () => {
    expect(() => decodeAssignment(encode("cuda"), 1)).toThrow(InvalidAssignmentError);
    expect(() => decodeAssignment(encode("cuda"), 1)).toThrow('assignment t: unknown backend "cuda"; valid: auto, tensorflow, webgpu, wasm, cpu');
  });
});
