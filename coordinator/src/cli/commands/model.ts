import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { NatsBlobStore, natsOptionsFrom } from "@prunesweep/proto";
import type { Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import { ResultsFileError } from "../../results/results-file.js";
import { findTrial, localModelDir, trialModelRefs } from "../../results/trial-model.js";
import { connectNats } from "../../transport/nats-connection.js";
import { startNatsServer } from "../local/nats-server.js";
import { addCoordinatorOptions, isPathLike, loadCampaign } from "./operator.js";
import { addNatsOptions, type NatsFlags } from "./shared.js";

interface ModelFlags extends OperatorFlags, NatsFlags {
  readonly out: string;
}

/**
 * `prunesweep model <campaign|out-dir> <trial> -o DIR`: one trial's pruned model (TF.js
 * Layers: model.json + shard) into DIR. From `<out>/models/<trial>/` when `run` wrote it
 * there, else from the blob store: `--nats URL`, or for an out dir the local run's own NATS
 * store (`<out>/nats`, started for the download).
 */
export function registerModelCommand(program: Command): Command {
  const cmd = addNatsOptions(
    addCoordinatorOptions(
      program
        .command("model")
        .description("download one trial's pruned model (TF.js Layers model.json + weights; load it with tf.loadLayersModel)")
        .argument("<campaign>", "campaign id (asks the coordinator) or out dir / results.json")
        .argument("<trial>", "trial number or id")
        .requiredOption("-o, --out <dir>", "folder to write model.json and its weights into"),
    ),
  );
  return cmd.action(async (target: string, key: string, opts: ModelFlags) => {
    const { results } = await loadCampaign(target, opts);
    const trial = findTrial(results, key);
    if (!trial) throw new ResultsFileError(`${target}: no trial "${key}" (trials are numbered 0 … ${results.trials.length - 1})`);
    const refs = trialModelRefs(trial);
    if (typeof refs === "string") throw new ResultsFileError(`trial ${trial.number}: ${refs}`);
    const out = resolve(opts.out);
    mkdirSync(out, { recursive: true });
    const outDir = isPathLike(target) ? (target.endsWith(".json") ? join(target, "..") : target) : undefined;
    const local = outDir ? localModelDir(outDir, trial) : undefined;
    if (local && !opts.nats) {
      for (const f of readdirSync(local)) copyFileSync(join(local, f), join(out, f));
    } else {
      const nats = opts.nats ? natsOptionsFrom(opts.nats, opts, process.env, "prunesweep-model") : undefined;
      if (!nats && !outDir) throw new ResultsFileError(`trial ${trial.number}: its model is in the blob store; pass --nats URL to reach it`);
      const server = nats ? undefined : await startNatsServer({ storeDir: join(outDir as string, "nats") });
      try {
        const nc = await connectNats(nats ?? { url: server?.url ?? "", name: "prunesweep-model" });
        try {
          await new NatsBlobStore(nc).download(refs, out);
        } finally {
          await nc.close();
        }
      } finally {
        await server?.stop();
      }
    }
    process.stdout.write(`trial ${trial.number}: ${join(out, refs[0]?.name ?? "model.json")} (load it with tf.loadLayersModel)\n`);
  });
}
