import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CampaignRunner } from "../campaign/campaign-runner.js";
import { summarizeFront } from "../campaign/front.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { trialFromSnapshot, type ResultsFile } from "../report/campaign-data.js";
import { extractPareto, paretoText } from "../report/pareto-extract.js";

export type { ResultsFile } from "../report/campaign-data.js";

/** The results file of a live campaign (trials with their progress). */
export function buildResults(r: CampaignRunner): ResultsFile {
  const trials = r.state.snapshots();
  const front = summarizeFront(trials, r.spec.objectives, r.spec.constraints);
  return {
    campaign: {
      id: r.campaignId,
      name: r.spec.name,
      status: r.state.status,
      createdAt: new Date(r.state.createdAt).toISOString(),
      ...(r.state.finishedAt !== undefined && { finishedAt: new Date(r.state.finishedAt).toISOString() }),
      maxTrials: r.spec.budget.maxTrials,
    },
    spec: r.state.specYaml,
    objectives: r.spec.objectives.map((o) => ({ metric: o.metric, direction: o.direction })),
    constraints: r.spec.constraints.map((c) => c.source),
    trials: trials.map((t) => trialFromSnapshot(t)),
    pareto: front.front.map((t) => t.id),
    ...(front.knee !== undefined && { knee: front.knee }),
    hypervolume: front.hypervolume,
    hypervolumeReference: front.reference,
    counts: r.state.counts(),
  };
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return "";
  const s = typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One row per trial: id, number, state, attempts, every parameter, every metric. */
export function trialsCsv(trials: readonly TrialSnapshot[]): string {
  const paramKeys = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  const metricKeys = [...new Set(trials.flatMap((t) => Object.keys(t.metrics)))].sort();
  const header = ["id", "number", "state", "attempts", ...paramKeys.map((k) => `param.${k}`), ...metricKeys, "error"];
  const rows = trials.map((t) => [
    t.id,
    t.number,
    t.state,
    t.attempts,
    ...paramKeys.map((k) => t.params[k]),
    ...metricKeys.map((k) => t.metrics[k]),
    t.error,
  ]);
  return [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\n") + "\n";
}

/** Writes results.json, trials.csv and pareto.csv into `outDir`. Returns the paths written. */
export function writeResults(r: CampaignRunner, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const results = buildResults(r);
  const files = [join(outDir, "results.json"), join(outDir, "trials.csv"), join(outDir, "pareto.csv")];
  writeFileSync(files[0] as string, JSON.stringify(results, null, 2) + "\n");
  const snaps = r.state.snapshots();
  writeFileSync(files[1] as string, trialsCsv(snaps));
  const onFront = new Set(results.pareto);
  writeFileSync(files[2] as string, trialsCsv(results.pareto.map((id) => snaps.find((t) => t.id === id)).filter((t): t is TrialSnapshot => t !== undefined && onFront.has(t.id))));
  return files;
}

/** A plain-text table of the Pareto front over the campaign's objectives, knee marked, hypervolume below. */
export function paretoTable(r: CampaignRunner): string {
  return paretoText(extractPareto(buildResults(r)));
}
