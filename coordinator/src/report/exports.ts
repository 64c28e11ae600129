/** `prunesweep export`: the campaign as CSV, JSON or an Optuna journal. */
import { csvCell } from "./pareto-extract.js";
import type { ResultsFile } from "../results/results-file.js";
import { toOptunaJournal } from "./optuna-journal.js";

/** Formats `prunesweep export` writes. */
export const EXPORT_FORMATS = ["csv", "json", "optuna-journal"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * One row per trial: id, number, state, attempts, wall_ms, every parameter (`param.<name>`),
 * every metric, error. Full precision (the out dir's trials.csv rounds for reading).
 */
export function trialsToCsv(r: ResultsFile): string {
  const paramKeys = [...new Set(r.trials.flatMap((t) => Object.keys(t.params)))].sort();
  const metricKeys = [...new Set(r.trials.flatMap((t) => Object.keys(t.metrics)))].sort();
  const header = ["id", "number", "state", "attempts", "wall_ms", ...paramKeys.map((k) => `param.${k}`), ...metricKeys, "error"];
  const rows = r.trials.map((t) => [
    t.id,
    t.number,
    t.state,
    t.attempts,
    t.timings.wallMs,
    ...paramKeys.map((k) => t.params[k]),
    ...metricKeys.map((k) => t.metrics[k]),
    t.error,
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\n") + "\n";
}

/** The export of `r` in `format`, as text. */
export function exportCampaign(r: ResultsFile, format: ExportFormat): string {
  switch (format) {
    case "csv":
      return trialsToCsv(r);
    case "json":
      return JSON.stringify(r, null, 2) + "\n";
    case "optuna-journal":
      return toOptunaJournal(r);
  }
}
