import { credentials, type ChannelCredentials } from "@grpc/grpc-js";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createLogger, NatsBlobStore, type Logger } from "@prunesweep/proto";
import type { NatsConnection } from "@nats-io/transport-node";
import type { BlobCache } from "./artifacts/blob-cache.js";
import { CachedPretrainedStore } from "./artifacts/index.js";
import { loadWorkerConfig, type WorkerConfig, type WorkerFlags } from "./config.js";
import { NatsSetupError, ShutdownTimeoutError } from "./errors.js";
import { inProcessExecutor, threadExecutor } from "./trial-executor.js";
import { TrialThread } from "./trial-thread/trial-thread.js";
import { NatsPretrainedStore } from "./transport/nats-artifact-store.js";
import { NatsCheckpointStore } from "./transport/nats-checkpoint-store.js";
import { connectWorkerNats, NatsTrialSource } from "./transport/nats-trial-source.js";
import { GrpcReportChannel } from "./transport/report-client.js";
import { Worker } from "./worker.js";

export const WORKER_USAGE = `Usage: prunesweep worker [options]

Pulls trial assignments from NATS JetStream, trains and prunes with TensorFlow.js, and
reports to the coordinator over gRPC. Stops gracefully on SIGTERM/SIGINT.

Options:
  --nats <url>               NATS server, or a cluster's servers comma-separated (env NATS_URL; default nats://127.0.0.1:4222)
  --nats-user <user>         NATS user (env NATS_USER); --nats-pass <pass> (env NATS_PASSWORD)
  --nats-token <token>       NATS token (env NATS_TOKEN)
  --nats-creds <file>        NATS credentials file (env NATS_CREDS)
  --nats-replicas <n>        replicas of the JetStream buckets it creates: 3 in a cluster (env PRUNESWEEP_NATS_REPLICAS; default 1)
  --coordinator <host:port>  override the coordinator endpoint carried by assignments
  --token-file <file>        bearer token for the coordinator (env PRUNESWEEP_TOKEN_FILE, or PRUNESWEEP_TOKEN)
  --tls-ca <file>            verify the coordinator with this CA (enables TLS)
  --tls-cert <file>, --tls-key <file>   client certificate for mTLS
  --worker-id <id>           name in logs and reports (default host-pid)
  --heartbeat-ms <ms>        heartbeat period (default 10000)
  --max-trials <n>           exit after n trials (default 0: run until stopped)
  --shutdown-grace-ms <ms>   on SIGTERM, let a trial finish within this time (default 30000)
  --shutdown-deadline-ms <ms>  on SIGTERM, exit (status 1) at the latest after this time, even
                             when a final report still hangs (default grace + 15000)
  --log-level <level>        debug | info | warn | error | silent (default info)
  --backend <name>           what a task's "backend: auto" means on this worker: auto (try the tiers),
                             tensorflow, webgpu, wasm or cpu (env PRUNESWEEP_BACKEND; default auto)
  --threads <n>              threads of the BLAS behind the wasm-blas tier (env PRUNESWEEP_THREADS;
                             default all cores): workers x threads = cores
  -h, --help                 show this help

Uploaded models are cached by content hash, and the built-in digits decoded, in PRUNESWEEP_BLOB_CACHE
(default <tmpdir>/prunesweep-blobs).
`;

/** Entry of `prunesweep worker`; returns the process exit code. */
export async function workerMain(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      nats: { type: "string" },
      "nats-user": { type: "string" },
      "nats-pass": { type: "string" },
      "nats-token": { type: "string" },
      "nats-creds": { type: "string" },
      "nats-replicas": { type: "string" },
      coordinator: { type: "string" },
      "token-file": { type: "string" },
      "tls-ca": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "worker-id": { type: "string" },
      "heartbeat-ms": { type: "string" },
      "max-trials": { type: "string" },
      "shutdown-grace-ms": { type: "string" },
      "shutdown-deadline-ms": { type: "string" },
      "log-level": { type: "string" },
      backend: { type: "string" },
      threads: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(WORKER_USAGE);
    return 0;
  }
  const flags: WorkerFlags = {
    ...(values.nats !== undefined && { nats: values.nats }),
    ...(values["nats-user"] !== undefined && { natsUser: values["nats-user"] }),
    ...(values["nats-pass"] !== undefined && { natsPass: values["nats-pass"] }),
    ...(values["nats-token"] !== undefined && { natsToken: values["nats-token"] }),
    ...(values["nats-creds"] !== undefined && { natsCreds: values["nats-creds"] }),
    ...(values["nats-replicas"] !== undefined && { natsReplicas: values["nats-replicas"] }),
    ...(values.coordinator !== undefined && { coordinator: values.coordinator }),
    ...(values["token-file"] !== undefined && { tokenFile: values["token-file"] }),
    ...(values["tls-ca"] !== undefined && { tlsCa: values["tls-ca"] }),
    ...(values["tls-cert"] !== undefined && { tlsCert: values["tls-cert"] }),
    ...(values["tls-key"] !== undefined && { tlsKey: values["tls-key"] }),
    ...(values["worker-id"] !== undefined && { workerId: values["worker-id"] }),
    ...(values["heartbeat-ms"] !== undefined && { heartbeatMs: values["heartbeat-ms"] }),
    ...(values["max-trials"] !== undefined && { maxTrials: values["max-trials"] }),
    ...(values["shutdown-grace-ms"] !== undefined && { shutdownGraceMs: values["shutdown-grace-ms"] }),
    ...(values["shutdown-deadline-ms"] !== undefined && { shutdownDeadlineMs: values["shutdown-deadline-ms"] }),
    ...(values["log-level"] !== undefined && { logLevel: values["log-level"] }),
    ...(values.backend !== undefined && { backend: values.backend }),
    ...(values.threads !== undefined && { threads: values.threads }),
  };
  const config = loadWorkerConfig(flags, process.env, (p) => readFileSync(p, "utf8"));
  const log = createLogger(config.logLevel, `worker ${config.workerId}`);
  // The backend tiers (here and in the training thread, which inherits the environment) read it there.
  if (config.threads !== undefined) process.env["PRUNESWEEP_THREADS"] = String(config.threads);
  // The training thread imports the trial code and loads the backend for the worker's --backend
  // while this thread connects; each trial then selects the backend it asks for (README,
  // "Training backends"), after that selection (selectBackend runs one at a time). A failure
  // here is the first trial's to report.
  const thread = config.trainInThread ? new TrialThread() : undefined;
  thread?.backend(config.backend).catch(() => undefined);
  const { nc, pretrained, checkpoints, blobs } = await connectStores(config, log).catch(async (err: unknown) => {
    await thread?.close();
    throw err;
  });
  const worker = new Worker(config, {
    source: new NatsTrialSource(nc, log),
    reports: new GrpcReportChannel({ credentials: channelCredentials(config), log, ...(config.authToken !== undefined && { token: config.authToken }) }),
    executor: thread ? threadExecutor(thread, pretrained, { checkpoints, blobs }) : inProcessExecutor(pretrained, { checkpoints, blobs }),
    log,
  });
  const stop = (signal: string): void => {
    log.info("signal received; draining", { signal, graceMs: config.shutdownGraceMs, deadlineMs: config.shutdownDeadlineMs });
    worker.shutdown().catch(() => undefined); // the outcome is run()'s
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  log.info("worker started", { nats: config.nats.url });
  try {
    await worker.run();
  } catch (err) {
    if (!(err instanceof ShutdownTimeoutError)) throw err;
    // Already logged by the worker; exit without waiting for anything else.
    await nc.close().catch(() => undefined);
    return 1;
  }
  await nc.drain().catch(() => undefined);
  log.info("worker stopped");
  return 0;
}

/** Connects to NATS and opens the worker's stores (pretrained weights, checkpoints, uploaded files). */
async function connectStores(config: WorkerConfig, log: Logger): Promise<{ nc: NatsConnection; pretrained: CachedPretrainedStore; checkpoints: NatsCheckpointStore; blobs: BlobCache }> {
  const nc = await connectWorkerNats(config.nats);
  // Dense pretraining runs once per pretrain key across the fleet (claim or wait), cached per process.
  const artifacts = new NatsPretrainedStore(nc, { owner: config.workerId, replicas: config.natsReplicas, log });
  // Creates the buckets now, so that a replica count the cluster cannot hold stops the worker
  // here, not every trial at its first pretraining. Other errors (JetStream not ready yet) are
  // retried at first use.
  const checkpoints = new NatsCheckpointStore(nc, { replicas: config.natsReplicas, log });
  for (const store of [artifacts, checkpoints]) {
      await store.ready().catch((err: unknown) => {
      if (err instanceof NatsSetupError) throw err;
      log.warn("artifact buckets not ready; retried at first use", { error: err instanceof Error ? err.message : String(err) });
    });
  }
  const pretrained = new CachedPretrainedStore(artifacts);
  // Uploaded files (imported models) by content hash, downloaded once per machine into the cache folder.
  const blobStore = new NatsBlobStore(nc, { replicas: config.natsReplicas, toError: (m, cause) => new NatsSetupError(m, { cause }) });
  const blobs: BlobCache = { materialise: (refs) => blobStore.materialise(refs, config.blobCacheDir), put: (files) => blobStore.putFiles(files) };
  return { nc, pretrained, checkpoints, blobs };
}

/** gRPC credentials to the coordinator: TLS (and mTLS) when configured, else insecure. */
function channelCredentials(config: WorkerConfig): ChannelCredentials {
  return config.tlsCaFile
    ? credentials.createSsl(
        readFileSync(config.tlsCaFile),
        config.tlsKeyFile ? readFileSync(config.tlsKeyFile) : null,
        config.tlsCertFile ? readFileSync(config.tlsCertFile) : null,
      )
    : credentials.createInsecure();
}
