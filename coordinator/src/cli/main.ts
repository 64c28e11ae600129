import { Command, CommanderError, Option } from "commander";
import { readFileSync } from "node:fs";
import { Coordinator } from "../coordinator.js";
import { SpecError, SweepError } from "../errors.js";
import { createLogger, type LogLevel } from "../logger.js";
import { InMemoryCampaignStore } from "../store/campaign-store.js";
import { connectNats, type NatsOptions } from "../transport/nats-connection.js";
import { NatsTrialDispatcher } from "../transport/nats-dispatcher.js";
import { startGrpcServer } from "../transport/grpc-server.js";
import { runLocal, type WorkerCommand } from "./run-local.js";

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"];

/** Exit codes: 0 ok, 1 runtime failure, 2 invalid input (spec or flags). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

interface NatsFlags {
  nats?: string;
  natsUser?: string;
  natsPass?: string;
  natsToken?: string;
  natsCreds?: string;
}

function natsOptionsFrom(f: NatsFlags, env: NodeJS.ProcessEnv): Omit<NatsOptions, "name"> | undefined {
  const url = f.nats ?? env["NATS_URL"];
  if (!url) return undefined;
  const user = f.natsUser ?? env["NATS_USER"];
  const token = f.natsToken ?? env["NATS_TOKEN"];
  const creds = f.natsCreds ?? env["NATS_CREDS"];
  return {
    url,
    ...(user !== undefined && { user, pass: f.natsPass ?? env["NATS_PASSWORD"] ?? "" }),
    ...(token !== undefined && { token }),
    ...(creds !== undefined && { credsFile: creds }),
  };
}

function addNatsOptions(cmd: Command): Command {
  return cmd
    .option("--nats <url>", "NATS server URL (env NATS_URL)")
    .option("--nats-user <user>", "NATS user (env NATS_USER)")
    .option("--nats-pass <pass>", "NATS password (env NATS_PASSWORD)")
    .option("--nats-token <token>", "NATS token (env NATS_TOKEN)")
    .option("--nats-creds <file>", "NATS credentials file (env NATS_CREDS)");
}

/** Builds the `prunesweep` program. `workerCommand` is how local mode spawns workers. */
export function buildProgram(workerCommand: WorkerCommand, env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command("prunesweep")
    .description("Hyperparameter sweeps for neural-network pruning: find the accuracy-vs-cost Pareto front.")
    .exitOverride()
    .showHelpAfterError();

  addNatsOptions(
    program
      .command("run")
      .description("run a campaign locally: nats-server, coordinator and N workers, then results in the out dir")
      .argument("<spec>", "campaign spec (YAML)")
      .option("-w, --workers <n>", "worker processes to spawn", "2")
      .option("-o, --out <dir>", "output directory (default runs/<campaign-name>)"),
  )
    .addOption(new Option("--log-level <level>", "coordinator log level").choices(LOG_LEVELS).default("warn"))
    .action(async (specPath: string, opts: NatsFlags & { workers: string; out?: string; logLevel: LogLevel }) => {
      const workers = Number(opts.workers);
      if (!Number.isInteger(workers) || workers < 0) throw new CommanderError(EXIT_USAGE, "usage", `--workers: must be an integer >= 0, got "${opts.workers}"`);
      const nats = natsOptionsFrom(opts, {});
      const code = await runLocal({
        specPath,
        workers,
        workerCommand,
        logLevel: opts.logLevel,
        ...(nats && { nats }),
        ...(opts.out !== undefined && { outDir: opts.out }),
      });
      process.exitCode = code;
    });

  addNatsOptions(
    program
      .command("coordinator")
      .description("run the coordinator service (gRPC for workers and operators)")
      .option("--host <host>", "address to bind", "0.0.0.0")
      .option("--port <port>", "gRPC port (0 = any free port)", "50051")
      .option("--advertise <host:port>", "endpoint workers dial (default <hostname>:<port>)")
      .option("--spec <file>", "submit this campaign spec at start"),
  )
    .addOption(new Option("--log-level <level>", "log level").choices(LOG_LEVELS).default("info"))
    .action(async (opts: NatsFlags & { host: string; port: string; advertise?: string; spec?: string; logLevel: LogLevel }) => {
      const log = createLogger(opts.logLevel, "coordinator");
      const nats = natsOptionsFrom(opts, env) ?? { url: "nats://127.0.0.1:4222" };
      const nc = await connectNats({ ...nats, name: "prunesweep-coordinator" });
      let endpoint = opts.advertise ?? "";
      const dispatcher = await NatsTrialDispatcher.create(nc, () => endpoint);
      const coordinator = new Coordinator({ store: new InMemoryCampaignStore(), dispatcher, log });
      const grpc = await startGrpcServer(coordinator, log, { host: opts.host, port: Number(opts.port) });
      endpoint ||= `${env["HOSTNAME"] ?? "127.0.0.1"}:${grpc.port}`;
      process.stdout.write(`coordinator listening on ${opts.host}:${grpc.port} (advertised as ${endpoint})\n`);
      if (opts.spec) {
        const r = await coordinator.submit(readFileSync(opts.spec, "utf8"), opts.spec);
        process.stdout.write(`submitted campaign ${r.campaignId}\n`);
      }
      await new Promise<void>((res) => {
        process.once("SIGTERM", () => res());
        process.once("SIGINT", () => res());
      });
      log.info("shutting down: draining gRPC");
      coordinator.close();
      await grpc.shutdown(10_000);
      await nc.drain().catch(() => undefined);
    });

  program
    .command("worker")
    .description("run a worker (see `prunesweep worker --help`)")
    .allowUnknownOption()
    .helpOption(false);

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
    if (err instanceof SpecError) {
      process.stderr.write(`${err.message}\n`);
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
