import { CommanderError, type Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import { TRIAL_STATES } from "../../domain/trial.js";
import { trialsToCsv } from "../../report/exports.js";
import { formatNumber, textTable } from "../../report/pareto-extract.js";
import { objectivesOf, resultsSummary, type ResultsFile, type ResultsTrial } from "../../results/results-file.js";
import { trialMethod } from "../../results/trial-method.js";
import { addCoordinatorOptions, loadCampaign, printJson } from "./operator.js";
import { addJson, EXIT_USAGE } from "./shared.js";

interface TrialsFlags extends OperatorFlags {
  readonly state?: string;
  readonly method?: string;
  readonly sort?: string;
  readonly limit?: string;
  readonly json?: boolean;
  readonly csv?: boolean;
}

const usage = (msg: string): CommanderError => new CommanderError(EXIT_USAGE, "usage", msg);

/** The sort key of a trial: number, state, attempts, wall, method, a metric, or `param.<name>`. */
function sortValue(t: ResultsTrial, key: string): number | string | boolean | undefined {
  if (key === "number") return t.number;
  if (key === "state") return t.state;
  if (key === "attempts") return t.attempts;
  if (key === "wall" || key === "wall_ms") return t.timings.wallMs;
  if (key === "method") return trialMethod(t);
  if (key.startsWith("param.")) return t.params[key.slice("param.".length)];
  return t.metrics[key];
}

/**
 * Filters and sorts trials. `sort` is `key[:asc|desc]`; metrics sort by their campaign
 * direction (best first) unless a direction is given; missing values go last.
 * @throws CommanderError (exit 2) for an unknown state or sort direction.
 */
export function selectTrials(r: ResultsFile, f: { state?: string; method?: string; sort?: string; limit?: string }): ResultsTrial[] {
  const states = f.state ? f.state.split(",").map((s) => s.trim()) : [];
  for (const s of states) if (!(TRIAL_STATES as readonly string[]).includes(s)) throw usage(`--state: must be among ${TRIAL_STATES.join(", ")}; got "${s}"`);
  const methods = f.method ? f.method.split(",").map((s) => s.trim()) : [];
  let rows = r.trials.filter((t) => (states.length === 0 || states.includes(t.state)) && (methods.length === 0 || methods.includes(trialMethod(t))));
  const [key = "number", dir] = (f.sort ?? "number").split(":");
  if (dir !== undefined && dir !== "asc" && dir !== "desc") throw usage(`--sort: direction must be asc or desc, got "${dir}"`);
  const objective = objectivesOf(r).find((o) => o.metric === key);
  const sign = dir ? (dir === "asc" ? 1 : -1) : objective?.direction === "maximize" || key === "accuracy" ? -1 : 1;
  rows = [...rows].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (x === undefined && y === undefined) return a.number - b.number;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return (x < y ? -1 : x > y ? 1 : a.number - b.number) * sign;
  });
  if (f.limit !== undefined) {
    const n = Number(f.limit);
    if (!Number.isInteger(n) || n < 0) throw usage(`--limit: must be an integer >= 0, got "${f.limit}"`);
    rows = rows.slice(0, n);
  }
  return rows;
}

/** `prunesweep trials <campaign|out-dir>`: the trial table, filtered and sorted. */
export function registerTrialsCommand(program: Command): Command {
  const cmd = addJson(
    addCoordinatorOptions(
      program
        .command("trials")
        .description("list a campaign's trials (filter by state or method, sort by any column)")
        .argument("<campaign>", "campaign id (asks the coordinator) or out dir / results.json")
        .option("--state <states>", "only these states, comma-separated (waiting,running,completed,stopped_early,failed,cancelled)")
        .option("--method <methods>", "only these pruning methods, comma-separated")
        .option("--sort <key[:asc|desc]>", "number (default), state, method, attempts, wall, a metric (best first) or param.<name>")
        .option("--limit <n>", "print at most n trials")
        .option("--csv", "print CSV (every parameter and metric)"),
    ),
  );
  return cmd.action(async (target: string, opts: TrialsFlags) => {
    const { results } = await loadCampaign(target, opts);
    const rows = selectTrials(results, opts);
    if (opts.json) return printJson(rows);
    if (opts.csv) return void process.stdout.write(trialsToCsv({ ...results, trials: rows }));
    const objs = objectivesOf(results).map((o) => o.metric);
    const metrics = [...objs, ...resultsSummary(results).costMetrics.filter((m) => !objs.includes(m))];
    const params = [...new Set(rows.flatMap((t) => Object.keys(t.params)))].sort();
    const front = new Set(results.pareto);
    process.stdout.write(
      textTable(
        ["trial", "state", "front", "method", ...metrics, ...params, "attempts", "wall s", "error"],
        rows.map((t) => [
          String(t.number),
          t.state,
          front.has(t.id) ? (t.id === results.knee ? "knee" : "*") : "",
          trialMethod(t),
          ...metrics.map((m) => formatNumber(t.metrics[m])),
          ...params.map((p) => formatNumber(t.params[p])),
          String(t.attempts),
          t.timings.wallMs !== undefined ? (t.timings.wallMs / 1000).toFixed(1) : "",
          (t.error ?? "").slice(0, 60),
        ]),
      ) + `\n${rows.length} of ${results.trials.length} trials\n`,
    );
  });
}
