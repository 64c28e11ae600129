/**
 * The `webgpu` backend: `@tensorflow/tfjs-backend-webgpu` on Dawn, Chromium's WebGPU
 * implementation, from the npm package `webgpu` (prebuilt `dist/<platform>/dawn.node`; both
 * optionalDependencies of the worker). On Linux Dawn drives the GPU through Vulkan: it loads
 * `libvulkan.so.1` at run time, and the Vulkan loader needs an ICD for the GPU (NVIDIA: the
 * driver's `nvidia_icd.json`, which the NVIDIA container toolkit mounts only when
 * `NVIDIA_DRIVER_CAPABILITIES` includes `graphics`).
 *
 * Dawn's globals and `navigator.gpu` must exist before tfjs-backend-webgpu is imported (it
 * registers itself only when `navigator.gpu` is there). When Dawn finds no adapter, tfjs would
 * silently fall back to another backend, so this module checks the adapter first and
 * `tf.getBackend()` after switching.
 *
 * Reading tensors: in Node, `dataSync()` on this backend works only for tensors whose values
 * are already on the host (tfjs reads GPU buffers synchronously through an `OffscreenCanvas`,
 * which Node lacks); `await data()` always works and caches the values on the host.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { GpuEnvironment } from "../config.js";

/** The tfjs backend package. */
export const WEBGPU_BACKEND_PACKAGE = "@tensorflow/tfjs-backend-webgpu";
/** The npm package with Dawn's Node binding. */
const DAWN_PACKAGE = "webgpu";

/** Directories the Vulkan loader reads ICD manifests from (besides `VK_DRIVER_FILES`). */
export const VULKAN_ICD_DIRS: readonly string[] = ["/usr/share/vulkan/icd.d", "/usr/local/share/vulkan/icd.d", "/etc/vulkan/icd.d"];
/** System library directories searched for `libvulkan.so.1`, after `LD_LIBRARY_PATH`. */
const LIB_DIRS: readonly string[] = [
  "/usr/lib/x86_64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
  "/lib/x86_64-linux-gnu",
  "/lib/aarch64-linux-gnu",
  "/usr/lib64",
  "/usr/lib",
  "/usr/local/lib",
];

/** The adapter Dawn offers. */
export interface WebGpuAdapter {
  /** Vendor, architecture and device as Dawn names them, e.g. `nvidia hopper NVIDIA H200`. */
  readonly description: string;
  /** A software (CPU-emulated) adapter such as Mesa's lavapipe. */
  readonly software: boolean;
}

interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<{ readonly info?: AdapterInfoLike; readonly isFallbackAdapter?: boolean } | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

let adapterProbe: Promise<WebGpuAdapter | string> | undefined;

/**
 * Loads Dawn, installs `navigator.gpu` and asks for an adapter; once per process.
 * @returns the adapter, or why there is none (a sentence naming what is missing)
 */
export function probeWebGpu(env: GpuEnvironment): Promise<WebGpuAdapter | string> {
  adapterProbe ??= (async () => {
    let dawn: DawnModule;
    try {
      // A variable specifier: tsc must not require the optional package's types.
      const specifier: string = DAWN_PACKAGE;
      dawn = (await import(specifier)) as DawnModule;
    } catch (err) {
      return unloadable(DAWN_PACKAGE, err);
    }
    const adapter = await installNavigatorGpu(dawn).requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return `no adapter (${vulkanDiagnosis(env)})`;
    const info = adapter.info ?? {};
    const description = [info.vendor, info.architecture, info.device].filter((s) => s).join(" ") || info.description || "unnamed adapter";
    return { description, software: info.isFallbackAdapter === true || adapter.isFallbackAdapter === true };
  })();
  return adapterProbe;
}

/**
 * Imports tfjs-backend-webgpu (after {@link probeWebGpu} found an adapter) and switches tfjs
 * to it.
 * @returns undefined when tfjs runs on webgpu, else why not
 */
export async function switchToWebGpu(): Promise<string | undefined> {
  try {
    const specifier: string = WEBGPU_BACKEND_PACKAGE;
    await import(specifier);
  } catch (err) {
    return unloadable(WEBGPU_BACKEND_PACKAGE, err);
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend("webgpu");
    await tf.ready();
  } catch (err) {
    return `tfjs could not initialise webgpu: ${err instanceof Error ? err.message : String(err)}`;
  }
  const active = tf.getBackend();
  return ok && active === "webgpu" ? undefined : `tfjs did not switch to webgpu (active backend: ${active}; the device request failed)`;
}

/** Why the Vulkan loader gave Dawn no device: what is missing, as one clause list. */
export function vulkanDiagnosis(env: GpuEnvironment, platform: NodeJS.Platform = process.platform): string {
  if (platform !== "linux") return `Dawn found no GPU it supports on ${platform}`;
  const parts: string[] = [];
  if (!findLibVulkan(env)) parts.push("libvulkan.so.1 not found (Debian/Ubuntu: apt-get install libvulkan1)");
  const icds = listVulkanIcds(env);
  if (env.vkDriverFiles !== undefined) parts.push(`VK_DRIVER_FILES/VK_ICD_FILENAMES=${env.vkDriverFiles}`);
  if (icds.length === 0) {
    parts.push(`no Vulkan ICD manifest in ${env.vkDriverFiles !== undefined ? "the files named" : VULKAN_ICD_DIRS.join(", ")}: is a Vulkan ICD installed?`);
  } else {
    parts.push(`the ICDs ${icds.join(", ")} offered no device Dawn accepts (a lavapipe older than Mesa 23 lacks features Dawn requires)`);
  }
  if (!icds.some((p) => p.includes("nvidia"))) {
    const caps = env.nvidiaDriverCapabilities;
    parts.push(`NVIDIA: NVIDIA_DRIVER_CAPABILITIES must include graphics${caps !== undefined ? ` (it is "${caps}")` : ""}`);
  }
  return parts.join("; ");
}

/** The ICD manifests the Vulkan loader would read: `VK_DRIVER_FILES` when set, else the system directories. */
export function listVulkanIcds(env: GpuEnvironment): string[] {
  if (env.vkDriverFiles !== undefined) return env.vkDriverFiles.split(":").filter((p) => p !== "" && existsSync(p));
  return VULKAN_ICD_DIRS.flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  });
}

/** Path of `libvulkan.so.1` in `LD_LIBRARY_PATH` or a system library directory, if any. */
export function findLibVulkan(env: GpuEnvironment): string | undefined {
  const dirs = [...(env.ldLibraryPath?.split(":").filter((d) => d !== "") ?? []), ...LIB_DIRS];
  return dirs.map((d) => join(d, "libvulkan.so.1")).find((p) => existsSync(p));
}

/** Dawn's globals (`GPUBufferUsage`, …) and `navigator.gpu`, as tfjs-backend-webgpu expects them. */
function installNavigatorGpu(dawn: DawnModule): GpuLike {
  const g = globalThis as { navigator?: { gpu?: GpuLike } };
  if (g.navigator?.gpu) return g.navigator.gpu;
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  // Node >= 21 has its own `navigator` (a getter on globalThis): extend it, else define one.
  if (g.navigator) Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

/** Whether `err`, thrown by importing `pkg`, says that `pkg` itself is not installed. */
export function isNotInstalled(pkg: string, err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && err instanceof Error && err.message.includes(`'${pkg}'`);
}

/** "not installed" or the load error, for a package that could not be imported. */
export function unloadable(pkg: string, err: unknown): string {
  if (isNotInstalled(pkg, err)) return `${pkg} is not installed (an optionalDependency of @prunesweep/worker)`;
  return `${pkg} failed to load: ${err instanceof Error ? err.message : String(err)}`;
}
