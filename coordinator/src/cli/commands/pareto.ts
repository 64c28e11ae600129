import { CommanderError, Option, type Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import { objectivesOf } from "../../results/results-file.js";
import { extractPareto, paretoCsv, paretoJson, paretoText, parseObjectiveList } from "../../report/pareto-extract.js";
import { addCoordinatorOptions, loadCampaign, printJson } from "./operator.js";
import { EXIT_USAGE } from "./shared.js";

interface ParetoFlags extends OperatorFlags {
  readonly objectives?: string;
  readonly constraint: string[];
  readonly format: "table" | "json" | "csv";
  readonly json?: boolean;
}

/** `prunesweep pareto`: the front over any metrics, feasible trials only, knee marked, hypervolume printed. */
export function registerParetoCommand(program: Command): Command {
  const cmd = addCoordinatorOptions(
    program
      .command("pareto")
      .description("the Pareto front over any two or more reported metrics (feasible completed trials), knee and hypervolume")
      .argument("<campaign>", "campaign id (asks the coordinator) or out dir / results.json")
      .option(
        "--objectives <list>",
        "metrics with directions, e.g. accuracy:max,expected_macs:min; without :max/:min the campaign's direction, else accuracy-like maximise and cost-like (macs, params, latency, ms, loss) minimise (default: the campaign's objectives)",
      )
      .option("--constraint <expr>", 'extra feasibility constraint, e.g. "accuracy>=0.95" (repeatable; the campaign\'s constraints always apply)', (v: string, acc: string[]) => [...acc, v], [] as string[])
      .addOption(new Option("--format <format>", "output format").choices(["table", "json", "csv"]).default("table"))
      .option("--json", "same as --format json"),
  );
  return cmd.action(async (target: string, opts: ParetoFlags) => {
    const { results } = await loadCampaign(target, opts);
    let objectives;
    try {
      objectives = opts.objectives ? parseObjectiveList(opts.objectives, objectivesOf(results)) : undefined;
    } catch (err) {
      throw new CommanderError(EXIT_USAGE, "usage", err instanceof Error ? err.message : String(err));
    }
    const x = extractPareto(results, objectives, opts.constraint);
    const format = opts.json ? "json" : opts.format;
    if (format === "json") printJson(paretoJson(x));
    else process.stdout.write(format === "csv" ? paretoCsv(x) : paretoText(x));
  });
}
