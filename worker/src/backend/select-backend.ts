/**
 * Picks the TensorFlow.js backend for this process.
 *
 * `auto` walks {@link AUTO_TIERS} in order and takes the first that loads: native TensorFlow on
 * a GPU (`@tensorflow/tfjs-node-gpu`, only when libtensorflow really sees a GPU device),
 * WebGPU on a hardware adapter (webgpu.ts), native TensorFlow on the CPU (tfjs-node-gpu
 * without a GPU, or `@tensorflow/tfjs-node`; both optionalDependencies whose install downloads
 * libtensorflow, so usually absent offline), WebAssembly with the BLAS-backed kernels of blas/
 * (a system CBLAS, `PRUNESWEEP_BLAS`), WebAssembly with its stock kernels (SIMD, single-threaded
 * in Node), then the pure-JS cpu backend. Every tier that is passed over says why, and the selection is
 * logged as one line listing them. An explicit backend runs its tier alone and fails with that
 * reason. Every tfjs copy shares one global engine, so the rest of the worker may import
 * `@tensorflow/tfjs` statically; this module only decides and activates the backend.
 */
import type { BackendName } from "@prunesweep/proto";
import * as tf from "@tensorflow/tfjs";
import { loadBlasEnvironment, loadGpuEnvironment } from "../config.js";
import { BackendUnavailableError, WebGpuUnavailableError } from "../errors.js";
import { installBlasKernels, uninstallBlasKernels } from "./blas/install.js";
import { loadBlas, type BlasLibrary } from "./blas/library.js";
import { ensureWasmConvTraining } from "./wasm-conv-grad.js";
import { WEBGPU_BACKEND_PACKAGE, isNotInstalled, probeWebGpu, switchToWebGpu, unloadable } from "./webgpu.js";

/** What the task may ask for (`task.backend`, proto's BACKEND_NAMES). */
export type BackendPreference = BackendName;

/** The tfjs namespace type. */
type Tf = typeof tf;

/** One tier that `auto` (or an explicit backend) tried. */
export interface TierAttempt {
  readonly tier: string;
  /** Why it was passed over; undefined for the tier that was selected. */
  readonly skipped?: string;
}

/** The backend in use, for logs and trial details. */
export interface SelectedBackend {
  /** The tfjs namespace (the umbrella package; shares the engine with tfjs-node). */
  readonly tf: Tf;
  /** Active backend name: `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  readonly backend: string;
  /** The npm package that provides it. */
  readonly package: string;
  /** Whether the backend runs on a GPU (tfjs-node-gpu with a GPU device, or a hardware WebGPU adapter). */
  readonly gpu: boolean;
  /** The device, where the backend names one (the WebGPU adapter). */
  readonly device?: string;
  /** The BLAS behind the wasm kernels (tier `wasm-blas`): library and threads. */
  readonly blas?: { readonly library: string; readonly path: string; readonly threads?: number };
  /** The tiers tried, in order, ending with the selected one. */
  readonly tiers: readonly TierAttempt[];
}

/** What a tier yields: the backend (without the tier list), or why it was passed over. */
type TierResult = Omit<SelectedBackend, "tiers"> | string;

/** Receives the one line that says what was selected and why each earlier tier was not. */
export type SelectionLog = (msg: string, fields: Readonly<Record<string, unknown>>) => void;

const NODE_GPU_PACKAGE = "@tensorflow/tfjs-node-gpu";
const NODE_CPU_PACKAGE = "@tensorflow/tfjs-node";
const WASM_PACKAGE = "@tensorflow/tfjs-backend-wasm";

/** The `auto` order. Each tier returns its backend or why it was skipped; none throws. */
export const AUTO_TIERS: readonly { readonly tier: string; readonly run: () => Promise<TierResult> }[] = [
  { tier: "tensorflow-gpu", run: () => tensorflowTier("gpu") },
  { tier: "webgpu", run: () => webgpuTier(false) },
  { tier: "tensorflow-cpu", run: () => tensorflowTier("cpu") },
  { tier: "wasm-blas", run: wasmBlasTier },
  { tier: "wasm", run: wasmTier },
  { tier: "cpu", run: cpuTier },
];

/** The tier an explicit preference runs, and the error it fails with. */
const EXPLICIT: Record<Exclude<BackendPreference, "auto">, { run: () => Promise<TierResult>; fail: (reason: string) => Error }> = {
  tensorflow: { run: () => tensorflowTier("any"), fail: (r) => new BackendUnavailableError(`backend "tensorflow" requested but ${r}`) },
  webgpu: { run: () => webgpuTier(true), fail: (r) => new WebGpuUnavailableError(`backend "webgpu" requested but ${r}`) },
  wasm: { run: wasmAnyTier, fail: (r) => new BackendUnavailableError(`backend "wasm" requested but ${r}`) },
  cpu: { run: cpuTier, fail: (r) => new BackendUnavailableError(`backend "cpu" requested but ${r}`) },
};

const memo = new Map<BackendPreference, Promise<SelectedBackend>>();
/**
 * The end of the last selection: selections run one at a time. Each changes tfjs's global
 * engine (the active backend, the wasm kernels registered), and two at once interleave: a
 * second `setBackend("wasm")` while the first is initialising makes the first report failure,
 * and the tier that lost then uninstalls the BLAS kernels the other had just installed. A
 * worker thread that selected `auto` at start-up while its first trial selected `wasm` so
 * trained part of the trial on the stock kernels (other numerics than a run selecting `wasm` only).
 */
let previous: Promise<unknown> = Promise.resolve();
let nativeProbe: Promise<{ package: string; gpu: boolean } | string> | undefined;

/**
 * Activates and returns the backend for `pref`, memoised per process and preference. The
 * first selection for a preference is reported to `log` as one line.
 * @throws BackendUnavailableError when an explicit backend cannot run here
 * (WebGpuUnavailableError, not retryable, for `webgpu`); the message says what is missing.
 */
export function selectBackend(pref: BackendPreference, log?: SelectionLog): Promise<SelectedBackend> {
  const run = async (): Promise<SelectedBackend> => {
    let p = memo.get(pref);
    if (!p) {
      p = doSelect(pref, log);
      memo.set(pref, p);
      p.catch(() => memo.delete(pref));
    }
    const sel = await p;
    // Another preference may have switched the engine since; switching back is cheap.
    if (tf.getBackend() !== sel.backend) await tf.setBackend(sel.backend);
    return sel;
  };
  const next = previous.then(run, run);
  previous = next.catch(() => undefined);
  return next;
}

/**
 * What trained, in one string for trial details, reports and latency metrics:
 * `wasm + OpenBLAS 0.3.21 (2 threads)`, `wasm (stock kernels)`, `webgpu on <adapter>`, `tensorflow`.
 */
export function engineName(sel: Pick<SelectedBackend, "backend" | "blas" | "device">): string {
  if (sel.blas) return `${sel.backend} + ${sel.blas.library}${sel.blas.threads !== undefined ? ` (${sel.blas.threads} thread${sel.blas.threads === 1 ? "" : "s"})` : ""}`;
  if (sel.backend === "wasm") return "wasm (stock kernels)";
  return sel.device !== undefined ? `${sel.backend} on ${sel.device}` : sel.backend;
}

/** `tier: reason; …; tier: selected` — the tiers of a selection as one readable string. */
export function describeTiers(tiers: readonly TierAttempt[]): string {
  return tiers.map((t) => `${t.tier}: ${t.skipped ?? "selected"}`).join("; ");
}

async function doSelect(pref: BackendPreference, log: SelectionLog | undefined): Promise<SelectedBackend> {
  // Silences tfjs console warnings (e.g. the cpu backend's "install tfjs-node" banner).
  tf.enableProdMode();
  const tiers = pref === "auto" ? AUTO_TIERS : [{ tier: pref, run: EXPLICIT[pref].run }];
  const tried: TierAttempt[] = [];
  for (const { tier, run } of tiers) {
    const result = await run();
    if (typeof result === "string") {
      tried.push({ tier, skipped: result });
      continue;
    }
    tried.push({ tier });
    const selected: SelectedBackend = { ...result, tiers: tried };
    log?.("tfjs backend selected", {
      requested: pref,
      backend: selected.backend,
      engine: engineName(selected),
      package: selected.package,
      gpu: selected.gpu,
      ...(selected.device !== undefined && { device: selected.device }),
      ...(selected.blas !== undefined && { blas: selected.blas.library, blasThreads: selected.blas.threads }),
      ...(selected.backend === "wasm" && selected.blas === undefined && { blas: `none, stock kernels: ${String(processBlas())}` }),
      tiers: describeTiers(tried),
    });
    return selected;
  }
  if (pref === "auto") throw new BackendUnavailableError(`no tfjs backend could be initialised: ${describeTiers(tried)}`);
  throw EXPLICIT[pref].fail(tried[0]?.skipped ?? "it failed");
}

/** Switches tfjs to `backend`; the reason when it does not take. */
async function activate(backend: string): Promise<string | undefined> {
  try {
    const ok = await tf.setBackend(backend);
    await tf.ready();
    if (ok && tf.getBackend() === backend) return undefined;
  } catch (err) {
    return `tfjs backend "${backend}" failed to initialise: ${err instanceof Error ? err.message : String(err)}`;
  }
  return `tfjs backend "${backend}" failed to initialise (active: ${tf.getBackend()})`;
}

/** Native TensorFlow: `gpu` only with a GPU device, `cpu` only without one, `any` either way. */
async function tensorflowTier(want: "gpu" | "cpu" | "any"): Promise<TierResult> {
  const native = await probeNative();
  if (typeof native === "string") return native;
  if (want === "gpu" && !native.gpu) {
    return native.package === NODE_GPU_PACKAGE ? `${NODE_GPU_PACKAGE} loaded but libtensorflow sees no GPU device (CUDA 11.2 / cuDNN 8 libraries and a driver needed)` : `only ${native.package} (CPU) is installed`;
  }
  if (want === "cpu" && native.gpu) return "native TensorFlow is on the GPU here (tier tensorflow-gpu)";
  const failed = await activate("tensorflow");
  return failed ?? { tf, backend: "tensorflow", package: native.package, gpu: native.gpu };
}

/** WebGPU; a software adapter (lavapipe) only when asked for explicitly. */
async function webgpuTier(allowSoftware: boolean): Promise<TierResult> {
  const adapter = await probeWebGpu(loadGpuEnvironment());
  if (typeof adapter === "string") return adapter;
  if (adapter.software && !allowSoftware) return `only a software adapter (${adapter.description}), slower than wasm; ask for backend "webgpu" to use it`;
  const failed = await switchToWebGpu();
  return failed ?? { tf, backend: "webgpu", package: WEBGPU_BACKEND_PACKAGE, gpu: !adapter.software, device: adapter.description };
}

let blasLoad: BlasLibrary | string | undefined;

/** The process's BLAS (loaded once), or why there is none. */
function processBlas(): BlasLibrary | string {
  blasLoad ??= loadBlas(loadBlasEnvironment());
  return blasLoad;
}

/**
 * Sets the threads of the process's BLAS (the one behind the wasm-blas tier), as
 * `PRUNESWEEP_THREADS` does at load.
 * @returns the threads now set, or undefined when there is no BLAS or it offers no way to set them
 */
export function setBlasThreads(n: number): number | undefined {
  const blas = processBlas();
  if (typeof blas === "string") return undefined;
  blas.setThreads(n);
  return blas.threads;
}

/** The wasm backend with its stock kernels, plus the conv-training kernel it lacks. */
async function wasmTier(): Promise<TierResult> {
  try {
    await import("@tensorflow/tfjs-backend-wasm");
  } catch (err) {
    return unloadable(WASM_PACKAGE, err);
  }
  const failed = await activate("wasm");
  if (failed) return failed;
  uninstallBlasKernels();
  ensureWasmConvTraining();
  return { tf, backend: "wasm", package: WASM_PACKAGE, gpu: false };
}

/** The wasm backend with the BLAS-backed kernels; skipped without a BLAS. */
async function wasmBlasTier(): Promise<TierResult> {
  const blas = processBlas();
  if (typeof blas === "string") return blas;
  const stock = await wasmTier();
  if (typeof stock === "string") return stock;
  installBlasKernels(blas);
  return { ...stock, blas: { library: blas.name, path: blas.path, ...(blas.threads !== undefined && { threads: blas.threads }) } };
}

/** Explicit `wasm`: with BLAS kernels where a BLAS loads, else the stock ones. */
async function wasmAnyTier(): Promise<TierResult> {
  const fast = await wasmBlasTier();
  return typeof fast === "string" ? wasmTier() : fast;
}

async function cpuTier(): Promise<TierResult> {
  const failed = await activate("cpu");
  return failed ?? { tf, backend: "cpu", package: "@tensorflow/tfjs", gpu: false };
}

/**
 * Imports tfjs-node-gpu or tfjs-node once (never both: they register the same backend).
 * @returns the package and whether libtensorflow uses a GPU device, or why neither loaded
 */
function probeNative(): Promise<{ package: string; gpu: boolean } | string> {
  nativeProbe ??= (async () => {
    const reasons: string[] = [];
    const missing: string[] = [];
    for (const pkg of [NODE_GPU_PACKAGE, NODE_CPU_PACKAGE]) {
      try {
        // A variable specifier: tsc must not require the optional packages' types.
        const specifier: string = pkg;
        await import(specifier);
      } catch (err) {
        if (isNotInstalled(pkg, err)) missing.push(pkg);
        else reasons.push(unloadable(pkg, err));
        continue;
      }
      const backend = tf.engine().findBackend("tensorflow") as { isUsingGpuDevice?: unknown } | null;
      if (!backend) {
        reasons.push(`${pkg} loaded but registered no "tensorflow" backend`);
        continue;
      }
      return { package: pkg, gpu: pkg === NODE_GPU_PACKAGE && backend.isUsingGpuDevice === true };
    }
    if (missing.length > 0) reasons.unshift(`${missing.join(" and ")} not installed (optionalDependencies whose install downloads libtensorflow)`);
    return reasons.join("; ");
  })();
  return nativeProbe;
}
