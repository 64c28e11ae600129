/**
 * `prunesweep pareto`: the Pareto front over any two or more reported metrics, with a
 * direction per metric, feasible completed trials only, sorted best first by the first
 * metric, with its knee and hypervolume.
 */
import type { MetricConstraint } from "../domain/campaign-spec.js";
import type { Direction, ObjectiveSpec } from "../domain/objectives.js";
import { summarizeFront } from "../results/front.js";
import { ResultsFileError, parseConstraints, resultsSummary, type ResultsFile, type ResultsTrial } from "../results/results-file.js";

/** Metrics that are better when larger, unless the campaign says otherwise. */
const MAXIMIZED = /(accuracy|(^|_)(acc|top1|top5|f1|auc|precision|recall|score|sparsity|compression|speedup|throughput)($|_))/;
/** Metrics that are costs (better when smaller), unless the campaign says otherwise. */
const MINIMIZED = /(macs|flops|params|latency|(^|_)(ms|s|loss|error|size|bytes|energy|time|memory)($|_))/;

/**
 * The default direction of a metric: the campaign's own objective direction when the metric
 * is an objective; else accuracy-like names (`accuracy`, `val_accuracy`, `top1`, `f1`,
 * `sparsity`, ...) maximise and cost-like names (`*macs`, `*params`, `latency_*`, `wall_ms_*`,
 * `loss`, ...) minimise. Undefined when the name says neither.
 */
export function defaultDirection(metric: string, campaignObjectives: readonly ObjectiveSpec[] = []): Direction | undefined {
  const own = campaignObjectives.find((o) => o.metric === metric);
  if (own) return own.direction;
  const m = metric.toLowerCase();
  if (MAXIMIZED.test(m)) return "maximize";
  if (MINIMIZED.test(m)) return "minimize";
  return undefined;
}

const DIRECTION_WORDS: Readonly<Record<string, Direction>> = {
  max: "maximize",
  maximize: "maximize",
  maximise: "maximize",
  min: "minimize",
  minimize: "minimize",
  minimise: "minimize",
};

/**
 * Parses `accuracy:max,expected_macs:min` (directions optional: see {@link defaultDirection}).
 * @throws ResultsFileError for an unknown direction word, a repeated metric, fewer than two
 * metrics, or a metric whose direction cannot be guessed.
 */
export function parseObjectiveList(text: string, campaignObjectives: readonly ObjectiveSpec[] = []): ObjectiveSpec[] {
  const out: ObjectiveSpec[] = [];
  for (const raw of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [metric = "", word] = raw.split(":").map((s) => s.trim());
    if (!metric) throw new ResultsFileError(`--objectives: empty metric name in "${text}"`);
    let direction: Direction | undefined;
    if (word !== undefined) {
      direction = DIRECTION_WORDS[word.toLowerCase()];
      if (!direction) throw new ResultsFileError(`--objectives: direction of ${metric} must be max or min, got "${word}"`);
    } else {
      direction = defaultDirection(metric, campaignObjectives);
      if (!direction) throw new ResultsFileError(`--objectives: cannot tell whether ${metric} is to be maximised or minimised; write ${metric}:max or ${metric}:min`);
    }
    if (out.some((o) => o.metric === metric)) throw new ResultsFileError(`--objectives: ${metric} is listed twice`);
    out.push({ metric, direction });
  }
  if (out.length < 2) throw new ResultsFileError(`--objectives: give at least two metrics, got "${text}"`);
  return out;
}

/** One row of an extracted front. */
interface ParetoRow {
  readonly rank: number;
  readonly trial: ResultsTrial;
  readonly knee: boolean;
}

/** The result of {@link extractPareto}. */
export interface ParetoExtraction {
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints: readonly MetricConstraint[];
  /** Front trials, best first by the first objective. */
  readonly rows: readonly ParetoRow[];
  readonly hypervolume: number;
  /** Reference point in the metrics' own units (not negated). */
  readonly reference: readonly number[];
  readonly kneeId: string | undefined;
  /** Completed feasible trials with a finite value for every objective. */
  readonly candidates: number;
  readonly totalTrials: number;
}

/**
 * The front of `results` over `objectives` (default: the campaign's), among completed trials
 * that satisfy the campaign's constraints plus `extraConstraints`. Without other objectives
 * or constraints this is the campaign summary's own front.
 */
export function extractPareto(results: ResultsFile, objectives?: readonly ObjectiveSpec[], extraConstraints: readonly string[] = []): ParetoExtraction {
  const summary = resultsSummary(results);
  const objs = objectives ?? summary.definition.objectives;
  const constraints = extraConstraints.length > 0 ? parseConstraints([...results.constraints, ...extraConstraints]) : summary.definition.constraints;
  const f = objectives === undefined && extraConstraints.length === 0 ? summary.front : summarizeFront(summary.trials, objs, constraints);
  const byId = new Map(results.trials.map((t) => [t.id, t]));
  return {
    objectives: objs,
    constraints,
    rows: f.front.map((t, i) => ({ rank: i + 1, trial: byId.get(t.id) as ResultsTrial, knee: t.id === f.knee })),
    hypervolume: f.hypervolume,
    reference: f.reference.map((v, i) => (objs[i]?.direction === "maximize" ? -v : v)),
    kneeId: f.knee,
    candidates: f.candidates,
    totalTrials: results.trials.length,
  };
}

/** Formats a number for tables: integers as is, large values in exponent form, else 4 decimals. */
export function formatNumber(v: unknown): string {
  if (typeof v !== "number") return v === undefined || v === null ? "" : String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toExponential(3) : v.toFixed(4);
}

/** Aligns rows of cells into a plain-text table with a dashed rule under the header. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function paramKeys(rows: readonly ParetoRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.trial.params)))].sort();
}

const short = (d: Direction): string => (d === "maximize" ? "max" : "min");

/** The front as a plain-text table; the knee is marked `*`; hypervolume and reference below. */
export function paretoText(x: ParetoExtraction): string {
  const objs = x.objectives.map((o) => `${o.metric}:${short(o.direction)}`).join(", ");
  const cons = x.constraints.length > 0 ? `; constraints ${x.constraints.map((c) => c.source).join(", ")}` : "";
  if (x.rows.length === 0) return `Pareto front over ${objs}${cons}: empty (no completed feasible trial reports all of these metrics)\n`;
  const keys = paramKeys(x.rows);
  const header = ["#", "trial", "knee", ...x.objectives.map((o) => `${o.metric} (${short(o.direction)})`), ...keys];
  const rows = x.rows.map((r) => [
    String(r.rank),
    String(r.trial.number),
    r.knee ? "*" : "",
    ...x.objectives.map((o) => formatNumber(r.trial.metrics[o.metric])),
    ...keys.map((k) => formatNumber(r.trial.params[k])),
  ]);
  return [
    `Pareto front over ${objs}${cons}: ${x.rows.length} of ${x.candidates} feasible completed trials (${x.totalTrials} in all)`,
    textTable(header, rows),
    `hypervolume ${x.hypervolume.toPrecision(6)} (reference ${x.reference.map(formatNumber).join(", ")}); knee = trial ${x.rows.find((r) => r.knee)?.trial.number ?? "-"}`,
    "",
  ].join("\n");
}

/** CSV cell quoting (RFC 4180). */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return "";
  const s = typeof v === "number" ? String(v) : typeof v === "string" ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The front as CSV: rank, trial, id, knee, the objective metrics, then every parameter. */
export function paretoCsv(x: ParetoExtraction): string {
  const keys = paramKeys(x.rows);
  const header = ["rank", "trial", "id", "knee", ...x.objectives.map((o) => o.metric), ...keys.map((k) => `param.${k}`)];
  const rows = x.rows.map((r) => [r.rank, r.trial.number, r.trial.id, r.knee, ...x.objectives.map((o) => r.trial.metrics[o.metric]), ...keys.map((k) => r.trial.params[k])]);
  return [header, ...rows].map((row) => row.map(csvCell).join(",")).join("\n") + "\n";
}

/** The front as a JSON-ready object. */
export function paretoJson(x: ParetoExtraction): unknown {
  return {
    objectives: x.objectives,
    constraints: x.constraints.map((c) => c.source),
    hypervolume: x.hypervolume,
    reference: x.reference,
    knee: x.kneeId ?? null,
    candidates: x.candidates,
    totalTrials: x.totalTrials,
    front: x.rows.map((r) => ({
      rank: r.rank,
      id: r.trial.id,
      number: r.trial.number,
      knee: r.knee,
      metrics: r.trial.metrics,
      params: r.trial.params,
    })),
  };
}
