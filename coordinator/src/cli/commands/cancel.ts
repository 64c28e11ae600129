import type { Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import { addCoordinatorOptions, printJson, withClient } from "./operator.js";
import { addJson } from "./shared.js";
import { campaignLine } from "./status.js";

/** `prunesweep cancel <campaign>`: trials not yet final become cancelled; nothing more is dispatched. */
export function registerCancelCommand(program: Command): Command {
  const cmd = addJson(
    addCoordinatorOptions(
      program
        .command("cancel")
        .description("cancel a running campaign on a coordinator (its unfinished trials become cancelled)")
        .argument("<campaign>", "campaign id")
        .option("--reason <text>", "recorded with the cancellation", "cancelled by operator"),
    ),
  );
  return cmd.action(async (id: string, opts: OperatorFlags & { json?: boolean; reason: string }) => {
    const info = await withClient(opts, (c) => c.cancel(id, opts.reason));
    if (opts.json) printJson(info);
    else process.stdout.write(`${campaignLine(info)}\n`);
  });
}
