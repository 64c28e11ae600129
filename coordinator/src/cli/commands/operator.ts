/**
 * What the operator commands share: the flags that reach a coordinator, and loading a
 * campaign either from an out dir (`results.json`) or from a coordinator over gRPC.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { loadOperatorConfig, type OperatorConfig, type OperatorFlags } from "../../config.js";
import { loadResultsFile, resultsFromRemote, ResultsFileError, type ResultsFile } from "../../results/results-file.js";
import { parseCampaignSpec } from "../../spec/index.js";
import { GrpcCampaignsClient } from "../../transport/campaigns-client.js";

/** Adds `--coordinator`, `--token-file`, `--tls-ca`, `--tls-server-name`, `--timeout-ms`. */
export function addCoordinatorOptions(cmd: Command): Command {
  return cmd
    .option("--coordinator <host:port>", "coordinator gRPC address, e.g. a port-forward (env PRUNESWEEP_COORDINATOR; default 127.0.0.1:50051)")
    .option("--token-file <file>", "bearer token file (env PRUNESWEEP_TOKEN_FILE, or the token itself in PRUNESWEEP_TOKEN)")
    .option("--tls-ca <file>", "CA certificate (PEM) of a TLS coordinator (env PRUNESWEEP_TLS_CA)")
    .option("--tls-server-name <name>", "name in the coordinator's certificate, when dialing an IP or a port-forward")
    .option("--timeout-ms <ms>", "deadline of each call (default 30000)");
}

/** The resolved operator config (flags, then environment). @throws ConfigError */
function operatorConfig(flags: OperatorFlags): OperatorConfig {
  return loadOperatorConfig(flags, process.env, (p) => readFileSync(p, "utf8"));
}

/** Runs `fn` with a connected client and closes it afterwards. */
export async function withClient<T>(flags: OperatorFlags, fn: (c: GrpcCampaignsClient) => Promise<T>): Promise<T> {
  const client = new GrpcCampaignsClient(operatorConfig(flags));
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** True when `target` names a path (an out dir or a results.json) rather than a campaign id. */
export function isPathLike(target: string): boolean {
  return existsSync(target) || target.includes("/") || target.includes("\\") || target.endsWith(".json") || target === ".";
}

/** The constraints of a spec text; none when it does not parse (another version). */
function specConstraints(specYaml: string): string[] {
  try {
    return parseCampaignSpec(specYaml, "campaign spec").constraints.map((c) => c.source);
  } catch {
    return [];
  }
}

/**
 * A campaign as a results file: `target` is an out dir or a results.json path, else a
 * campaign id asked of the coordinator (`Get` + `ListTrials`).
 * @throws ResultsFileError when a path does not hold results; CampaignNotFoundError or
 * CoordinatorCallError from the coordinator.
 */
export async function loadCampaign(target: string, flags: OperatorFlags): Promise<{ results: ResultsFile; source: string }> {
  if (isPathLike(target)) {
    if (!existsSync(target)) throw new ResultsFileError(`${target}: no such out dir or results file`);
    return { results: loadResultsFile(target), source: target };
  }
  return withClient(flags, async (c) => {
    const [info, trials] = await Promise.all([c.get(target), c.listTrials(target)]);
    return { results: resultsFromRemote(info, trials, specConstraints(info.specYaml)), source: `coordinator ${operatorConfig(flags).coordinator}` };
  });
}

/** Prints JSON (2-space indented) with a trailing newline. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
