import { CommanderError, type Command } from "commander";
import { natsOptionsFrom, natsReplicasFrom, type NatsFlags } from "@prunesweep/proto";
import type { LogLevel } from "../../logger.js";
import { runLocal, type RunLocalOptions, type WorkerCommand } from "../local/run-local.js";
import { addLogLevel, addNatsOptions, EXIT_USAGE } from "./shared.js";

interface RunFlags extends NatsFlags {
  workers: string;
  out?: string;
  resume?: boolean;
  logLevel: LogLevel;
  httpPort: string;
  serve?: boolean;
}

/** `prunesweep run`: local mode. `extend` lets other features hook into the service. */
export function registerRunCommand(
  program: Command,
  workerCommand: WorkerCommand,
  extend?: (flags: Record<string, unknown>) => Pick<RunLocalOptions, "onService">,
): Command {
  const cmd = addNatsOptions(
    program
      .command("run")
      .description("run a campaign locally: nats-server, coordinator and N workers; results in the out dir")
      .argument("<spec>", "campaign spec (YAML)")
      .option("-w, --workers <n|auto>", "worker processes to spawn; auto: as many as the campaign's parallelism and the cores allow, with the cores left over as BLAS threads", "auto")
      .option("-o, --out <dir>", "output directory (default runs/<campaign-name>)")
      .option("--resume", "continue the interrupted campaign recorded in the out dir")
      .option("--http-port <port>", "dashboard, /metrics and /healthz on 127.0.0.1; 0 = a free port, -1 = off", "0")
      .option("--serve", "keep serving the dashboard after the campaign ends (until Ctrl-C)"),
  );
  addLogLevel(cmd, "warn").action(async (specPath: string, opts: RunFlags) => {
    const workers = opts.workers === "auto" ? "auto" : Number(opts.workers);
    if (workers !== "auto" && (!Number.isInteger(workers) || workers < 0)) {
      throw new CommanderError(EXIT_USAGE, "usage", `--workers: must be "auto" or an integer >= 0, got "${opts.workers}"`);
    }
    const httpPort = Number(opts.httpPort);
    if (!Number.isInteger(httpPort) || httpPort < -1 || httpPort > 65535) {
      throw new CommanderError(EXIT_USAGE, "usage", `--http-port: must be an integer from -1 to 65535, got "${opts.httpPort}"`);
    }
    let natsReplicas: number | undefined;
    try {
      natsReplicas = opts.natsReplicas === undefined ? undefined : natsReplicasFrom(opts, {});
    } catch (err) {
      throw new CommanderError(EXIT_USAGE, "usage", (err as Error).message);
    }
    // Without --nats, run starts its own nats-server (NATS_URL is not consulted).
    const nats = opts.nats ? natsOptionsFrom(opts.nats, opts, process.env, "prunesweep-coordinator") : undefined;
    process.exitCode = await runLocal({
      specPath,
      workers,
      workerCommand,
      logLevel: opts.logLevel,
      httpPort,
      ...(opts.serve === true && { serve: true }),
      ...(opts.resume === true && { resume: true }),
      ...(nats && { nats }),
      ...(natsReplicas !== undefined && { natsReplicas }),
      ...(opts.out !== undefined && { outDir: opts.out }),
      ...extend?.(opts as unknown as Record<string, unknown>),
    });
  });
  return cmd;
}
