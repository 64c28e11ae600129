/**
 * `prunesweep run --workers auto`: how many worker processes to start and how many BLAS threads
 * each gets, so that workers × threads = cores. `auto` measures: for each candidate split it
 * runs w measuring processes at once (the worker's own training step on the engine a worker
 * would use, `@prunesweep/worker/measure`, each with t BLAS threads), sums their
 * training throughput, and picks the split with the most samples/s, i.e. the most trials per
 * hour. The result is cached per machine, engine and model shape ({@link splitCacheKey}), so
 * later runs reuse it at once. When measuring fails, the fixed rule ({@link ruleSplit}) decides
 * and the reason says so.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { cpus, homedir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";

/** The split that `--workers` resolved to. */
export interface WorkerPlan {
  readonly workers: number;
  /** BLAS threads per worker (`--threads`); undefined: the worker's default. */
  readonly threads?: number;
  /** One line saying what was picked and why, printed by `prunesweep run`. */
  readonly reason: string;
}

/** One split and its measured aggregate training throughput. */
export interface MeasuredSplit {
  readonly workers: number;
  readonly threads: number;
  readonly samplesPerSec: number;
}

/** What is measured: the model and input shape of the campaign, on the engine its workers use. */
export interface MeasureTask {
  readonly model: string;
  /** `task.modelOptions` (widths, depths). */
  readonly modelOptions?: Readonly<Record<string, unknown>>;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly batchSize: number;
  /** `task.backend`. */
  readonly backend: string;
}

/** How to start one measuring process: `command args... --model … --ms …`. */
export interface MeasureCommand {
  readonly command: string;
  readonly args: readonly string[];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** `--workers N`: N workers, the cores shared among them as BLAS threads. */
function requestedSplit(requested: number, cores: number): WorkerPlan {
  const threads = requested > 0 ? Math.max(1, Math.floor(cores / requested)) : undefined;
  return { workers: requested, ...(threads !== undefined && { threads }), reason: `${requested} worker(s) as asked, ${threads ?? 0} BLAS thread(s) each (${cores} cores)` };
}

/**
 * The fixed rule, used when nothing is measured: trials are independent, so as many workers as
 * the campaign can keep busy (its parallelism) and the cores allow, the cores left as threads.
 */
function ruleSplit(parallelism: number, cores: number): { workers: number; threads: number } {
  const workers = Math.max(1, Math.min(cores, Math.max(1, parallelism)));
  return { workers, threads: Math.max(1, Math.floor(cores / workers)) };
}

/**
 * Resolves `--workers` without measuring: a count as asked, or `auto` by the fixed rule.
 */
export function planWorkers(requested: number | "auto", parallelism: number, cores: number): WorkerPlan {
  const c = Math.max(1, Math.floor(cores));
  if (requested !== "auto") return requestedSplit(requested, c);
  const { workers, threads } = ruleSplit(parallelism, c);
  return {
    workers,
    threads,
    reason: `--workers auto: ${workers} worker(s) × ${threads} BLAS thread(s) on ${c} cores (campaign parallelism ${parallelism}; whole trials in parallel before threads within one)`,
  };
}

/**
 * The splits worth measuring: w workers × floor(cores / w) threads for every w up to
 * min(cores, parallelism) that wastes no core (divides the cores), plus that maximum itself.
 */
export function candidateSplits(parallelism: number, cores: number): { workers: number; threads: number }[] {
  const c = Math.max(1, Math.floor(cores));
  const max = Math.max(1, Math.min(c, Math.floor(parallelism)));
  const ws = new Set<number>();
  for (let w = 1; w <= max; w++) if (c % w === 0) ws.add(w);
  ws.add(max);
  return [...ws].sort((a, b) => a - b).map((w) => ({ workers: w, threads: Math.max(1, Math.floor(c / w)) }));
}

/**
 * The split with the most aggregate samples/s (ties: more workers, which also overlap the
 * trials' non-training work), and the runner-up for the report line.
 * @throws RangeError when nothing was measured.
 */
export function pickSplit(measured: readonly MeasuredSplit[]): { best: MeasuredSplit; runnerUp?: MeasuredSplit } {
  const ok = measured.filter((m) => Number.isFinite(m.samplesPerSec) && m.samplesPerSec > 0);
  if (ok.length === 0) throw new RangeError("no split was measured");
  const sorted = [...ok].sort((a, b) => b.samplesPerSec - a.samplesPerSec || b.workers - a.workers);
  return { best: sorted[0]!, ...(sorted[1] && { runnerUp: sorted[1] }) };
}

const splitText = (m: MeasuredSplit): string => `${m.workers} × ${plural(m.threads, "thread")} (${Math.round(m.samplesPerSec)} samples/s)`;

/** The one line `prunesweep run` prints for a measured (or cached) pick. */
export function measuredReason(measured: readonly MeasuredSplit[], how: string): string {
  const { best, runnerUp } = pickSplit(measured);
  return `--workers auto: ${splitText(best)}${runnerUp ? ` over ${splitText(runnerUp)}` : ""}, ${how}`;
}

/** What the cache key covers: a change in any of these measures again. */
interface SplitCacheKeyParts {
  readonly cpu: string;
  readonly cores: number;
  /** PRUNESWEEP_BLAS as set (a library path, `off`), or `auto`. */
  readonly blas: string;
  readonly task: MeasureTask;
  readonly candidates: readonly { workers: number; threads: number }[];
}

/** The cache key: a hash of the CPU model, core count, BLAS setting, engine, model, shape and candidates. */
export function splitCacheKey(p: SplitCacheKeyParts): string {
  const t = p.task;
  const parts = [p.cpu, p.cores, p.blas, t.backend, t.model, t.modelOptions ?? {}, t.inputShape.join("x"), t.numClasses, t.batchSize, p.candidates.map((c) => `${c.workers}x${c.threads}`).join(",")];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}

interface CacheEntry {
  readonly measured: readonly MeasuredSplit[];
  readonly engine?: string;
  readonly at: string;
}

/** The cache file: $XDG_CACHE_HOME/prunesweep/worker-splits.json, else ~/.cache/prunesweep/…. */
export function defaultSplitCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env["XDG_CACHE_HOME"] || join(homedir(), ".cache");
  return join(base, "prunesweep", "worker-splits.json");
}

function readCache(file: string): Record<string, CacheEntry> {
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, CacheEntry>) : {};
  } catch {
    return {};
  }
}

const isMeasuredSplit = (m: unknown): boolean => {
  const v = m as Partial<MeasuredSplit> | null;
  return typeof v === "object" && v !== null && Number.isInteger(v.workers) && Number.isInteger(v.threads) && Number.isFinite(v.samplesPerSec) && (v.samplesPerSec ?? 0) > 0;
};

/** The cached measurement for `key`, if any (a missing or unreadable file, or a malformed entry, is a miss). */
export function cachedSplits(file: string, key: string): CacheEntry | undefined {
  const e = readCache(file)[key];
  return e && Array.isArray(e.measured) && e.measured.length > 0 && e.measured.every(isMeasuredSplit) ? e : undefined;
}

/** Records a measurement under `key` (atomically: write then rename). */
export function cacheSplits(file: string, key: string, entry: CacheEntry): void {
  const all = { ...readCache(file), [key]: entry };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all, null, 2) + "\n");
  renameSync(tmp, file);
}

/**
 * Measures the splits for real. As many measuring processes start as the largest split has
 * workers, all at once (the start-up, mostly loading TensorFlow.js, is paid once per process),
 * and warm up; then the splits are measured one after another: for "w workers × t threads" the
 * first w processes set their BLAS threads to t (a thread count is per process) and train
 * together for `ms`, while the others wait. Each process thus serves every split, instead of
 * one process per worker of every split.
 * @returns per split, the summed samples/s, with the engine the processes ran on.
 * @throws Error naming a process's complaint when one fails or stays silent past `timeoutMs`.
 */
async function measureSplits(
  cmd: MeasureCommand,
  task: MeasureTask,
  splits: readonly { workers: number; threads: number }[],
  ms: number,
  after: Promise<unknown> = Promise.resolve(),
  timeoutMs = 60_000,
): Promise<{ measured: MeasuredSplit[]; engine?: string }> {
  const args = [
    ...cmd.args,
    "--model",
    task.model,
    "--options",
    JSON.stringify(task.modelOptions ?? {}),
    "--input",
    task.inputShape.join(","),
    "--classes",
    String(task.numClasses),
    "--batch",
    String(task.batchSize),
    "--ms",
    String(ms),
    "--backend",
    task.backend,
  ];
  // Started with the threads of the split with the most workers; the others switch when measured.
  const widest = splits.reduce((a, s) => (s.workers > a.workers ? s : a), splits[0]!);
  const all = Array.from({ length: widest.workers }, () =>
    spawn(cmd.command, args, { stdio: ["pipe", "pipe", "ignore"], env: { ...process.env, PRUNESWEEP_THREADS: String(widest.threads) } }),
  );
  const timer = setTimeout(() => all.forEach((c) => c.kill("SIGKILL")), timeoutMs);
  // A process that cannot start (ENOENT, EACCES) fails the measurement rather than the program.
  const spawnFailed = Promise.race(all.map((c) => new Promise<never>((_, rej) => c.once("error", (err) => rej(new Error(`cannot start ${cmd.command}: ${err.message}`))))));
  spawnFailed.catch(() => undefined);
  // Stops the measuring whenever `after` fails, even before the processes are ready.
  const failed = Promise.race([spawnFailed, new Promise<never>((_, rej) => after.catch(rej))]);
  failed.catch(() => undefined);
  const reader = (c: ChildProcess): (() => Promise<Record<string, unknown>>) => {
    const it = createInterface({ input: c.stdout! })[Symbol.asyncIterator]();
    return async () => {
      const r = await Promise.race([it.next(), failed]);
      if (r.done) throw new Error(`measuring process exited (code ${c.exitCode ?? "?"}, signal ${c.signalCode ?? "none"}) before answering`);
      const v = JSON.parse(r.value) as Record<string, unknown>;
      if (typeof v["error"] === "string") throw new Error(`measuring process: ${v["error"]}`);
      return v;
    };
  };
  try {
    const lines = all.map(reader);
    await Promise.all(lines.map((next) => next()));
    await Promise.race([after, failed]);
    const measured: MeasuredSplit[] = [];
    let engine: string | undefined;
    for (const split of splits) {
      for (const c of all.slice(0, split.workers)) c.stdin!.write(`go ${split.threads}\n`);
      const results = await Promise.all(lines.slice(0, split.workers).map((next) => next()));
      measured.push({ ...split, samplesPerSec: results.reduce((sum, r) => sum + Number(r["samplesPerSec"]), 0) });
      // The engine without its thread count, which differs per split.
      if (engine === undefined && typeof results[0]?.["engine"] === "string") engine = results[0]["engine"].replace(/ \(\d+ threads?\)$/, "");
    }
    for (const c of all) c.stdin!.end();
    return { measured, ...(engine !== undefined && { engine }) };
  } finally {
    clearTimeout(timer);
    for (const c of all) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  }
}

interface AutoPlanOptions {
  readonly measure: MeasureCommand;
  readonly task: MeasureTask;
  /** @default defaultSplitCacheFile() */
  readonly cacheFile?: string;
  /** Measuring time per split. @default 400 */
  readonly msPerSplit?: number;
  /** @default os.cpus()[0].model */
  readonly cpu?: string;
  /** @default process.env.PRUNESWEEP_BLAS ?? "auto" */
  readonly blas?: string;
  /**
   * What the timed part waits for, once the measuring processes have loaded (the rest of the
   * start-up, which would disturb the timing); its rejection stops the measuring (the rule decides).
   */
  readonly after?: Promise<unknown>;
}

/**
 * Resolves `--workers`: a count as asked (nothing measured); `auto` from the cache, else by
 * measuring every candidate split ({@link measureSplits}) and caching the result; when
 * measuring fails, the fixed rule, saying why.
 */
export async function planWorkersMeasured(requested: number | "auto", parallelism: number, cores: number, o: AutoPlanOptions): Promise<WorkerPlan> {
  const c = Math.max(1, Math.floor(cores));
  if (requested !== "auto") return requestedSplit(requested, c);
  const candidates = candidateSplits(parallelism, c);
  const blas = o.blas ?? process.env["PRUNESWEEP_BLAS"] ?? "auto";
  if (blas === "off") {
    // No BLAS threads to share (the stock kernels run one thread per worker): nothing to measure.
    const rule = planWorkers("auto", parallelism, c);
    return { ...rule, reason: `${rule.reason}; PRUNESWEEP_BLAS=off, so threads are not shared and nothing was measured` };
  }
  const file = o.cacheFile ?? defaultSplitCacheFile();
  const key = splitCacheKey({ cpu: o.cpu ?? cpus()[0]?.model ?? "unknown", cores: c, blas, task: o.task, candidates });
  const what = `${o.task.model} [${o.task.inputShape.join(", ")}] batch ${o.task.batchSize}`;
  const hit = existsSync(file) ? cachedSplits(file, key) : undefined;
  if (hit) {
    const { best } = pickSplit(hit.measured);
    return { workers: best.workers, threads: best.threads, reason: measuredReason(hit.measured, `measured ${hit.at} on ${what}${hit.engine ? ` (${hit.engine})` : ""}, reused from ${file}`) };
  }
  if (candidates.length === 1) {
    const only = candidates[0]!;
    return { ...only, reason: `--workers auto: ${only.workers} × ${plural(only.threads, "thread")}, the only split for ${c} cores and parallelism ${parallelism} (nothing to measure)` };
  }
  try {
    const { measured, engine } = await measureSplits(o.measure, o.task, candidates, o.msPerSplit ?? 400, o.after);
    const entry: CacheEntry = { measured, ...(engine !== undefined && { engine }), at: new Date().toISOString() };
    const { best } = pickSplit(entry.measured);
    let cached = `cached in ${file}`;
    try {
      cacheSplits(file, key, entry);
    } catch (err) {
      cached = `not cached (${err instanceof Error ? err.message : String(err)})`;
    }
    return { workers: best.workers, threads: best.threads, reason: measuredReason(entry.measured, `measured on ${what}${engine ? ` (${engine})` : ""}, ${cached}`) };
  } catch (err) {
    const rule = planWorkers("auto", parallelism, c);
    return { ...rule, reason: `${rule.reason}; measuring failed (${err instanceof Error ? err.message : String(err)}), so the fixed rule decided` };
  }
}
