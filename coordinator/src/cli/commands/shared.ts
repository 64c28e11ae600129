import { Option, type Command } from "commander";

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"];

/** Exit codes: 0 ok, 1 runtime failure, 2 invalid input (spec or flags). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The flags {@link addNatsOptions} adds, as parsed (strings). */
export type { NatsFlags } from "@prunesweep/proto";

/** Adds the NATS connection and authentication flags (passed through every command). */
export function addNatsOptions(cmd: Command): Command {
  return cmd
    .option("--nats <url>", "NATS server URL, or a cluster's URLs separated by commas (env NATS_URL)")
    .option("--nats-user <user>", "NATS user (env NATS_USER)")
    .option("--nats-pass <pass>", "NATS password (env NATS_PASSWORD)")
    .option("--nats-token <token>", "NATS token (env NATS_TOKEN)")
    .option("--nats-creds <file>", "NATS credentials file (env NATS_CREDS)")
    .option("--nats-replicas <n>", "replicas of the JetStream streams, KV buckets and object stores created: 3 in a cluster (env PRUNESWEEP_NATS_REPLICAS; default 1)");
}

/** Adds --log-level with a default. */
export function addLogLevel(cmd: Command, dflt: string): Command {
  return cmd.addOption(new Option("--log-level <level>", "log level").choices(LOG_LEVELS).default(dflt));
}

/** The --json flag for commands that print data. */
export function addJson(cmd: Command): Command {
  return cmd.option("--json", "print JSON instead of a table");
}
