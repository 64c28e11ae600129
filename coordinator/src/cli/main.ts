import { Command, CommanderError } from "commander";
import { ModelImportError } from "@prunesweep/proto";
import { ConfigError } from "../config.js";
import { InvalidRetryError, SpecError, SweepError } from "../errors.js";
import { registerCoordinatorCommand } from "./commands/coordinator.js";
import { registerCancelCommand } from "./commands/cancel.js";
import { registerExportCommand } from "./commands/export.js";
import { registerInspectCommand } from "./commands/inspect.js";
import { registerModelCommand } from "./commands/model.js";
import { registerParetoCommand } from "./commands/pareto.js";
import { registerReportCommand } from "./commands/report.js";
import { registerRetryCommand } from "./commands/retry.js";
import { registerRunCommand } from "./commands/run.js";
import { registerSchemaCommand } from "./commands/schema.js";
import { registerStatusCommand } from "./commands/status.js";
import { registerSubmitCommand } from "./commands/submit.js";
import { registerTrialsCommand } from "./commands/trials.js";
import { ResultsFileError } from "../results/results-file.js";
import { CoordinatorCallError } from "../transport/campaigns-client.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./commands/shared.js";
import type { WorkerCommand } from "./local/run-local.js";

export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./commands/shared.js";

/** Builds the `prunesweep` program. `workerCommand` is how local mode spawns workers. */
export function buildProgram(workerCommand: WorkerCommand): Command {
  const program = new Command("prunesweep")
    .description("Hyperparameter sweeps for neural-network pruning: find the accuracy-vs-cost Pareto front.")
    .exitOverride()
    .showHelpAfterError();
  registerRunCommand(program, workerCommand);
  registerSubmitCommand(program, workerCommand);
  registerStatusCommand(program);
  registerTrialsCommand(program);
  registerParetoCommand(program);
  registerReportCommand(program);
  registerExportCommand(program);
  registerCancelCommand(program);
  registerInspectCommand(program);
  registerRetryCommand(program, workerCommand);
  registerModelCommand(program);
  registerCoordinatorCommand(program);
  program
    .command("worker")
    .description("run a worker (see `prunesweep worker --help`)")
    .allowUnknownOption()
    .helpOption(false);
  registerSchemaCommand(program);
  return program;
}

/**
 * Runs the CLI and returns the exit code. Invalid specs and flags exit 2 with a message
 * naming the path; runtime failures exit 1.
 */
export async function cliMain(argv: readonly string[], workerCommand: WorkerCommand): Promise<number> {
  const program = buildProgram(workerCommand);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.exitCode === 0) return EXIT_OK;
      if (err.code === "usage") process.stderr.write(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof SpecError || err instanceof ConfigError) {
      process.stderr.write(`${err instanceof ConfigError ? "error: " : ""}${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof ResultsFileError || err instanceof ModelImportError || err instanceof InvalidRetryError || (err instanceof CoordinatorCallError && err.code === "INVALID_ARGUMENT")) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof SweepError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT_FAILURE;
    }
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_FAILURE;
  }
}
