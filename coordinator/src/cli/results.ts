import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CampaignRunner } from "../campaign/campaign-runner.js";
import { summarizeFront } from "../campaign/front.js";
import type { TrialSnapshot } from "../domain/trial.js";

/** The shape of `results.json` (campaign-spec.md "Results"). */
export interface ResultsFile {
  readonly campaign: { readonly id: string; readonly name: string; readonly status: string; readonly createdAt: string; readonly finishedAt?: string };
  readonly spec: string;
  readonly objectives: readonly { readonly metric: string; readonly direction: string }[];
  readonly constraints: readonly string[];
  readonly trials: readonly {
    readonly id: string;
    readonly number: number;
    readonly state: string;
    readonly params: Readonly<Record<string, unknown>>;
    readonly metrics: Readonly<Record<string, number>>;
    readonly attempts: number;
    readonly error?: string;
    readonly details?: unknown;
    readonly timings: { readonly createdAt: number; readonly startedAt?: number; readonly finishedAt?: number; readonly wallMs?: number };
    readonly worker?: string;
    readonly backend?: string;
  }[];
  readonly pareto: readonly string[];
  readonly hypervolume: number;
  readonly hypervolumeReference: readonly number[];
  readonly counts: Readonly<Record<string, number>>;
}

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
    },
    spec: r.state.specYaml,
    objectives: r.spec.objectives.map((o) => ({ metric: o.metric, direction: o.direction })),
    constraints: r.spec.constraints.map((c) => c.source),
    trials: trials.map((t) => ({
      id: t.id,
      number: t.number,
      state: t.state,
      params: t.params,
      metrics: t.metrics,
      attempts: t.attempts,
      ...(t.error !== undefined && { error: t.error }),
      ...(t.details !== undefined && { details: t.details }),
      timings: {
        createdAt: t.createdAt,
        ...(t.startedAt !== undefined && { startedAt: t.startedAt }),
        ...(t.finishedAt !== undefined && { finishedAt: t.finishedAt }),
        ...(t.wallMs !== undefined && { wallMs: t.wallMs }),
      },
      ...(t.workerId !== undefined && { worker: t.workerId }),
      ...(t.backend !== undefined && { backend: t.backend }),
    })),
    pareto: front.front.map((t) => t.id),
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

function fmt(v: unknown): string {
  if (typeof v !== "number") return String(v ?? "");
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toExponential(3) : v.toFixed(4);
}

/** A plain-text table of the Pareto front (objectives first, then parameters). */
export function paretoTable(r: CampaignRunner): string {
  const { front, hypervolume } = summarizeFront(r.state.snapshots(), r.spec.objectives, r.spec.constraints);
  if (front.length === 0) return "Pareto front: empty (no completed feasible trial)\n";
  const paramKeys = [...new Set(front.flatMap((t) => Object.keys(t.params)))].sort();
  const header = ["trial", ...r.spec.objectives.map((o) => `${o.metric} (${o.direction === "maximize" ? "max" : "min"})`), ...paramKeys];
  const rows = front.map((t) => [t.id.slice(r.campaignId.length + 1), ...r.spec.objectives.map((o) => fmt(t.metrics[o.metric])), ...paramKeys.map((k) => fmt(t.params[k]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  return [
    `Pareto front (${front.length} of ${r.state.trialCount} trials, hypervolume ${hypervolume.toPrecision(6)}):`,
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
  ].join("\n");
}
