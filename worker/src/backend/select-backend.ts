/**
 * Picks the TensorFlow.js backend for this process.
 *
 * `auto` prefers native TensorFlow (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`;
 * both optionalDependencies whose install downloads libtensorflow, so usually absent offline),
 * then `@tensorflow/tfjs` with the WebAssembly backend (SIMD, single-threaded in Node, no conv
 * gradients), then the pure-JS cpu backend. Every tfjs copy shares one global engine, so the
 * rest of the worker may import `@tensorflow/tfjs` statically; this module only decides and
 * activates the backend.
 */
import * as tf from "@tensorflow/tfjs";
import { BackendUnavailableError } from "../errors.js";

/** What the task may ask for. */
export type BackendPreference = "auto" | "tensorflow" | "wasm" | "cpu";

/** The tfjs namespace type. */
type Tf = typeof tf;

/** The backend in use, for logs and trial details. */
export interface SelectedBackend {
  /** The tfjs namespace (the umbrella package; shares the engine with tfjs-node). */
  readonly tf: Tf;
  /** Active backend name: `tensorflow`, `wasm` or `cpu`. */
  readonly backend: string;
  /** The npm package that provides it. */
  readonly package: string;
  /** Whether conv2d gradients exist (false on wasm: no Conv2DBackpropFilter kernel). */
  readonly supportsConvTraining: boolean;
  /** Whether the backend runs on a GPU (tfjs-node-gpu). */
  readonly gpu: boolean;
}

const NODE_GPU_PACKAGE = "@tensorflow/tfjs-node-gpu";
const NODE_CPU_PACKAGE = "@tensorflow/tfjs-node";

const memo = new Map<BackendPreference, Promise<SelectedBackend>>();
let nativeProbe: Promise<{ package: string; gpu: boolean } | undefined> | undefined;

/**
 * Activates and returns the backend for `pref`, memoised per process and preference.
 * @throws BackendUnavailableError when `tensorflow` is requested and neither tfjs-node
 * package is installed, or when `wasm` fails to initialise.
 */
export function selectBackend(pref: BackendPreference): Promise<SelectedBackend> {
  let p = memo.get(pref);
  if (!p) {
    p = doSelect(pref);
    memo.set(pref, p);
    p.catch(() => memo.delete(pref));
  }
  // Another preference may have switched the engine since; switching back is cheap.
  return p.then(async (sel) => {
    if (tf.getBackend() !== sel.backend) await tf.setBackend(sel.backend);
    return sel;
  });
}

async function doSelect(pref: BackendPreference): Promise<SelectedBackend> {
  // Silences tfjs console warnings (e.g. the cpu backend's "install tfjs-node" banner).
  tf.enableProdMode();
  if (pref === "auto" || pref === "tensorflow") {
    const native = await probeNative();
    if (native) return activate("tensorflow", native.package, native.gpu);
    if (pref === "tensorflow") {
      throw new BackendUnavailableError(
        `backend "tensorflow" requested but neither ${NODE_GPU_PACKAGE} nor ${NODE_CPU_PACKAGE} is installed on this worker`,
      );
    }
  }
  if (pref === "auto" || pref === "wasm") {
    try {
      await import("@tensorflow/tfjs-backend-wasm");
      return await activate("wasm", "@tensorflow/tfjs-backend-wasm", false);
    } catch (err) {
      if (pref === "wasm") throw new BackendUnavailableError(`backend "wasm" could not be initialised: ${String(err)}`, { cause: err });
    }
  }
  return activate("cpu", "@tensorflow/tfjs", false);
}

async function activate(backend: string, pkg: string, gpu: boolean): Promise<SelectedBackend> {
  const ok = await tf.setBackend(backend);
  if (!ok) throw new BackendUnavailableError(`tfjs backend "${backend}" (${pkg}) failed to initialise`);
  await tf.ready();
  return { tf, backend, package: pkg, supportsConvTraining: backend !== "wasm", gpu };
}

/** Imports tfjs-node-gpu or tfjs-node once; undefined when neither is installed or loadable. */
function probeNative(): Promise<{ package: string; gpu: boolean } | undefined> {
  nativeProbe ??= (async () => {
    for (const [pkg, gpu] of [
      [NODE_GPU_PACKAGE, true],
      [NODE_CPU_PACKAGE, false],
    ] as const) {
      try {
        // A variable specifier: tsc must not require the optional packages' types.
        const specifier: string = pkg;
        await import(specifier);
        if (tf.engine().backendNames().includes("tensorflow")) {
          return { package: pkg, gpu };
        }
      } catch {
        // Not installed, or libtensorflow failed to load: try the next option.
      }
    }
    return undefined;
  })();
  return nativeProbe;
}
