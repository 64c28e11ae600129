import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import type { RemoteCampaignInfo } from "../../results/results-file.js";
import { NatsBlobStore, natsOptionsFrom, natsReplicasFrom } from "@prunesweep/proto";
import type { ListDatasetFiles } from "../../spec/dataset-upload.js";
import { prepareSpec, type PreparedSpec } from "../../spec/imported-model.js";
import type { WorkerCommand } from "../local/run-local.js";
import { connectNats, jetStreamConfigError } from "../../transport/nats-connection.js";
import { addCoordinatorOptions, printJson, withClient } from "./operator.js";
import { addJson, addNatsOptions, type NatsFlags } from "./shared.js";
import { campaignLine } from "./status.js";

interface SubmitFlags extends OperatorFlags, NatsFlags {
  readonly json?: boolean;
  readonly wait?: boolean;
  readonly pollMs?: string;
}

/** `prunesweep submit spec.yaml`: validates locally (exit 2 naming the path), then submits over gRPC. */
export function registerSubmitCommand(program: Command, workerCommand: WorkerCommand): Command {
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
    const { task } = checked.spec;
    const withFiles = checked.plan !== undefined || task.test !== undefined || !["builtin", "synthetic"].includes(task.dataset.kind);
    const yaml = withFiles ? await uploadFiles(specPath, checked, opts, workerCommand.datasetFiles) : checked.specYaml;
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
 * The spec ready for the coordinator: with `--nats`, the imported model's and the dataset's
 * files uploaded to the blob store by content hash (workers fetch them from there); without
 * it, the spec names them by path, which every worker must then see (a shared disk).
 */
async function uploadFiles(specPath: string, checked: PreparedSpec, opts: SubmitFlags, listData: ListDatasetFiles | undefined): Promise<string> {
  if (!opts.nats) {
    process.stderr.write("note: the model and dataset files are not uploaded (no --nats): every worker must read them at the same paths\n");
    return checked.specYaml;
  }
  const nc = await connectNats(natsOptionsFrom(opts.nats, opts, process.env, "prunesweep-submit"));
  try {
    const store = new NatsBlobStore(nc, { replicas: natsReplicasFrom(opts, process.env), toError: jetStreamConfigError });
    const ready = await prepareSpec(readFileSync(specPath, "utf8"), specPath, (files) => store.putFiles(files), listData);
    if (ready.dataNote) process.stderr.write(`note: ${ready.dataNote}\n`);
    return ready.specYaml;
  } finally {
    await nc.close();
  }
}
