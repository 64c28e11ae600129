import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { NatsBlobStore, datasetFileProblems, type NatsOptions, type TaskConfig } from "@prunesweep/proto";
import type { ReadonlyCampaign } from "../../campaign/readonly-campaign.js";
import { loadCoordinatorConfig } from "../../config.js";
import { SpecError, type SpecIssue } from "../../errors.js";
import type { Logger, LogLevel } from "../../logger.js";
import { startCoordinatorService, type CoordinatorService } from "../../service.js";
import type { ListDatasetFiles } from "../../spec/dataset-upload.js";
import { prepareSpec } from "../../spec/imported-model.js";
import { writeReport } from "../../report/html-report.js";
import { extractPareto, paretoText } from "../../report/pareto-extract.js";
import { failuresText, groupFailures } from "../../results/failures.js";
import { buildResultsFile } from "../../results/results-file.js";
import { modelRefsByFront, writeFrontModels } from "../../results/trial-model.js";
import { startNatsServer, type LocalNatsServer } from "./nats-server.js";
import { planWorkers, planWorkersMeasured, type MeasureCommand, type MeasureTask, type WorkerPlan } from "./worker-plan.js";
import { createPinoLogger } from "./pino-logger.js";
import { showProgress } from "./progress.js";
import { writeResults } from "./results.js";

/** How `prunesweep run` launches a worker process (the bin passes itself). */
export interface WorkerCommand {
  readonly command: string;
  readonly args: readonly string[];
  /**
   * The workers' data check (`@prunesweep/worker/data`), run on the task before anything
   * starts: it resolves to a one-line summary and the examples' shape, or throws naming the
   * file and what is wrong (a header problem's error has `problems`, each with its spec path;
   * the check covers datasetFileProblems). An imported model's input shape and classes are checked too.
   */
  readonly checkData?: (
    task: TaskConfig,
    seed: number,
    model?: { readonly inputShape: readonly number[]; readonly numClasses: number },
  ) => Promise<{ readonly summary: string; readonly inputShape: readonly number[]; readonly classes?: number }>;
  /** How to start one throughput-measuring process (`@prunesweep/worker/measure`) for `--workers auto`; absent: the fixed rule. */
  readonly measure?: MeasureCommand;
  /** Every file of the task's dataset and test set (`@prunesweep/worker/data`): what `run`/`submit` upload. */
  readonly datasetFiles?: ListDatasetFiles;
}

export interface RunLocalOptions {
  readonly specPath: string;
  /** Worker processes, or `auto` ({@link planWorkers}). */
  readonly workers: number | "auto";
  readonly nats?: Omit<NatsOptions, "name">;
  /** --nats-replicas, for the coordinator and every worker. @default DEFAULT_NATS_REPLICAS */
  readonly natsReplicas?: number;
  readonly outDir?: string;
  /** Continue the interrupted campaign recorded in the out dir. */
  readonly resume?: boolean;
  /**
   * Run failed trials of the campaign recorded in the out dir again (implies `resume`):
   * `numbers` (creation indices), or every failed trial.
   */
  readonly retry?: { readonly numbers?: readonly number[] };
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
  const resume = o.resume === true || o.retry !== undefined;
  const specYaml = readFileSync(o.specPath, "utf8");
  // SpecError -> exit 2 in main; an imported model is read and checked here, before anything starts.
  const prepared = await prepareSpec(specYaml, o.specPath);
  const spec = prepared.spec;
  const outDir = resolve(o.outDir ?? join("runs", spec.name));
  const stateFile = join(outDir, "campaign.json");
  const previous = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as OutDirState) : undefined;
  if (resume && !previous) throw new SpecError([{ path: "--resume", message: `no campaign recorded in ${outDir} (missing campaign.json)` }]);
  if (!resume && previous && !existsSync(join(outDir, "results.json"))) {
    throw new SpecError([
      { path: "--out", message: `${outDir} holds the interrupted campaign ${previous.campaignId}; continue it with --resume, or choose another --out` },
    ]);
  }
  if (!resume && !o.nats) rmSync(join(outDir, "nats"), { recursive: true, force: true });
  // nats-server starts while the data is checked (a process of its own, mostly waiting to be
  // ready); nothing connects to it before the check has passed, and a failed check stops it and
  // removes its store (and the out dir, when this run created it): bad input leaves nothing behind.
  const outDirExisted = existsSync(outDir);
  const natsStarting = o.nats ? undefined : startNatsServer({ storeDir: join(outDir, "nats") });
  natsStarting?.catch(() => undefined); // awaited below, after the check
  let checked: Awaited<ReturnType<NonNullable<WorkerCommand["checkData"]>>> | undefined;
  try {
    checked = await checkTaskData(o, spec, prepared);
  } catch (err) {
    if (natsStarting) {
      await natsStarting.then((srv) => srv.stop()).catch(() => undefined);
      rmSync(outDirExisted ? join(outDir, "nats") : outDir, { recursive: true, force: true });
    }
    throw err;
  }
  if (checked) out.write(`data: ${checked.summary}\n`);
  const log = o.logger ?? createPinoLogger(o.logLevel, "coordinator");
  // `--workers auto` (from the cache, or measured) from here on: its measuring processes load
  // while NATS, the coordinator and the campaign start, and time their training once those are
  // up (nothing else then runs); a run that cannot start fails at once, stopping them.
  let startedUp = (): void => undefined;
  let startFailed = (_err: Error): void => undefined;
  const startUp = new Promise<void>((res, rej) => {
    startedUp = res;
    startFailed = rej;
  });
  startUp.catch(() => undefined);
  const planning = o.workerCommand.measure
    ? planWorkersMeasured(o.workers, spec.budget.parallelism, availableParallelism(), { measure: o.workerCommand.measure, task: measureTask(spec.task, checked), after: startUp })
    : Promise.resolve(planWorkers(o.workers, spec.budget.parallelism, availableParallelism()));
  const cleanups: (() => Promise<void>)[] = [];
  const workers: ChildProcess[] = [];
  /** Workers told to stop once the campaign finished, while the results are written. */
  let workersStopping: Promise<unknown> = Promise.resolve();
  let natsServer: LocalNatsServer | undefined;
  try {
    let natsUrl: string;
    if (o.nats) {
      natsUrl = o.nats.url;
    } else {
      natsServer = await (natsStarting ?? startNatsServer({ storeDir: join(outDir, "nats") }));
      natsUrl = natsServer.url;
      const srv = natsServer;
      cleanups.push(() => srv.stop());
      out.write(`started nats-server at ${natsUrl} (store ${srv.storeDir})\n`);
    }
    const config = loadCoordinatorConfig({ host: "127.0.0.1", port: "0", httpPort: String(o.httpPort ?? 0), store: "jetstream" }, {});
    const queue = { ...config.queue, replicas: o.natsReplicas ?? config.queue.replicas };
    const svc = await startCoordinatorService({ ...config, queue, nats: { ...(o.nats ?? {}), url: natsUrl, name: "prunesweep-coordinator" }, logLevel: o.logLevel }, log, {
      restore: resume && previous ? [previous.campaignId] : "none",
    });
    cleanups.push(() => svc.shutdown());
    let campaign: ReadonlyCampaign;
    if (resume && previous) {
      campaign = svc.coordinator.campaign(previous.campaignId);
      const c = campaign.counts();
      out.write(`resuming campaign ${campaign.id}: ${c.completed + c.stopped_early + c.failed} trials already final\n`);
      if (o.retry) {
        const before = new Set(campaign.trials().filter((t) => t.state === "failed").map((t) => t.id));
        await svc.coordinator.retry(campaign.id, o.retry.numbers);
        const retried = campaign.trials().filter((t) => before.has(t.id) && t.state !== "failed");
        out.write(`retrying ${retried.length} failed trial${retried.length === 1 ? "" : "s"}: ${retried.map((t) => t.number).join(", ")}\n`);
      }
    } else {
      // A fresh run on a reused external NATS must not revive other campaigns' dispatching.
      // An imported model and the dataset's files go to the blob store once, by content hash;
      // workers fetch them from there.
      const blobs = new NatsBlobStore(svc.nc, { replicas: queue.replicas });
      const ready = await prepareSpec(specYaml, o.specPath, (files) => blobs.putFiles(files), o.workerCommand.datasetFiles);
      if (ready.dataNote) out.write(`note: ${ready.dataNote}\n`);
      campaign = await svc.coordinator.start(ready.spec, ready.specYaml);
    }
    mkdirSync(outDir, { recursive: true });
    writeFileSync(stateFile, JSON.stringify({ campaignId: campaign.id, specPath: resolve(o.specPath) } satisfies OutDirState, null, 2) + "\n");
    startedUp();
    const plan = await planning;
    out.write(`coordinator gRPC at ${svc.endpoint}; campaign ${campaign.id}: ${spec.budget.maxTrials} trials, parallelism ${spec.budget.parallelism}; ${plan.workers} worker(s)\n`);
    if (o.workers === "auto") out.write(`${plan.reason}\n`);
    if (svc.http) out.write(`dashboard: ${svc.http.url} (live trials and Pareto front; ${svc.http.url}metrics)\n`);
    const extra = await o.onService?.(svc, campaign);
    if (extra) cleanups.push(extra);
    for (let i = 0; i < plan.workers; i++) workers.push(spawnWorker(o, plan, natsUrl, svc.endpoint, i, log));
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
    // Nothing is left for the workers: they drain and exit while the results and report are written.
    workersStopping = Promise.all(workers.splice(0).map((w) => stopChild(w)));
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
    // A run in which no trial completed failed, whatever the campaign's status says.
    const noneCompleted = c.completed + c.stopped_early === 0 && c.failed > 0;
    if (noneCompleted) {
      out.write(`no trial completed; the ${c.failed} failed trial${c.failed === 1 ? "" : "s"} failed with:\n${failuresText(groupFailures(campaign.trials()))}\n`);
    }
    if (o.serve && svc.http) {
      await workersStopping;
      out.write(`serving the dashboard at ${svc.http.url} until Ctrl-C\n`);
      await interrupted;
    }
    return noneCompleted ? 1 : 0;
  } finally {
    startFailed(new Error("the run did not start"));
    await planning.catch(() => undefined);
    await Promise.all([workersStopping, ...workers.map((w) => stopChild(w))]);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  }
}

/**
 * The data check of a fresh run, before anything connects: the workers' own (when wired), which
 * makes the header checks of datasetFileProblems first and then loads the data; without it (or
 * on resume) the header checks alone. Resolves to the workers' summary, or undefined.
 * @throws SpecError naming the file and what is wrong
 */
async function checkTaskData(
  o: RunLocalOptions,
  spec: Awaited<ReturnType<typeof prepareSpec>>["spec"],
  prepared: Awaited<ReturnType<typeof prepareSpec>>,
): Promise<Awaited<ReturnType<NonNullable<WorkerCommand["checkData"]>>> | undefined> {
  const resume = o.resume === true || o.retry !== undefined;
  const checkData = resume ? undefined : o.workerCommand.checkData;
  if (!checkData) {
    const fileProblems = await datasetFileProblems(spec.task.dataset);
    if (fileProblems.length > 0) throw new SpecError(fileProblems, o.specPath);
    return undefined;
  }
  let checked: Awaited<ReturnType<NonNullable<WorkerCommand["checkData"]>>>;
  try {
    const model = prepared.plan && { inputShape: prepared.plan.inputShape, numClasses: prepared.plan.numClasses };
    checked = await checkData(spec.task, spec.seed, model);
  } catch (err) {
    const problems = (err as { problems?: SpecIssue[] }).problems;
    throw new SpecError(problems ?? [{ path: "task", message: err instanceof Error ? err.message : String(err) }], o.specPath);
  }
  const augment = spec.space.find((p) => p.name === "finetune.augment")?.distribution;
  const mayAugment = augment?.type === "fixed" ? augment.value === true : augment?.type === "categorical" && augment.values.includes(true);
  if (mayAugment && checked.inputShape.length !== 3) {
    const message = `crops and flips need image examples [height, width, channels]; the dataset's examples have shape [${checked.inputShape.join(", ")}]`;
    throw new SpecError([{ path: "space.finetune.augment", message }], o.specPath);
  }
  return checked;
}

/** A model every worker can build, measured when the campaign's own cannot be cheaply. */
const REPRESENTATIVE: MeasureTask = { model: "lenet-300-100", inputShape: [28, 28, 1], numClasses: 10, batchSize: 64, backend: "auto" };

/**
 * What `--workers auto` measures: the campaign's model on its data's shape and its engine; the
 * representative model for an imported model (its graph is not at hand yet) or when the data's
 * shape is unknown (--resume skips the data check).
 */
function measureTask(task: TaskConfig, checked: { inputShape: readonly number[]; classes?: number } | undefined): MeasureTask {
  const backend = task.backend;
  if (task.modelFile !== undefined || !checked) return { ...REPRESENTATIVE, backend };
  return { model: task.model, modelOptions: task.modelOptions, inputShape: checked.inputShape, numClasses: checked.classes ?? 10, batchSize: task.pretrain.batchSize, backend };
}

function spawnWorker(o: RunLocalOptions, plan: WorkerPlan, natsUrl: string, endpoint: string, i: number, log: Logger): ChildProcess {
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
    ...(plan.threads !== undefined ? ["--threads", String(plan.threads)] : []),
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
