import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import type { RemoteCampaignInfo } from "../../results/results-file.js";
import { DEFAULT_NATS_REPLICAS, NatsBlobStore } from "@prunesweep/proto";
import { prepareSpec } from "../../spec/imported-model.js";
import { connectNats, jetStreamConfigError } from "../../transport/nats-connection.js";
import { addCoordinatorOptions, printJson, withClient } from "./operator.js";
import { addJson, addNatsOptions } from "./shared.js";
import { campaignLine } from "./status.js";

interface SubmitFlags extends OperatorFlags {
  readonly json?: boolean;
  readonly nats?: string;
  readonly natsUser?: string;
  readonly natsPass?: string;
  readonly natsToken?: string;
  readonly natsCreds?: string;
  readonly natsReplicas?: string;
  readonly wait?: boolean;
  readonly pollMs?: string;
}

/** `prunesweep submit spec.yaml`: validates locally (exit 2 naming the path), then submits over gRPC. */
export function registerSubmitCommand(program: Command): Command {
  const cmd = addJson(
    addNatsOptions(addCoordinatorOptions(
      program
        .command("submit")
        .description("submit a campaign spec to a running coordinator (validated here first)")
        .argument("<spec>", "campaign spec (YAML)")
        .option("--wait", "wait until the campaign ends, printing progress; exit 1 unless it completed")
        .option("--poll-ms <ms>", "status poll interval with --wait", "2000"),
    )),
  );
  return cmd.action(async (specPath: string, opts: SubmitFlags) => {
    // SpecError -> exit 2 before any call; an imported model is read and checked here.
    const checked = await prepareSpec(readFileSync(specPath, "utf8"), specPath);
    const yaml = checked.plan ? await uploadModel(specPath, checked.specYaml, opts) : checked.specYaml;
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

/**
 * The spec of an imported model, ready for the coordinator: with `--nats`, the model's files
 * uploaded to the blob store by content hash (workers fetch them from there); without it, the
 * spec names model.json by its absolute path, which every worker must then see (a shared disk).
 */
async function uploadModel(specPath: string, fallback: string, opts: SubmitFlags): Promise<string> {
  if (!opts.nats) {
    process.stderr.write("note: the model is not uploaded (no --nats): every worker must read it at the same absolute path\n");
    return fallback;
  }
  const nc = await connectNats({
    url: opts.nats,
    name: "prunesweep-submit",
    ...(opts.natsUser !== undefined && { user: opts.natsUser, pass: opts.natsPass ?? "" }),
    ...(opts.natsToken !== undefined && { token: opts.natsToken }),
    ...(opts.natsCreds !== undefined && { credsFile: opts.natsCreds }),
  });
  try {
    const store = new NatsBlobStore(nc, { replicas: Number(opts.natsReplicas ?? process.env["PRUNESWEEP_NATS_REPLICAS"] ?? DEFAULT_NATS_REPLICAS), toError: jetStreamConfigError });
    return (await prepareSpec(readFileSync(specPath, "utf8"), specPath, (files) => store.putFiles(files))).specYaml;
  } finally {
    await nc.close();
  }
}
