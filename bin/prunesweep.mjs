#!/usr/bin/env node
// The `prunesweep` command. `worker` runs @prunesweep/worker; everything else runs the
// coordinator's CLI, which spawns workers through this same file in local mode (so the
// coordinator and the worker never import each other).
import { fileURLToPath } from "node:url";

const argv = process.argv.slice(2);
let code;
if (argv[0] === "worker") {
  const { workerMain } = await import("@prunesweep/worker");
  code = await workerMain(argv.slice(1)).catch((err) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof RangeError || err?.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? 2 : 1;
  });
} else {
  const { cliMain } = await import("@prunesweep/coordinator/cli");
  code = await cliMain(argv, { command: process.execPath, args: [fileURLToPath(import.meta.url)] });
}
process.exitCode = code;
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
