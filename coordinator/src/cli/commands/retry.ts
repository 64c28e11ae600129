import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CommanderError, type Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import type { LogLevel } from "../../logger.js";
import { runLocal, type WorkerCommand } from "../local/run-local.js";
import { addCoordinatorOptions, printJson, withClient } from "./operator.js";
import { addJson, addLogLevel, EXIT_USAGE } from "./shared.js";
import { campaignLine } from "./status.js";

interface RetryFlags extends OperatorFlags {
  readonly failed?: boolean;
  readonly trials?: string;
  readonly workers: string;
  readonly logLevel: LogLevel;
  readonly json?: boolean;
}

const usage = (msg: string): CommanderError => new CommanderError(EXIT_USAGE, "usage", msg);

/** `--trials 0,3,7` → [0, 3, 7]; undefined with `--failed`. @throws CommanderError (exit 2) */
function selection(f: RetryFlags): number[] | undefined {
  if (f.failed && f.trials !== undefined) throw usage("--failed and --trials: give one of them");
  if (!f.failed && f.trials === undefined) throw usage("say which trials: --failed (every failed trial) or --trials N,... (trial numbers)");
  if (f.failed) return undefined;
  const parts = (f.trials ?? "").split(",").map((s) => s.trim());
  const numbers = parts.map(Number);
  const bad = parts.filter((p, i) => p === "" || !Number.isInteger(numbers[i]) || (numbers[i] as number) < 0);
  if (bad.length > 0) throw usage(`--trials: expected trial numbers (integers >= 0) separated by commas, got "${f.trials ?? ""}"`);
  return [...new Set(numbers)];
}

/**
 * `prunesweep retry <campaign|out-dir> (--failed | --trials N,...)`: runs failed trials again
 * in the same campaign. An out dir of `prunesweep run` is continued locally (its nats-server
 * store, N workers, results rewritten); a campaign id is sent to the coordinator.
 */
export function registerRetryCommand(program: Command, workerCommand: WorkerCommand): Command {
  const cmd = addJson(
    addCoordinatorOptions(
      program
        .command("retry")
        .description("run failed trials again in the same campaign: an out dir of `run` (locally) or a coordinator's campaign id")
        .argument("<campaign>", "out dir of `prunesweep run`, or a campaign id on the coordinator")
        .option("--failed", "every failed trial")
        .option("--trials <numbers>", "these trials, by number (comma-separated, e.g. 0,3,7); each must be failed")
        .option("-w, --workers <n>", "out dir: worker processes to spawn", "2"),
    ),
  );
  return addLogLevel(cmd, "warn").action(async (target: string, opts: RetryFlags) => {
    const numbers = selection(opts);
    const state = join(target, "campaign.json");
    if (existsSync(state)) {
      const workers = Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 0) throw usage(`--workers: must be an integer >= 0, got "${opts.workers}"`);
      const { specPath } = JSON.parse(readFileSync(state, "utf8")) as { specPath: string };
      process.exitCode = await runLocal({ specPath, outDir: target, workers, workerCommand, logLevel: opts.logLevel, retry: numbers ? { numbers } : {} });
      return;
    }
    const info = await withClient(opts, (c) => c.retry(target, numbers));
    if (opts.json) printJson(info);
    else process.stdout.write(`${campaignLine(info)}\n`);
  });
}
