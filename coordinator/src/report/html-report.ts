/**
 * The campaign report: one self-contained HTML file (inline CSS and SVG, no scripts, no
 * network) plus every plot as its own `.svg` file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCampaignSpec } from "../spec/index.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { resultsSummary, type ResultsFile } from "../results/results-file.js";
import { trialMethod } from "../results/trial-method.js";
import { MODELS_DIR, trialModelRefs } from "../results/trial-model.js";
import { formatDuration } from "./durations.js";
import { formatNumber } from "./pareto-extract.js";
import {
  exitCurveData,
  exitCurveSpec,
  hypervolumeSpec,
  parallelData,
  parallelSpec,
  paretoPlotData,
  paretoPlotSpec,
  renderSvg,
} from "./plots.js";

/** One rendered plot. */
interface RenderedPlot {
  /** File name, e.g. `pareto-nonzero_params.svg`. */
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

/** The report before it is written. */
export interface CampaignReport {
  readonly html: string;
  readonly plots: readonly RenderedPlot[];
}

const esc = (s: unknown): string =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

/** Prefixes every id (and its `url(#…)`/`href="#…"` references) so that inlined SVGs cannot collide. */
export function namespaceSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

/** Renders every plot the campaign has data for. Plots without data are left out. */
async function renderPlots(r: ResultsFile): Promise<RenderedPlot[]> {
  const plots: RenderedPlot[] = [];
  const summary = resultsSummary(r);
  for (const t of summary.tradeoffs) {
    const pts = paretoPlotData(r, t);
    if (pts.length > 0) plots.push({ file: `pareto-${t.x}.svg`, title: `${t.y} vs ${t.x}`, svg: await renderSvg(paretoPlotSpec(pts, t.x, t.y)) });
  }
  const hv = summary.hypervolumeHistory;
  const objs = summary.definition.objectives
    .map((o) => `${o.metric} (${o.direction === "maximize" ? "max" : "min"})`)
    .join(", ");
  if (hv.length > 0) {
    plots.push({ file: "hypervolume-trials.svg", title: "hypervolume over trials", svg: await renderSvg(hypervolumeSpec(hv, "n", objs)) });
    if (hv.every((p) => p.minutes !== undefined)) {
      plots.push({ file: "hypervolume-time.svg", title: "hypervolume over wall time", svg: await renderSvg(hypervolumeSpec(hv, "minutes", objs)) });
    }
  }
  const pc = parallelData(r);
  if (pc) plots.push({ file: "parallel-coordinates.svg", title: "parameters", svg: await renderSvg(parallelSpec(pc)) });
  const ee = exitCurveData(r);
  if (ee.length > 0) plots.push({ file: "early-exit.svg", title: "early exits", svg: await renderSvg(exitCurveSpec(ee)) });
  return plots;
}

const STYLE = `
body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:18px 32px}header h1{margin:0 0 4px;font-size:24px}header p{margin:0;opacity:.85}
nav{background:#fff;border-bottom:1px solid #ddd;padding:8px 32px;position:sticky;top:0}nav a{margin-right:16px;color:#1f3b57;text-decoration:none;font-weight:bold}
main{padding:8px 32px 40px}section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:16px 20px;margin:16px 0}
h2{margin:0 0 12px;font-size:19px;color:#1f3b57}h3{font-size:15px;margin:16px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #e3e3e3;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:20px;margin-top:2px}.card span{color:#666;font-size:12px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border-bottom:1px solid #eee;padding:4px 10px;text-align:right}th{background:#f3f5f7}
td.l,th.l{text-align:left}tr.knee td{background:#fff3e0;font-weight:bold}tr.front td:first-child{border-left:3px solid #4c78a8}
.plots{display:flex;flex-wrap:wrap;gap:16px}.plot{border:1px solid #eee;padding:6px}.note{color:#666;font-style:italic}
pre{background:#f5f5f5;padding:10px;overflow:auto;font-size:12px}.state-failed{color:#c62828}.state-stopped_early{color:#8d6e00}.state-cancelled{color:#777}
`;

function table(header: readonly string[] | undefined, rows: readonly (readonly string[])[], leftCols = 1, rowClass?: (i: number) => string): string {
  const th = (header ?? []).map((h, i) => `<th${i < leftCols ? ' class="l"' : ""}>${esc(h)}</th>`).join("");
  const trs = rows
    .map((r, ri) => `<tr${rowClass ? ` class="${rowClass(ri)}"` : ""}>${r.map((c, i) => `<td${i < leftCols ? ' class="l"' : ""}>${c}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table>${header ? `<thead><tr>${th}</tr></thead>` : ""}<tbody>\n${trs}\n</tbody></table>`;
}

const num = (v: unknown): string => esc(formatNumber(v));

/** `name` plus options of a strategy (sampler, early stopper), from the parsed spec when it parses. */
function strategies(yaml: string): { sampler: string; earlyStopping: string } {
  const show = (c: { name: string } & Record<string, unknown>): string => {
    const opts = Object.entries(c).filter(([k]) => k !== "name");
    return opts.length ? `${c.name} (${opts.map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(", ")})` : c.name;
  };
  try {
    const spec = parseCampaignSpec(yaml, "spec");
    return { sampler: show(spec.sampler), earlyStopping: show(spec.earlyStopping) };
  } catch {
    return { sampler: "?", earlyStopping: "?" };
  }
}

function summarySection(r: ResultsFile): string {
  const summary = resultsSummary(r);
  const { counts, compute, front } = summary;
  const be = summary.backends;
  const strat = strategies(r.spec);
  const knee = front.front.find((t) => t.id === front.knee);
  const started = Date.parse(r.campaign.createdAt);
  const ended = r.campaign.finishedAt ? Date.parse(r.campaign.finishedAt) : Number.NaN;
  const saved =
    compute.stoppedTrials === 0
      ? "0 (no trial was stopped early)"
      : `${formatDuration(compute.savedMs)} (${compute.stoppedTrials} stopped trials ran ${formatDuration(compute.stoppedMs)} instead of about ${formatDuration(compute.stoppedIfCompletedMs)})`;
  const cards = [
    ["status", esc(r.campaign.status)],
    ["trials", `${r.trials.length}${r.campaign.maxTrials ? ` / ${r.campaign.maxTrials}` : ""}`],
    ["Pareto front", `${front.front.length} trials`],
    ["hypervolume", esc(front.hypervolume.toPrecision(5))],
    ["knee", knee ? `trial ${knee.number}` : "-"],
    ["compute", compute.totalMs > 0 ? esc(formatDuration(compute.totalMs)) : "-"],
    ["wall time", Number.isFinite(ended - started) ? esc(formatDuration(ended - started)) : "-"],
  ]
    .map(([k, v]) => `<div class="card"><span>${k}</span><b>${v}</b></div>`)
    .join("");
  const stateRows = Object.entries(counts).map(([s, n]) => [`<span class="state-${s}">${esc(s)}</span>`, String(n)]);
  const info = [
    ["campaign", esc(r.campaign.id)],
    ["created", esc(r.campaign.createdAt || "-")],
    ["finished", esc(r.campaign.finishedAt ?? "-")],
    ["objectives", esc(r.objectives.map((o) => `${o.metric} (${o.direction})`).join(", "))],
    ["constraints", esc(r.constraints.join(", ") || "none")],
    ["sampler", esc(strat.sampler)],
    ["early stopping", esc(strat.earlyStopping)],
    ["engine", esc(Object.entries(be).map(([b, n]) => `${b} (${n} trials)`).join(", ") || "unknown")],
    ["total compute", esc(compute.totalMs > 0 ? `${formatDuration(compute.totalMs)} of worker wall time` : "unknown")],
    ["saved by early stopping", esc(saved)],
  ];
  return `<section id="summary"><h2>Campaign summary</h2><div class="cards">${cards}</div>
<div class="plots"><div>${table(undefined, info)}</div><div><h3>Trials by state</h3>${table(["state", "trials"], stateRows)}</div></div>
<details><summary>Campaign spec</summary><pre>${esc(r.spec)}</pre></details></section>`;
}

function frontTable(r: ResultsFile): string {
  const summary = resultsSummary(r);
  const { front, knee, hypervolume } = summary.front;
  const objectives = summary.definition.objectives;
  if (front.length === 0) return `<p class="note">The front is empty: no completed trial satisfies the constraints.</p>`;
  const keys = [...new Set(front.flatMap((t) => Object.keys(t.params)))].sort();
  // Models back: the pruned model `run` wrote next to this report (<out>/models/<trial>/).
  const models = front.map((t) => {
    const trial = r.trials.find((x) => x.id === t.id);
    return trial && Array.isArray(trialModelRefs(trial)) ? `<a href="${MODELS_DIR}/${t.number}/model.json">${MODELS_DIR}/${t.number}/</a>` : "";
  });
  const withModels = models.some((m) => m !== "");
  const header = ["trial", "method", ...objectives.map((o) => `${o.metric} (${o.direction === "maximize" ? "max" : "min"})`), ...keys, ...(withModels ? ["model (TF.js)"] : [])];
  const rows = front.map((t, i) => [
    `${t.number}${t.id === knee ? " (knee)" : ""}`,
    esc(trialMethod(t)),
    ...objectives.map((o) => num(t.metrics[o.metric])),
    ...keys.map((k) => num(t.params[k])),
    ...(withModels ? [models[i] ?? ""] : []),
  ]);
  return `<h3>Front over the campaign's objectives (hypervolume ${esc(hypervolume.toPrecision(6))})</h3>${table(header, rows, 2, (i) => (front[i]?.id === knee ? "knee" : "front"))}`;
}

function methodsSection(r: ResultsFile): string {
  const ms = resultsSummary(r).methods;
  const cost = ms.find((m) => m.costMetric)?.costMetric;
  const trialCell = (t: TrialSnapshot | undefined, metric: string | undefined): string =>
    t && metric ? `${num(t.metrics[metric])} <span class="note">(trial ${t.number})</span>` : "-";
  const rows = ms.map((m) => [
    esc(m.method),
    String(m.trials),
    String(m.completed),
    String(m.feasible),
    String(m.onFront),
    trialCell(m.bestAccuracy, "accuracy"),
    m.bestAccuracy && cost ? num(m.bestAccuracy.metrics[cost]) : "-",
    trialCell(m.cheapest, cost),
    m.cheapest ? num(m.cheapest.metrics["accuracy"]) : "-",
  ]);
  const c = cost ?? "cost";
  return `<section id="methods"><h2>Best trials per method</h2>${table(
    ["method", "trials", "completed", "feasible", "on front", "best accuracy", `its ${c}`, `lowest ${c}`, "its accuracy"],
    rows,
  )}</section>`;
}

function trialsSection(r: ResultsFile): string {
  const front = new Set(r.pareto);
  const summary = resultsSummary(r);
  const objs = summary.definition.objectives.map((o) => o.metric);
  const extra = summary.costMetrics.filter((m) => !objs.includes(m));
  const metrics = [...objs, ...extra];
  const keys = [...new Set(r.trials.flatMap((t) => Object.keys(t.params)))].sort();
  const rows = r.trials.map((t) => [
    String(t.number),
    `<span class="state-${t.state}">${esc(t.state)}</span>${front.has(t.id) ? " ★" : ""}`,
    esc(trialMethod(t)),
    ...metrics.map((m) => num(t.metrics[m])),
    ...keys.map((k) => num(t.params[k])),
    String(t.attempts),
    t.timings.wallMs !== undefined ? esc((t.timings.wallMs / 1000).toFixed(1)) : "",
    esc(t.error ?? ""),
  ]);
  return `<section id="trials"><h2>All trials</h2><p class="note">★ = on the Pareto front of the campaign's objectives.</p>${table(
    ["trial", "state", "method", ...metrics, ...keys, "attempts", "wall s", "error"],
    rows,
    3,
  )}</section>`;
}

function plotBlock(p: RenderedPlot | undefined, i: number): string {
  return p ? `<div class="plot">${namespaceSvgIds(p.svg, `p${i}`)}<div class="note">${esc(p.file)}</div></div>` : "";
}

/** Builds the HTML report and its plots. */
export async function buildReport(r: ResultsFile, generatedAt = new Date()): Promise<CampaignReport> {
  const plots = await renderPlots(r);
  const idx = (pred: (p: RenderedPlot) => boolean): string =>
    plots
      .map((p, i) => [p, i] as const)
      .filter(([p]) => pred(p))
      .map(([p, i]) => plotBlock(p, i))
      .join("\n");
  const paretoPlots = idx((p) => p.file.startsWith("pareto-"));
  const hvPlots = idx((p) => p.file.startsWith("hypervolume-"));
  const pcPlot = idx((p) => p.file === "parallel-coordinates.svg");
  const eePlot = idx((p) => p.file === "early-exit.svg");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>prunesweep report: ${esc(r.campaign.name)}</title><style>${STYLE}</style></head>
<body>
<header><h1>${esc(r.campaign.name)}: accuracy vs cost</h1><p>prunesweep campaign ${esc(r.campaign.id)} · ${esc(r.campaign.status)} · ${r.trials.length} trials</p></header>
<nav><a href="#summary">Summary</a><a href="#pareto">Pareto front</a><a href="#hypervolume">Hypervolume</a><a href="#parameters">Parameters</a><a href="#methods">Methods</a><a href="#early-exit">Early exits</a><a href="#trials">Trials</a></nav>
<main>
${summarySection(r)}
<section id="pareto"><h2>Pareto front</h2><p class="note">Front points are coloured by pruning method and joined by the attainment staircase; dominated trials are grey, infeasible ones (violating a constraint) red crosses; the knee is ringed.</p>
<div class="plots">${paretoPlots || '<p class="note">No completed trial reports accuracy and a cost metric.</p>'}</div>
${frontTable(r)}</section>
<section id="hypervolume"><h2>Hypervolume</h2><div class="plots">${hvPlots || '<p class="note">No completed feasible trial yet.</p>'}</div></section>
<section id="parameters"><h2>Parameters</h2><div class="plots">${pcPlot || '<p class="note">No completed trial reports accuracy.</p>'}</div></section>
${methodsSection(r)}
<section id="early-exit"><h2>Early exits</h2>${eePlot ? `<div class="plots">${eePlot}</div>` : '<p class="note">No early-exit trial on the front reports an exit-threshold curve (details.exitCurve).</p>'}</section>
${trialsSection(r)}
</main>
<footer style="padding:0 32px 24px;color:#888;font-size:12px">Generated by prunesweep on ${esc(generatedAt.toISOString())}. Plots are also in plots/*.svg next to this file.</footer>
</body></html>
`;
  return { html, plots };
}

/**
 * Writes `report.html` and `plots/*.svg` into `outDir`.
 * @returns the paths written, report.html first.
 */
export async function writeReport(r: ResultsFile, outDir: string): Promise<string[]> {
  const report = await buildReport(r);
  mkdirSync(join(outDir, "plots"), { recursive: true });
  const htmlPath = join(outDir, "report.html");
  writeFileSync(htmlPath, report.html);
  const files = [htmlPath];
  for (const p of report.plots) {
    const f = join(outDir, "plots", p.file);
    writeFileSync(f, p.svg);
    files.push(f);
  }
  return files;
}
