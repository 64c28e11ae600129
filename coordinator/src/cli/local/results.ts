import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TrialSnapshot } from "../../domain/trial.js";
import { resultsSummary, type ResultsFile } from "../../results/results-file.js";

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return "";
  const s = typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One row per trial: id, number, state, attempts, every parameter, every metric (6 significant digits). */
function trialsCsv(trials: readonly TrialSnapshot[]): string {
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
export function writeResults(results: ResultsFile, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const summary = resultsSummary(results);
  const files = [join(outDir, "results.json"), join(outDir, "trials.csv"), join(outDir, "pareto.csv")];
  writeFileSync(files[0] as string, JSON.stringify(results, null, 2) + "\n");
  writeFileSync(files[1] as string, trialsCsv(summary.trials));
  writeFileSync(files[2] as string, trialsCsv(summary.front.front));
  return files;
}
