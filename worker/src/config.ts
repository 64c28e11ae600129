import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { BACKEND_NAMES, DEFAULT_NATS_URL, isBackendName, natsOptionsFrom, natsReplicasFrom, type BackendName, type LogLevel, type NatsFlags, type NatsOptions } from "@prunesweep/proto";

/** Everything a worker process needs; every field resolved (durations carry units). */
export interface WorkerConfig {
  /** The server (or a cluster's servers) and credentials; `connectTimeoutMs` fails the first connect. */
  readonly nats: NatsOptions & { readonly connectTimeoutMs: number };
  /** Replicas of the JetStream buckets the worker creates (artifacts): 3 in a cluster. @default 1 */
  readonly natsReplicas: number;
  readonly workerId: string;
  /** Overrides the coordinator endpoint carried by assignments (port-forwards, tests). */
  readonly coordinatorOverride?: string;
  /** Bearer token for the coordinator's gRPC API. */
  readonly authToken?: string;
  /** TLS: CA bundle to verify the coordinator, and an optional client key pair for mTLS. */
  readonly tlsCaFile?: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** JetStream working() and gRPC heartbeat period; must be well under the ack wait. */
  readonly heartbeatIntervalMs: number;
  /** Exit after this many trials (0 = run until stopped): one trial per pod under a ScaledJob. */
  readonly maxTrials: number;
  /** On SIGTERM, let the running trial finish if it ends within this time; else nak it. */
  readonly shutdownGraceMs: number;
  /**
   * On SIGTERM, exit at the latest this long after the signal, with a non-zero status, even
   * when something still hangs (a final report to an unreachable coordinator). Above
   * `shutdownGraceMs`. @default shutdownGraceMs + 15 s
   */
  readonly shutdownDeadlineMs: number;
  readonly logLevel: LogLevel;
  /** Train in a worker_thread so heartbeats and keepalives never wait for a kernel. @default true */
  readonly trainInThread: boolean;
  /** The backend a task's `backend: auto` runs on here (`auto`: the worker walks its tiers). @default "auto" */
  readonly backend: BackendName;
  /** BLAS threads (`--threads`, PRUNESWEEP_THREADS); undefined: all cores. */
  readonly threads?: number;
  /** Where uploaded files (imported models) are cached by content hash ({@link blobCacheDirFrom}). */
  readonly blobCacheDir: string;
}

export const DEFAULT_WORKER_CONFIG = {
  connectTimeoutMs: 10_000,
  heartbeatIntervalMs: 10_000,
  maxTrials: 0,
  shutdownGraceMs: 30_000,
  /** The default shutdown deadline is this long after the grace period. */
  shutdownDeadlineAfterGraceMs: 15_000, // 15 seconds
  logLevel: "info" as LogLevel,
  backend: "auto" as BackendName,
} as const;

/** Command-line flags of `prunesweep worker` (strings as parsed). */
export interface WorkerFlags extends NatsFlags {
  readonly workerId?: string;
  readonly coordinator?: string;
  readonly tokenFile?: string;
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly heartbeatMs?: string;
  readonly maxTrials?: string;
  readonly shutdownGraceMs?: string;
  readonly shutdownDeadlineMs?: string;
  readonly logLevel?: string;
  readonly backend?: string;
  readonly threads?: string;
}

function int(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${name}: must be an integer >= ${min}, got "${v}"`);
  return n;
}

/**
 * Resolves the worker config from flags, then environment (PRUNESWEEP_*, NATS_*), then
 * defaults. The only place in the worker that reads process.env.
 * @throws RangeError naming the flag or variable that is wrong.
 */
export function loadWorkerConfig(flags: WorkerFlags, env: NodeJS.ProcessEnv = process.env, readFile?: (p: string) => string): WorkerConfig {
  const tokenFile = flags.tokenFile ?? env["PRUNESWEEP_TOKEN_FILE"];
  const authToken = tokenFile && readFile ? readFile(tokenFile).trim() : env["PRUNESWEEP_TOKEN"];
  const level = flags.logLevel ?? env["PRUNESWEEP_LOG_LEVEL"] ?? DEFAULT_WORKER_CONFIG.logLevel;
  if (!["debug", "info", "warn", "error", "silent"].includes(level)) {
    throw new RangeError(`--log-level: must be one of debug, info, warn, error, silent; got "${level}"`);
  }
  const backend = flags.backend ?? env["PRUNESWEEP_BACKEND"] ?? DEFAULT_WORKER_CONFIG.backend;
  if (!isBackendName(backend)) throw new RangeError(`--backend: must be one of ${BACKEND_NAMES.join(", ")}; got "${backend}"`);
  const opt = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);
  const shutdownGraceMs = int("--shutdown-grace-ms", flags.shutdownGraceMs, DEFAULT_WORKER_CONFIG.shutdownGraceMs, 0);
  const shutdownDeadlineMs = int("--shutdown-deadline-ms", flags.shutdownDeadlineMs, shutdownGraceMs + DEFAULT_WORKER_CONFIG.shutdownDeadlineAfterGraceMs, 1);
  if (shutdownDeadlineMs <= shutdownGraceMs) {
    throw new RangeError(`--shutdown-deadline-ms: must be above --shutdown-grace-ms (${shutdownGraceMs}), got ${shutdownDeadlineMs}`);
  }
  const threads = parseThreads(flags.threads, env);
  const workerId = flags.workerId ?? env["PRUNESWEEP_WORKER_ID"] ?? `${hostname()}-${process.pid}`;
  const cfg: WorkerConfig = {
    nats: { ...natsOptionsFrom(flags.nats ?? env["NATS_URL"] ?? DEFAULT_NATS_URL, flags, env, `prunesweep-worker-${workerId}`), connectTimeoutMs: DEFAULT_WORKER_CONFIG.connectTimeoutMs },
    natsReplicas: natsReplicasFrom(flags, env),
    workerId,
    heartbeatIntervalMs: int("--heartbeat-ms", flags.heartbeatMs, DEFAULT_WORKER_CONFIG.heartbeatIntervalMs, 100),
    maxTrials: int("--max-trials", flags.maxTrials ?? env["PRUNESWEEP_MAX_TRIALS"], 0, 0),
    shutdownGraceMs,
    shutdownDeadlineMs,
    logLevel: level as LogLevel,
    trainInThread: (env["PRUNESWEEP_TRAIN_IN_THREAD"] ?? "1") !== "0",
    backend,
    ...(threads !== undefined && { threads }),
    blobCacheDir: blobCacheDirFrom(env),
  };
  const extra: Record<string, string | undefined> = {
    coordinatorOverride: opt(flags.coordinator ?? env["PRUNESWEEP_COORDINATOR"]),
    authToken: opt(authToken),
    tlsCaFile: opt(flags.tlsCa ?? env["PRUNESWEEP_TLS_CA"]),
    tlsCertFile: opt(flags.tlsCert ?? env["PRUNESWEEP_TLS_CERT"]),
    tlsKeyFile: opt(flags.tlsKey ?? env["PRUNESWEEP_TLS_KEY"]),
  };
  const defined = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined));
  return { ...cfg, ...defined };
}

/** Threads for the BLAS kernels: `--threads`, else PRUNESWEEP_THREADS; undefined: all cores. */
export function parseThreads(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = flag ?? env["PRUNESWEEP_THREADS"];
  if (v === undefined || v === "") return undefined;
  return int(flag !== undefined ? "--threads" : "PRUNESWEEP_THREADS", v, 1, 1);
}

/** What picks the BLAS: PRUNESWEEP_BLAS (`off`, a library path, or unset for auto) and the threads. */
export function loadBlasEnvironment(env: NodeJS.ProcessEnv = process.env): { setting?: string; threads?: number } {
  const setting = env["PRUNESWEEP_BLAS"];
  const threads = parseThreads(undefined, env);
  return { ...(setting !== undefined && { setting }), ...(threads !== undefined && { threads }) };
}

/**
 * The environment that decides whether Dawn (the `webgpu` backend) finds a GPU: the Vulkan
 * loader's ICD overrides, the NVIDIA container toolkit's capabilities and the library path.
 * Read only to explain a missing adapter; the loader reads the variables itself.
 */
export interface GpuEnvironment {
  /** `VK_ICD_FILENAMES` or its newer name `VK_DRIVER_FILES`: ICD manifests to use instead of the system ones. */
  readonly vkDriverFiles?: string;
  /** `NVIDIA_DRIVER_CAPABILITIES`: must include `graphics` (or be `all`) for the Vulkan ICD to be mounted. */
  readonly nvidiaDriverCapabilities?: string;
  /** `NVIDIA_VISIBLE_DEVICES`: set in NVIDIA containers. */
  readonly nvidiaVisibleDevices?: string;
  /** `LD_LIBRARY_PATH`, searched for `libvulkan.so.1` besides the system directories. */
  readonly ldLibraryPath?: string;
}

/** Reads {@link GpuEnvironment} (unset and empty variables are left out). */
export function loadGpuEnvironment(env: NodeJS.ProcessEnv = process.env): GpuEnvironment {
  const entries: [keyof GpuEnvironment, string | undefined][] = [
    ["vkDriverFiles", env["VK_DRIVER_FILES"] || env["VK_ICD_FILENAMES"]],
    ["nvidiaDriverCapabilities", env["NVIDIA_DRIVER_CAPABILITIES"]],
    ["nvidiaVisibleDevices", env["NVIDIA_VISIBLE_DEVICES"]],
    ["ldLibraryPath", env["LD_LIBRARY_PATH"]],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== ""));
}

/**
 * The worker's cache folder on this machine (env PRUNESWEEP_BLOB_CACHE, default
 * <tmpdir>/prunesweep-blobs): uploaded files by content hash, and the built-in digits decoded.
 */
export function blobCacheDirFrom(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env["PRUNESWEEP_BLOB_CACHE"];
  return dir === undefined || dir === "" ? join(tmpdir(), "prunesweep-blobs") : dir;
}
