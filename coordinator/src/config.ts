import { hostname } from "node:os";
import { DEFAULT_NATS_REPLICAS, DEFAULT_NATS_URL, natsOptionsFrom, type LogLevel, type NatsFlags, type NatsOptions } from "@prunesweep/proto";
import { ConfigError } from "./errors.js";

/** Work-queue settings; sized per deployment (deploy/README.md). */
export interface TrialQueueOptions {
  /** Lease of one delivery; workers extend it with working(). @default 60000 */
  readonly ackWaitMs: number;
  /**
   * Global cap on deliveries of one assignment (per-campaign `budget.maxRetries` is enforced
   * by the coordinator below this cap). @default 20
   */
  readonly maxDeliver: number;
  /** Above the number of workers (delayed naks count against it). @default 1000 */
  readonly maxAckPending: number;
  /**
   * Replicas of every stream, KV bucket and object store created (--nats-replicas): 1 for
   * one server, 3 in a JetStream cluster (each copy on a different server). Applies when they
   * are created; existing ones keep theirs. @default 1
   */
  readonly replicas: number;
  /** Dedupe window for msgID = trialId. @default 3600000 (1 hour) */
  readonly duplicateWindowMs: number;
}

export const DEFAULT_TRIAL_QUEUE_OPTIONS: TrialQueueOptions = {
  ackWaitMs: 60_000,
  maxDeliver: 20,
  maxAckPending: 1000,
  replicas: DEFAULT_NATS_REPLICAS,
  duplicateWindowMs: 60 * 60_000,
};

/**
 * Campaign snapshots: the state every N events in the object store, so that a restart loads
 * the newest one and replays only the events after it. A snapshot costs O(trials) to write
 * and the replay after it costs O(N), so N trades write volume for resume time: with 50,000
 * a 10^6-trial campaign resumes with about 5 s of CPU (bench/results/control-plane.md).
 */
export const DEFAULT_SNAPSHOT_OPTIONS = {
  /** Events applied between two snapshots of a campaign (`--snapshot-every`; 0 = no snapshots). */
  everyEvents: 50_000,
  /** Snapshots kept per campaign (older ones are deleted). */
  keep: 3,
} as const;

/**
 * Everything the coordinator service needs, every field resolved (durations carry units).
 * Built once at startup by {@link loadCoordinatorConfig}; nothing else under src/ reads
 * process.env.
 */
export interface CoordinatorConfig {
  readonly nats: NatsOptions;
  /** Address the gRPC server binds. @default "0.0.0.0" */
  readonly host: string;
  /** gRPC port (0 = any free port). @default 50051 */
  readonly port: number;
  /** Endpoint workers dial; default `<hostname>:<port>`. */
  readonly advertise?: string;
  /** HTTP port for the dashboard, /metrics and /healthz (0 = any, -1 = off). @default 8080 */
  readonly httpPort: number;
  /** Bearer token workers and operators must present; no auth when undefined. */
  readonly authToken?: string;
  /** TLS for gRPC: server key pair, and a CA to require client certificates (mTLS). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile?: string };
  /** Where campaign events live. @default "jetstream" */
  readonly store: "jetstream" | "memory";
  /** The work queue; `queue.replicas` (--nats-replicas) applies to every stream, KV bucket and object store the coordinator creates. */
  readonly queue: TrialQueueOptions;
  /** A running trial with no report for this long is recorded stale and re-queued. @default 3 x ackWaitMs */
  readonly staleAfterMs: number;
  /** Events between two snapshots of a campaign's state; 0 = none. @default DEFAULT_SNAPSHOT_OPTIONS.everyEvents */
  readonly snapshotEvery: number;
  /** On SIGTERM: time to let open gRPC calls finish. @default 10000 */
  readonly shutdownGraceMs: number;
  readonly logLevel: LogLevel;
}

/** Flags of `prunesweep coordinator` / `prunesweep run` as parsed (strings). */
export interface CoordinatorFlags extends NatsFlags {
  readonly host?: string;
  readonly port?: string;
  readonly advertise?: string;
  readonly httpPort?: string;
  readonly tokenFile?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly store?: string;
  readonly ackWaitMs?: string;
  readonly maxDeliver?: string;
  readonly maxAckPending?: string;
  readonly staleAfterMs?: string;
  readonly snapshotEvery?: string;
  readonly logLevel?: string;
}

const DEFAULT_COORDINATOR_PORT = 50051;
const DEFAULT_HTTP_PORT = 8080;

export { ConfigError };

/**
 * The bearer token: from `--token-file` / PRUNESWEEP_TOKEN_FILE (trimmed; an empty file is an
 * error), else PRUNESWEEP_TOKEN, else none.
 * @throws ConfigError naming the file that cannot be read.
 */
function readAuthToken(flag: string | undefined, env: NodeJS.ProcessEnv, readFile: (p: string) => string): string | undefined {
  const tokenFile = flag ?? env["PRUNESWEEP_TOKEN_FILE"];
  if (!tokenFile) return env["PRUNESWEEP_TOKEN"] || undefined;
  let token: string;
  try {
    token = readFile(tokenFile).trim();
  } catch (err) {
    throw new ConfigError(`--token-file: cannot read ${tokenFile}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!token) throw new ConfigError(`--token-file: ${tokenFile} is empty`);
  return token;
}

function int(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name}: must be an integer >= ${min}, got "${v}"`);
  return n;
}

/**
 * Resolves the coordinator config: flags, then environment (NATS_*, PRUNESWEEP_*), then
 * defaults. Tokens are read from files (`--token-file`, PRUNESWEEP_TOKEN_FILE) or
 * PRUNESWEEP_TOKEN, and are never logged.
 * @throws ConfigError naming the flag that is wrong.
 */
export function loadCoordinatorConfig(
  f: CoordinatorFlags,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (p: string) => string = () => {
    throw new ConfigError("no file reader");
  },
): CoordinatorConfig {
  const level = f.logLevel ?? env["PRUNESWEEP_LOG_LEVEL"] ?? "info";
  if (!["debug", "info", "warn", "error", "silent"].includes(level)) {
    throw new ConfigError(`--log-level: must be one of debug, info, warn, error, silent; got "${level}"`);
  }
  const store = f.store ?? env["PRUNESWEEP_STORE"] ?? "jetstream";
  if (store !== "jetstream" && store !== "memory") throw new ConfigError(`--store: must be jetstream or memory; got "${store}"`);
  const authToken = readAuthToken(f.tokenFile, env, readFile);
  const tlsCert = f.tlsCert ?? env["PRUNESWEEP_TLS_CERT"];
  const tlsKey = f.tlsKey ?? env["PRUNESWEEP_TLS_KEY"];
  const tlsCa = f.tlsCa ?? env["PRUNESWEEP_TLS_CA"];
  if ((tlsCert && !tlsKey) || (!tlsCert && tlsKey)) throw new ConfigError("--tls-cert and --tls-key must be given together");
  if (tlsCa && !tlsCert) throw new ConfigError("--tls-ca (client certificates) needs --tls-cert and --tls-key");
  const ackWaitMs = int("--ack-wait-ms", f.ackWaitMs ?? env["PRUNESWEEP_ACK_WAIT_MS"], DEFAULT_TRIAL_QUEUE_OPTIONS.ackWaitMs, 1_000);
  const port = int("--port", f.port ?? env["PRUNESWEEP_PORT"], DEFAULT_COORDINATOR_PORT, 0);
  const advertise = f.advertise ?? env["PRUNESWEEP_ADVERTISE"];
  return {
    nats: natsOptionsFrom(f.nats ?? env["NATS_URL"] ?? DEFAULT_NATS_URL, f, env, `prunesweep-coordinator-${hostname()}`),
    host: f.host ?? env["PRUNESWEEP_HOST"] ?? "0.0.0.0",
    port,
    ...(advertise !== undefined && { advertise }),
    httpPort: int("--http-port", f.httpPort ?? env["PRUNESWEEP_HTTP_PORT"], DEFAULT_HTTP_PORT, -1),
    ...(authToken !== undefined && { authToken }),
    ...(tlsCert && tlsKey && { tls: { certFile: tlsCert, keyFile: tlsKey, ...(tlsCa && { caFile: tlsCa }) } }),
    store,
    queue: {
      ...DEFAULT_TRIAL_QUEUE_OPTIONS,
      ackWaitMs,
      maxDeliver: int("--max-deliver", f.maxDeliver, DEFAULT_TRIAL_QUEUE_OPTIONS.maxDeliver, 1),
      maxAckPending: int("--max-ack-pending", f.maxAckPending ?? env["PRUNESWEEP_MAX_ACK_PENDING"], DEFAULT_TRIAL_QUEUE_OPTIONS.maxAckPending, 1),
      replicas: int("--nats-replicas", f.natsReplicas ?? env["PRUNESWEEP_NATS_REPLICAS"], DEFAULT_TRIAL_QUEUE_OPTIONS.replicas, 1),
    },
    staleAfterMs: int("--stale-after-ms", f.staleAfterMs, 3 * ackWaitMs, 1_000),
    snapshotEvery: int("--snapshot-every", f.snapshotEvery ?? env["PRUNESWEEP_SNAPSHOT_EVERY"], DEFAULT_SNAPSHOT_OPTIONS.everyEvents, 0),
    shutdownGraceMs: 10_000,
    logLevel: level as LogLevel,
  };
}

/** How operator commands (`submit`, `status`, `cancel`, ...) reach a coordinator. */
export interface OperatorConfig {
  /** `host:port` of the coordinator's gRPC server (a port-forward works). @default "127.0.0.1:50051" */
  readonly coordinator: string;
  /** Bearer token sent as `authorization: Bearer <token>`; none when undefined. */
  readonly authToken?: string;
  /** CA certificate (PEM) to verify a TLS coordinator; plaintext when undefined. */
  readonly tlsCaFile?: string;
  /** Expected name in the coordinator's certificate (when dialing a port-forward or an IP). */
  readonly tlsServerName?: string;
  /** Deadline of one call. @default 30000 */
  readonly callTimeoutMs: number;
}

/** Flags of the operator commands as parsed (strings). */
export interface OperatorFlags {
  readonly coordinator?: string;
  readonly tokenFile?: string;
  readonly tlsCa?: string;
  readonly tlsServerName?: string;
  readonly timeoutMs?: string;
}

const DEFAULT_CALL_TIMEOUT_MS = 30_000; // 30 seconds

/**
 * Resolves how to reach a coordinator: flags, then PRUNESWEEP_COORDINATOR,
 * PRUNESWEEP_TOKEN_FILE / PRUNESWEEP_TOKEN, PRUNESWEEP_TLS_CA, then defaults.
 * @throws ConfigError naming the flag that is wrong.
 */
export function loadOperatorConfig(
  f: OperatorFlags,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (p: string) => string = () => {
    throw new ConfigError("no file reader");
  },
): OperatorConfig {
  const coordinator = f.coordinator ?? env["PRUNESWEEP_COORDINATOR"] ?? `127.0.0.1:${DEFAULT_COORDINATOR_PORT}`;
  if (!/^(\[[0-9a-fA-F:.]+\]|[^\s:/]+):\d{1,5}$/.test(coordinator)) {
    throw new ConfigError(`--coordinator: expected host:port, got "${coordinator}"`);
  }
  const authToken = readAuthToken(f.tokenFile, env, readFile);
  const tlsCaFile = f.tlsCa ?? env["PRUNESWEEP_TLS_CA"];
  const tlsServerName = f.tlsServerName ?? env["PRUNESWEEP_TLS_SERVER_NAME"];
  if (tlsServerName && !tlsCaFile) throw new ConfigError("--tls-server-name needs --tls-ca");
  return {
    coordinator,
    ...(authToken !== undefined && { authToken }),
    ...(tlsCaFile && { tlsCaFile }),
    ...(tlsServerName && { tlsServerName }),
    callTimeoutMs: int("--timeout-ms", f.timeoutMs, DEFAULT_CALL_TIMEOUT_MS, 100),
  };
}
