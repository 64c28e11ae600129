import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import type { RemoteCampaignInfo } from "../../results/results-file.js";
import { parseCampaignSpec } from "../../spec/index.js";
import { addCoordinatorOptions, printJson, withClient } from "./operator.js";
import { addJson } from "./shared.js";
import { campaignLine } from "./status.js";

interface SubmitFlags extends OperatorFlags {
  readonly json?: boolean;
  readonly wait?: boolean;
  readonly pollMs?: string;
}

/** `prunesweep submit spec.yaml`: validates locally (exit 2 naming the path), then submits over gRPC. */
export function registerSubmitCommand(program: Command): Command {
  const cmd = addJson(
    addCoordinatorOptions(
      program
        .command("submit")
        .description("submit a campaign spec to a running coordinator (validated here first)")
        .argument("<spec>", "campaign spec (YAML)")
        .option("--wait", "wait until the campaign ends, printing progress; exit 1 unless it completed")
        .option("--poll-ms <ms>", "status poll interval with --wait", "2000"),
    ),
  );
  return cmd.action(async (specPath: string, opts: SubmitFlags) => {
    const yaml = readFileSync(specPath, "utf8");
    parseCampaignSpec(yaml, specPath); // SpecError -> exit 2 before any call
    await withClient(opts, async (c) => {
      const info = await c.submit(yaml);
      if (opts.json && !opts.wait) return printJson(info);
      if (!opts.json) process.stdout.write(`submitted campaign ${info.id} (${info.maxTrials} trials)\n`);
      if (!opts.wait) return;
      let last = "";
      let now: RemoteCampaignInfo = info;
      while (now.state === "running") {
        await new Promise((r) => setTimeout(r, Math.max(200, Number(opts.pollMs) || 2000)));
        now = await c.get(info.id);
        const line = campaignLine(now);
        if (line !== last && !opts.json) process.stdout.write(`${line}\n`);
        last = line;
      }
      if (opts.json) printJson(now);
      if (now.state !== "completed") process.exitCode = 1;
    });
  });
}
