/**
 * `@prunesweep/coordinator/cli`: the `prunesweep` command line, and what its local mode
 * starts (a nats-server, the coordinator and worker processes).
 */
export { cliMain, buildProgram, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./main.js";
export { runLocal } from "./local/run-local.js";
export type { RunLocalOptions, WorkerCommand } from "./local/run-local.js";
export { startNatsServer, findNatsServer, freePort, NatsServerNotFoundError } from "./local/nats-server.js";
export type { LocalNatsServer, NatsServerOptions } from "./local/nats-server.js";
