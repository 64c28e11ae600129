import type { Command } from "commander";
import type { OperatorFlags } from "../../config.js";
import { formatDuration } from "../../report/durations.js";
import { formatNumber, textTable } from "../../report/pareto-extract.js";
import { failuresText, groupFailures } from "../../results/failures.js";
import { objectivesOf, resultsSummary, type RemoteCampaignInfo, type ResultsFile } from "../../results/results-file.js";
import { addCoordinatorOptions, loadCampaign, printJson, withClient } from "./operator.js";
import { addJson } from "./shared.js";

/** One line per campaign: id, state, progress, front and hypervolume. */
export function campaignLine(c: RemoteCampaignInfo): string {
  const k = c.counts;
  const done = k.completed + k.stopped_early + k.failed + k.cancelled;
  return `${c.id}  ${c.state}  ${done}/${c.maxTrials} done (completed ${k.completed}, stopped ${k.stopped_early}, failed ${k.failed}, running ${k.running}, waiting ${k.waiting})  hypervolume ${c.hypervolume.toPrecision(6)}`;
}

function statusOf(r: ResultsFile): Record<string, unknown> {
  const { front, compute, counts } = resultsSummary(r);
  return {
    id: r.campaign.id,
    name: r.campaign.name,
    status: r.campaign.status,
    createdAt: r.campaign.createdAt || null,
    finishedAt: r.campaign.finishedAt ?? null,
    maxTrials: r.campaign.maxTrials ?? null,
    trials: r.trials.length,
    counts,
    objectives: objectivesOf(r),
    constraints: r.constraints,
    front: front.front.map((t) => t.id),
    knee: front.knee ?? null,
    hypervolume: front.hypervolume,
    computeMs: compute.totalMs,
    savedByEarlyStoppingMs: compute.savedMs,
  };
}

function statusText(r: ResultsFile, source: string): string {
  const { counts, front, compute, definition, trials } = resultsSummary(r);
  const knee = front.front.find((t) => t.id === front.knee);
  const failures = groupFailures(trials);
  return [
    `campaign ${r.campaign.id} (${r.campaign.name}) from ${source}: ${r.campaign.status}`,
    `trials: ${r.trials.length}${r.campaign.maxTrials ? ` of ${r.campaign.maxTrials}` : ""}; ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `objectives: ${objectivesOf(r)
      .map((o) => `${o.metric} (${o.direction})`)
      .join(", ")}${r.constraints.length ? `; constraints: ${r.constraints.join(", ")}` : ""}`,
    `Pareto front: ${front.front.length} trials, hypervolume ${front.hypervolume.toPrecision(6)}${knee ? `, knee trial ${knee.number} (${definition.objectives.map((o) => `${o.metric} ${formatNumber(knee.metrics[o.metric])}`).join(", ")})` : ""}`,
    ...(compute.totalMs > 0 ? [`compute: ${formatDuration(compute.totalMs)}${compute.stoppedTrials ? `; saved by early stopping about ${formatDuration(compute.savedMs)}` : ""}`] : []),
    ...(failures.length > 0 ? ["failed trials, by last error (prunesweep retry runs them again):", failuresText(failures)] : []),
    "",
  ].join("\n");
}

/** `prunesweep status [campaign|out-dir]`: one campaign in detail, or every campaign of the coordinator. */
export function registerStatusCommand(program: Command): Command {
  const cmd = addJson(
    addCoordinatorOptions(
      program
        .command("status")
        .description("show a campaign (from an out dir or a coordinator), or list the coordinator's campaigns")
        .argument("[campaign]", "campaign id (asks the coordinator) or out dir / results.json; omit to list every campaign"),
    ),
  );
  return cmd.action(async (target: string | undefined, opts: OperatorFlags & { json?: boolean }) => {
    if (target === undefined) {
      const list = await withClient(opts, (c) => c.list());
      if (opts.json) return printJson(list);
      if (list.length === 0) return void process.stdout.write("no campaigns\n");
      process.stdout.write(
        textTable(
          ["campaign", "state", "done", "completed", "stopped", "failed", "running", "hypervolume"],
          list.map((c) => {
            const k = c.counts;
            return [c.id, c.state, `${k.completed + k.stopped_early + k.failed + k.cancelled}/${c.maxTrials}`, String(k.completed), String(k.stopped_early), String(k.failed), String(k.running), c.hypervolume.toPrecision(6)];
          }),
        ) + "\n",
      );
      return;
    }
    const { results, source } = await loadCampaign(target, opts);
    if (opts.json) printJson(statusOf(results));
    else process.stdout.write(statusText(results, source));
  });
}
