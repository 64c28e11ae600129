import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { loadCoordinatorConfig, type CoordinatorFlags } from "../../config.js";
import { startCoordinatorService } from "../../service.js";
import { createPinoLogger } from "../local/pino-logger.js";
import { addLogLevel, addNatsOptions } from "./shared.js";

/** `prunesweep coordinator`: the long-running service. Drains on SIGTERM/SIGINT and exits 0. */
export function registerCoordinatorCommand(program: Command): void {
  const cmd = addNatsOptions(
    program
      .command("coordinator")
      .description("run the coordinator service (gRPC for workers and operators); resumes the campaigns in its store")
      .option("--host <host>", "address to bind (env PRUNESWEEP_HOST)", undefined)
      .option("--port <port>", "gRPC port, 0 = any free port (default 50051)")
      .option("--advertise <host:port>", "endpoint workers dial (default <hostname>:<port>)")
      .option("--http-port <port>", "HTTP port for dashboard, /metrics, /healthz; -1 = off (default 8080)")
      .option("--token-file <file>", "require this bearer token from workers and operators (env PRUNESWEEP_TOKEN_FILE or PRUNESWEEP_TOKEN)")
      .option("--tls-cert <file>", "TLS certificate chain (PEM)")
      .option("--tls-key <file>", "TLS private key (PEM)")
      .option("--tls-ca <file>", "require client certificates signed by this CA (mTLS)")
      .option("--store <kind>", "event store: jetstream (durable, default) or memory")
      .option("--ack-wait-ms <ms>", "lease of one trial delivery; workers extend it while alive (default 60000)")
      .option("--max-deliver <n>", "global cap on deliveries of one assignment (default 20)")
      .option("--max-ack-pending <n>", "trials leased at once across all workers; keep above the worker count (default 1000)")
      .option("--stale-after-ms <ms>", "re-queue running trials silent for this long (default 3 x ack wait)")
      .option("--snapshot-every <events>", "snapshot each campaign's state every N events; a restart replays only the events after the newest (default 50000, 0 = off; env PRUNESWEEP_SNAPSHOT_EVERY)")
      .option("--spec <file>", "submit this campaign spec at start"),
  );
  addLogLevel(cmd, "info").action(async (opts: CoordinatorFlags & { spec?: string }) => {
    const config = loadCoordinatorConfig(opts, process.env, (p) => readFileSync(p, "utf8"));
    const log = createPinoLogger(config.logLevel, "coordinator");
    const svc = await startCoordinatorService(config, log);
    process.stdout.write(
      `coordinator listening on ${config.host}:${svc.grpc.port} (advertised as ${svc.endpoint}; store ${config.store}; auth ${config.authToken ? "bearer token" : "none"}; tls ${config.tls ? (config.tls.caFile ? "mTLS" : "on") : "off"})\n`,
    );
    if (svc.http) process.stdout.write(`dashboard at ${svc.http.url} (also ${svc.http.url}metrics and ${svc.http.url}healthz)\n`);
    if (opts.spec) {
      const r = await svc.coordinator.submit(readFileSync(opts.spec, "utf8"), opts.spec);
      process.stdout.write(`submitted campaign ${r.id}\n`);
    }
    const signal = await new Promise<string>((res) => {
      process.once("SIGTERM", () => res("SIGTERM"));
      process.once("SIGINT", () => res("SIGINT"));
    });
    log.info("signal received: stop dispatching, drain gRPC, flush", { signal });
    await svc.shutdown();
    log.info("coordinator stopped");
  });
}
