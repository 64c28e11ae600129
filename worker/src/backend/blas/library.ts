/**
 * Finds a system CBLAS at run time and calls it through koffi (an FFI whose npm package ships
 * prebuilt binaries: nothing is compiled on the user's machine).
 *
 * `PRUNESWEEP_BLAS=/path/to/lib.so` names the library; `PRUNESWEEP_BLAS=off` disables BLAS;
 * otherwise the usual names are tried in order: OpenBLAS (Debian/Ubuntu `libopenblas0-pthread`
 * or `libopenblas0`), BLIS, MKL, and on macOS Accelerate and Homebrew's OpenBLAS. When none
 * loads, the reason says how to install one.
 */
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";

/** The one system package that makes training fast on Debian/Ubuntu. */
export const BLAS_INSTALL_HINT = "install a system BLAS for fast training: apt-get install libopenblas0-pthread (Debian/Ubuntu), brew install openblas (macOS)";

/** Row-major CBLAS constants. */
const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

/** C = alpha·op(A)·op(B) + beta·C, row-major; A, B, C are views (koffi passes their data pointers). */
export type Sgemm = (
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
) => void;

/** A loaded BLAS. */
export interface BlasLibrary {
  /** What it is: `OpenBLAS 0.3.21 …`, `BLIS`, `MKL`, `Accelerate`. */
  readonly name: string;
  /** The file (or name) it was loaded from. */
  readonly path: string;
  readonly sgemm: Sgemm;
  /** Threads the BLAS uses; undefined where the library offers no way to set them. */
  readonly threads: number | undefined;
  /** Sets the BLAS threads (no-op where the library cannot). */
  setThreads(n: number): void;
}

/** Where to look, in order, per platform. */
function candidates(platform: NodeJS.Platform): string[] {
  if (platform === "darwin") {
    return [
      "/System/Library/Frameworks/Accelerate.framework/Accelerate",
      "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
      "/usr/local/opt/openblas/lib/libopenblas.dylib",
    ];
  }
  if (platform === "win32") return ["libopenblas.dll", "mkl_rt.dll"];
  return ["libopenblas.so.0", "libopenblas.so", "libblis.so.4", "libblis.so", "libmkl_rt.so.2", "libmkl_rt.so"];
}

interface KoffiLib {
  func(decl: string): (...args: unknown[]) => unknown;
  unload?(): void;
}

interface Koffi {
  load(path: string): KoffiLib;
}

function loadKoffi(): Koffi | string {
  try {
    return createRequire(import.meta.url)("koffi") as Koffi;
  } catch (err) {
    return `the FFI package koffi did not load: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function tryFunc(lib: KoffiLib, decl: string): ((...args: unknown[]) => unknown) | undefined {
  try {
    return lib.func(decl);
  } catch {
    return undefined;
  }
}

/** Opens `path` as a CBLAS: the library, or why not. */
function open(koffi: Koffi, path: string, threads: number): BlasLibrary | string {
  let lib: KoffiLib;
  try {
    lib = koffi.load(path);
  } catch (err) {
    return `${path}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`;
  }
  const raw = tryFunc(lib, "void cblas_sgemm(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int)");
  if (!raw) return `${path}: loads but has no cblas_sgemm`;
  const sgemm: Sgemm = (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => {
    raw(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  };
  const openblasConfig = tryFunc(lib, "const char *openblas_get_config()");
  const setters = [
    tryFunc(lib, "void openblas_set_num_threads(int)"),
    tryFunc(lib, "void bli_thread_set_num_threads(long)"),
    tryFunc(lib, "void MKL_Set_Num_Threads(int)"),
  ];
  const setter = setters.find((f) => f !== undefined);
  let name: string;
  if (openblasConfig) name = String(openblasConfig()).split(" ").slice(0, 2).join(" ");
  else if (setters[1]) name = "BLIS";
  else if (setters[2]) name = "MKL";
  else if (path.includes("Accelerate")) name = "Accelerate";
  else name = path;
  let current: number | undefined;
  const setThreads = (n: number): void => {
    if (!setter) return;
    setter(n);
    current = n;
  };
  setThreads(threads);
  return {
    name,
    path,
    sgemm,
    get threads() {
      return current;
    },
    setThreads,
  };
}

/** What decides the BLAS: the environment's PRUNESWEEP_BLAS and the thread count. */
interface BlasOptions {
  /** `off`, a path, or empty for auto. */
  readonly setting?: string;
  /** BLAS threads. @default os.availableParallelism() */
  readonly threads?: number;
  readonly platform?: NodeJS.Platform;
}

/**
 * Loads the BLAS `opts` asks for.
 * @returns the library, or why there is none (naming what was tried and how to install one)
 */
export function loadBlas(opts: BlasOptions = {}): BlasLibrary | string {
  const setting = (opts.setting ?? "").trim();
  if (setting.toLowerCase() === "off") return "PRUNESWEEP_BLAS=off";
  const koffi = loadKoffi();
  if (typeof koffi === "string") return koffi;
  const threads = opts.threads ?? availableParallelism();
  if (setting !== "") {
    const lib = open(koffi, setting, threads);
    return typeof lib === "string" ? `PRUNESWEEP_BLAS=${setting} did not load (${lib}); set it to a CBLAS library file, or "off"` : lib;
  }
  const failures: string[] = [];
  for (const path of candidates(opts.platform ?? process.platform)) {
    const lib = open(koffi, path, threads);
    if (typeof lib !== "string") return lib;
    failures.push(path);
  }
  return `no system BLAS found (tried ${failures.join(", ")}); ${BLAS_INSTALL_HINT}`;
}
