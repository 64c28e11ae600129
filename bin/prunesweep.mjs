#!/usr/bin/env node
// The `prunesweep` command. `worker` runs @prunesweep/worker; everything else runs the
// coordinator's CLI, which spawns workers through this same file in local mode (so the
// coordinator and the worker never import each other).
import { fileURLToPath } from "node:url";

/** Imports a workspace's entry; when its dist/ is missing, says how to build instead of a stack trace. */
async function load(specifier) {
  try {
    return await import(specifier);
  } catch (err) {
    if (err?.code === "ERR_MODULE_NOT_FOUND" && /[\\/](proto|coordinator|worker)[\\/]dist[\\/]/.test(String(err.message))) {
      const root = fileURLToPath(new URL("..", import.meta.url));
      process.stderr.write(`error: prunesweep is not built (${specifier} has no dist/); run \`npm run build\` in ${root} (\`npm ci\` does it)\n`);
      process.exit(1);
    }
    throw err;
  }
}

const argv = process.argv.slice(2);
let code;
if (argv[0] === "worker") {
  const { workerMain } = await load("@prunesweep/worker/main");
  code = await workerMain(argv.slice(1)).catch((err) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof RangeError || err?.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? 2 : 1;
  });
} else {
  const { cliMain } = await load("@prunesweep/coordinator/cli");
  // Local mode checks the data as the workers will load it, before anything starts.
  const checkData = async (task, seed, model) => {
    const s = await (await load("@prunesweep/worker/data")).checkTaskData(task, seed, model);
    const summary = `${s.train} train, ${s.validation} validation, ${s.test} test examples of shape [${s.inputShape.join(", ")}], ${s.classes} classes, ${s.files.length} files`;
    return { summary, inputShape: s.inputShape, classes: s.classes };
  };
  // `--workers auto` measures training throughput in processes running the worker's measuring entry.
  const measure = { command: process.execPath, args: [fileURLToPath(import.meta.resolve("@prunesweep/worker/measure"))] };
  // `run` and `submit` upload every file of the dataset (the workers' own list of them).
  const datasetFiles = async (task) => (await load("@prunesweep/worker/data")).taskDataFiles(task);
  code = await cliMain(argv, { command: process.execPath, args: [fileURLToPath(import.meta.url)], checkData, measure, datasetFiles });
}
process.exitCode = code;
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
