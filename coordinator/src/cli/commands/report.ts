import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import { writeReport } from "../../report/html-report.js";
import { addCoordinatorOptions, isPathLike, loadCampaign, printJson } from "./operator.js";
import { addJson } from "./shared.js";
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** `prunesweep report <out-dir|campaign>`: writes report.html and plots/*.svg. */
export function registerReportCommand(program: Command): Command {
  const cmd = addJson(
    addCoordinatorOptions(
      program
        .command("report")
        .description("write the HTML report (report.html, plots/*.svg) of a campaign")
        .argument("<campaign>", "out dir / results.json, or a campaign id (asks the coordinator)")
        .option("-o, --out <dir>", "where to write (default: the out dir itself, or runs/<campaign-name> for a coordinator's campaign)"),
    ),
  );
  return cmd.action(async (target: string, opts: OperatorFlags & { out?: string; json?: boolean }) => {
    const { results } = await loadCampaign(target, opts);
    const outDir = resolve(
      opts.out ??
        (isPathLike(target) ? (existsSync(target) && statSync(target).isDirectory() ? target : dirname(target)) : join("runs", results.campaign.name)),
    );
    const files = await writeReport(results, outDir);
    if (opts.json) printJson({ report: files[0], plots: files.slice(1) });
    else process.stdout.write(`wrote ${files[0]} and ${files.length - 1} plots in ${join(outDir, "plots")}\n`);
  });
}
