import { writeFileSync } from "node:fs";
import { Option, type Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import { EXPORT_FORMATS, exportCampaign, type ExportFormat } from "../../report/exports.js";
import { addCoordinatorOptions, loadCampaign } from "./operator.js";

/** `prunesweep export <out-dir|campaign> --format csv|json|optuna-journal`. */
export function registerExportCommand(program: Command): Command {
  const cmd = addCoordinatorOptions(
    program
      .command("export")
      .description("export a campaign's trials: csv, json, or an Optuna journal (open with optuna-dashboard)")
      .argument("<campaign>", "out dir / results.json, or a campaign id (asks the coordinator)")
      .addOption(new Option("--format <format>", "export format").choices([...EXPORT_FORMATS]).makeOptionMandatory())
      .option("-o, --output <file>", "write to this file instead of stdout"),
  );
  return cmd.action(async (target: string, opts: OperatorFlags & { format: ExportFormat; output?: string }) => {
    const { results } = await loadCampaign(target, opts);
    const text = exportCampaign(results, opts.format);
    if (opts.output && opts.output !== "-") {
      writeFileSync(opts.output, text);
      process.stderr.write(`wrote ${opts.output} (${results.trials.length} trials, ${opts.format})\n`);
    } else {
      process.stdout.write(text);
    }
  });
}
