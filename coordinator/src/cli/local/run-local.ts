import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { NatsBlobStore, type NatsOptions } from "@prunesweep/proto";
import type { ReadonlyCampaign } from "../../campaign/readonly-campaign.js";
import { loadCoordinatorConfig } from "../../config.js";
import { SpecError } from "../../errors.js";
import type { Logger, LogLevel } from "../../logger.js";
import { startCoordinatorService, type CoordinatorService } from "../../service.js";
import { prepareSpec } from "../../spec/imported-model.js";
import { writeReport } from "../../report/html-report.js";
import { extractPareto, paretoText } from "../../report/pareto-extract.js";
import { buildResultsFile } from "../../results/results-file.js";
import { modelRefsByFront, writeFrontModels } from "../../results/trial-model.js";
import { startNatsServer, type LocalNatsServer } from "./nats-server.js";
import { createPinoLogger } from "./pino-logger.js";
import { showProgress } from "./progress.js";
import { writeResults } from "./results.js";

/** How `prunesweep run` launches a worker process (the bin passes itself). */
export interface WorkerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export interface RunLocalOptions {
  readonly specPath: string;
  readonly workers: number;
  readonly nats?: Omit<NatsOptions, "name">;
  /** --nats-replicas, for the coordinator and every worker. @default DEFAULT_NATS_REPLICAS */
  readonly natsReplicas?: number;
  readonly outDir?: string;
  /** Continue the interrupted campaign recorded in the out dir. */
  readonly resume?: boolean;
  readonly workerCommand: WorkerCommand;
  readonly logLevel: LogLevel;
  readonly workerLogLevel?: LogLevel;
  readonly stdout?: NodeJS.WriteStream;
  /** Dashboard/metrics port: 0 = a free port (the default), -1 = no HTTP server. */
  readonly httpPort?: number;
  /** Keep serving the dashboard after the campaign ends, until SIGINT/SIGTERM. */
  readonly serve?: boolean;
  /** Logger of the coordinator. @default a pino logger at `logLevel` on stderr */
  readonly logger?: Logger;
  /** Hook for extra wiring once the service is up (dashboard, metrics). */
  readonly onService?: (svc: CoordinatorService, campaign: ReadonlyCampaign) => Promise<(() => Promise<void>) | void>;
}

/** What the out dir remembers about its campaign (for --resume). */
interface OutDirState {
  readonly campaignId: string;
  readonly specPath: string;
  readonly natsUrl?: string;
}

/**
 * Local mode: validates the spec (before anything starts), starts or reaches NATS, starts
 * the coordinator service (JetStream event store, gRPC on a free port), spawns the workers,
 * shows progress, writes the results, prints the Pareto table, and stops everything it
 * started. With `resume`, continues the campaign recorded in the out dir instead.
 * @returns the process exit code.
 */
export async function runLocal(o: RunLocalOptions): Promise<number> {
  const out = o.stdout ?? process.stdout;
  const specYaml = readFileSync(o.specPath, "utf8");
  // SpecError -> exit 2 in main; an imported model is read and checked here, before anything starts.
  const prepared = await prepareSpec(specYaml, o.specPath);
  const spec = prepared.spec;
  const outDir = resolve(o.outDir ?? join("runs", spec.name));
  const stateFile = join(outDir, "campaign.json");
  const previous = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as OutDirState) : undefined;
  if (o.resume && !previous) throw new SpecError([{ path: "--resume", message: `no campaign recorded in ${outDir} (missing campaign.json)` }]);
  if (!o.resume && previous && !existsSync(join(outDir, "results.json"))) {
    throw new SpecError([
      { path: "--out", message: `${outDir} holds the interrupted campaign ${previous.campaignId}; continue it with --resume, or choose another --out` },
    ]);
  }
  if (!o.resume && !o.nats) rmSync(join(outDir, "nats"), { recursive: true, force: true });
  const log = o.logger ?? createPinoLogger(o.logLevel, "coordinator");
  const cleanups: (() => Promise<void>)[] = [];
  const workers: ChildProcess[] = [];
  let natsServer: LocalNatsServer | undefined;
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
    const config = loadCoordinatorConfig({ host: "127.0.0.1", port: "0", httpPort: String(o.httpPort ?? 0), store: "jetstream" }, {});
    const queue = { ...config.queue, replicas: o.natsReplicas ?? config.queue.replicas };
    const svc = await startCoordinatorService({ ...config, queue, nats: { ...(o.nats ?? {}), url: natsUrl, name: "prunesweep-coordinator" }, logLevel: o.logLevel }, log, {
      restore: o.resume && previous ? [previous.campaignId] : "none",
    });
    cleanups.push(() => svc.shutdown());
    let campaign: ReadonlyCampaign;
    if (o.resume && previous) {
      campaign = svc.coordinator.campaign(previous.campaignId);
      const c = campaign.counts();
      out.write(`resuming campaign ${campaign.id}: ${c.completed + c.stopped_early + c.failed} trials already final\n`);
    } else {
      // A fresh run on a reused external NATS must not revive other campaigns' dispatching.
      // An imported model goes to the blob store once, by content hash; workers fetch it from there.
      const blobs = new NatsBlobStore(svc.nc, { replicas: queue.replicas });
      const ready = prepared.plan ? await prepareSpec(specYaml, o.specPath, (files) => blobs.putFiles(files)) : prepared;
      campaign = await svc.coordinator.start(ready.spec, ready.specYaml);
    }
    mkdirSync(outDir, { recursive: true });
    writeFileSync(stateFile, JSON.stringify({ campaignId: campaign.id, specPath: resolve(o.specPath) } satisfies OutDirState, null, 2) + "\n");
    out.write(`coordinator gRPC at ${svc.endpoint}; campaign ${campaign.id}: ${spec.budget.maxTrials} trials, parallelism ${spec.budget.parallelism}; ${o.workers} worker(s)\n`);
    if (svc.http) out.write(`dashboard: ${svc.http.url} (live trials and Pareto front; ${svc.http.url}metrics)\n`);
    const extra = await o.onService?.(svc, campaign);
    if (extra) cleanups.push(extra);
    for (let i = 0; i < o.workers; i++) workers.push(spawnWorker(o, natsUrl, svc.endpoint, i, log));
    const started = Date.now();
    const stopProgress = showProgress(campaign, out);
    const interrupted = new Promise<string>((res) => {
      process.once("SIGINT", () => res("SIGINT"));
      process.once("SIGTERM", () => res("SIGTERM"));
    });
    const how = await Promise.race([campaign.finished.then(() => "finished"), interrupted]);
    stopProgress();
    if (how !== "finished") {
      out.write(`${how}: stopping; the campaign stays resumable with --resume\n`);
      return 130;
    }
    const results = buildResultsFile(campaign);
    // Models back: the front's pruned models, from the blob store into <out>/models/<trial>/.
    const blobs = new NatsBlobStore(svc.nc, { replicas: queue.replicas });
    const modelLines = results.trials.some((t) => typeof t.details === "object" && t.details !== null && "model" in t.details) ? await writeFrontModels(results, outDir, blobs) : [];
    if (spec.task.artifacts?.keep === "front") {
      // Only the front's models stay in the store (and the imported model the workers read).
      const { front, others } = modelRefsByFront(results);
      await blobs.deleteExcept(others, [...front, ...(spec.task.modelFile?.blobs ?? [])]);
    }
    const files = writeResults(results, outDir);
    const reportFiles = await writeReport(results, outDir);
    out.write(`\n${paretoText(extractPareto(results))}\n`);
    const c = campaign.counts();
    out.write(
      `campaign ${campaign.status} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `${c.completed} completed, ${c.stopped_early} stopped early, ${c.failed} failed, ${c.cancelled} cancelled\n`,
    );
    out.write(`wrote ${files.join(", ")}\n`);
    if (modelLines.length > 0) out.write(`front models (TF.js Layers; prunesweep model ${outDir} <trial> -o DIR for any other):\n${modelLines.map((l) => `  ${l}`).join("\n")}\n`);
    out.write(`report: ${reportFiles[0]} (plots in ${join(outDir, "plots")})\n`);
    if (o.serve && svc.http) {
      await Promise.all(workers.splice(0).map((w) => stopChild(w)));
      out.write(`serving the dashboard at ${svc.http.url} until Ctrl-C\n`);
      await interrupted;
    }
    return 0;
  } finally {
    await Promise.all(workers.map((w) => stopChild(w)));
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

function spawnWorker(o: RunLocalOptions, natsUrl: string, endpoint: string, i: number, log: Logger): ChildProcess {
  const args = [
    ...o.workerCommand.args,
    "worker",
    "--nats",
    natsUrl,
    "--coordinator",
    endpoint,
    "--worker-id",
    `local-${i + 1}`,
    "--log-level",
    o.workerLogLevel ?? "warn",
    ...(o.nats?.user !== undefined ? ["--nats-user", o.nats.user, "--nats-pass", o.nats.pass ?? ""] : []),
    ...(o.nats?.token !== undefined ? ["--nats-token", o.nats.token] : []),
    ...(o.nats?.credsFile !== undefined ? ["--nats-creds", o.nats.credsFile] : []),
    ...(o.natsReplicas !== undefined ? ["--nats-replicas", String(o.natsReplicas)] : []),
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
