import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve, join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { Coordinator } from "../coordinator.js";
import { createLogger, type Logger, type LogLevel } from "../logger.js";
import { parseCampaignSpec } from "../spec/index.js";
import { InMemoryCampaignStore } from "../store/campaign-store.js";
import { connectNats, type NatsOptions } from "../transport/nats-connection.js";
import { NatsTrialDispatcher } from "../transport/nats-dispatcher.js";
import { startGrpcServer } from "../transport/grpc-server.js";
import { startNatsServer, type LocalNatsServer } from "./nats-server.js";
import { showProgress } from "./progress.js";
import { paretoTable, writeResults } from "./results.js";

/** How `prunesweep run` launches a worker process (the bin passes itself). */
export interface WorkerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export interface RunLocalOptions {
  readonly specPath: string;
  readonly workers: number;
  readonly nats?: Omit<NatsOptions, "name">;
  readonly outDir?: string;
  readonly workerCommand: WorkerCommand;
  readonly logLevel: LogLevel;
  readonly workerLogLevel?: LogLevel;
  readonly stdout?: NodeJS.WriteStream;
}

/**
 * Local mode: validates the spec (before anything starts), starts or reaches NATS, starts
 * the coordinator (gRPC on a free port), spawns the workers, shows progress, writes the
 * results, prints the Pareto table, and stops everything it started.
 * @returns the process exit code.
 */
export async function runLocal(o: RunLocalOptions): Promise<number> {
  const out = o.stdout ?? process.stdout;
  const specYaml = readFileSync(o.specPath, "utf8");
  const spec = parseCampaignSpec(specYaml, o.specPath); // SpecError -> exit 2 in main
  const outDir = resolve(o.outDir ?? join("runs", spec.name));
  const log = createLogger(o.logLevel, "coordinator");
  const cleanups: (() => Promise<void>)[] = [];
  const workers: ChildProcess[] = [];
  let natsServer: LocalNatsServer | undefined;
  let nc: NatsConnection | undefined;
  try {
    let natsUrl: string;
    if (o.nats) {
      natsUrl = o.nats.url;
    } else {
      natsServer = await startNatsServer({ storeDir: join(outDir, "nats") });
      natsUrl = natsServer.url;
      const srv = natsServer;
      cleanups.push(() => srv.stop());
      out.write(`started nats-server at ${natsUrl} (store ${srv.storeDir})\n`);
    }
    nc = await connectNats({ ...(o.nats ?? {}), url: natsUrl, name: "prunesweep-coordinator" });
    const conn = nc;
    cleanups.push(() => conn.drain().catch(() => undefined));
    let endpoint = "";
    const dispatcher = await NatsTrialDispatcher.create(nc, () => endpoint);
    const coordinator = new Coordinator({ store: new InMemoryCampaignStore(), dispatcher, log });
    const grpc = await startGrpcServer(coordinator, log, { host: "127.0.0.1", port: 0 });
    endpoint = `127.0.0.1:${grpc.port}`;
    cleanups.push(() => grpc.shutdown(2_000));
    out.write(`coordinator gRPC at ${endpoint}; spawning ${o.workers} worker(s)\n`);

    for (let i = 0; i < o.workers; i++) workers.push(spawnWorker(o, natsUrl, i, log));
    const started = Date.now();
    const runner = await coordinator.start(spec, specYaml);
    out.write(`campaign ${runner.campaignId}: ${spec.budget.maxTrials} trials, parallelism ${spec.budget.parallelism}\n`);
    const stopProgress = showProgress(runner, out);
    const interrupted = new Promise<string>((res) => {
      process.once("SIGINT", () => res("SIGINT"));
      process.once("SIGTERM", () => res("SIGTERM"));
    });
    const how = await Promise.race([runner.finished.then(() => "finished"), interrupted]);
    stopProgress();
    if (how !== "finished") {
      out.write(`${how}: cancelling the campaign\n`);
      await runner.cancel(`interrupted by ${how}`);
    }
    const files = writeResults(runner, outDir);
    out.write(`\n${paretoTable(runner)}\n`);
    const c = runner.state.counts();
    out.write(
      `campaign ${runner.state.status} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `${c.completed} completed, ${c.stopped_early} stopped early, ${c.failed} failed, ${c.cancelled} cancelled\n`,
    );
    out.write(`wrote ${files.join(", ")}\n`);
    coordinator.close();
    return how === "finished" ? 0 : 130;
  } finally {
    await Promise.all(workers.map((w) => stopChild(w)));
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

function spawnWorker(o: RunLocalOptions, natsUrl: string, i: number, log: Logger): ChildProcess {
  const args = [
    ...o.workerCommand.args,
    "worker",
    "--nats",
    natsUrl,
    "--worker-id",
    `local-${i + 1}`,
    "--log-level",
    o.workerLogLevel ?? "warn",
    ...(o.nats?.user !== undefined ? ["--nats-user", o.nats.user, "--nats-pass", o.nats.pass ?? ""] : []),
    ...(o.nats?.token !== undefined ? ["--nats-token", o.nats.token] : []),
    ...(o.nats?.credsFile !== undefined ? ["--nats-creds", o.nats.credsFile] : []),
  ];
  const child = spawn(o.workerCommand.command, args, { stdio: ["ignore", "inherit", "inherit"] });
  child.once("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGTERM") log.warn("worker process exited", { worker: i + 1, code, signal });
  });
  return child;
}

function stopChild(c: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((res) => {
    if (c.exitCode !== null || c.signalCode !== null) return res();
    const t = setTimeout(() => c.kill("SIGKILL"), graceMs);
    c.once("exit", () => {
      clearTimeout(t);
      res();
    });
    c.kill("SIGTERM");
  });
}
