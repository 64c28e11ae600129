/** The dashboard's panels other than the Pareto plot: campaign list, summary, hypervolume, trial table, trial detail. */
import type { TrialJson } from "../api-types.js";
import { esc, fmt } from "./format.js";
import { lineChart } from "./svg.js";
import { $, S, hasMetric, methods, tradeoffs, trialList } from "./state.js";

const TRIAL_STATES = ["waiting", "running", "completed", "stopped_early", "failed", "cancelled"];

const finishedCount = (k: Readonly<Record<string, number>>): number =>
  (k["completed"] ?? 0) + (k["stopped_early"] ?? 0) + (k["failed"] ?? 0) + (k["cancelled"] ?? 0);

export function renderCampaigns(): void {
  let h = "";
  if (S.campaigns.length === 0) h = '<div class="muted">No campaign yet. Submit one with <code>prunesweep submit spec.yaml</code>.</div>';
  for (const c of S.campaigns) {
    const done = finishedCount(c.counts);
    h +=
      `<div class="c${c.id === S.sel ? " sel" : ""}" data-id="${esc(c.id)}"><div class="n">${esc(c.name)} <span class="badge st-${esc(c.status)}">${esc(c.status)}</span></div>` +
      `<div class="s">${esc(c.id)}<br>${done} / ${c.maxTrials} trials · front ${c.front.length}</div><div class="bar"><i style="width:${Math.min(100, (100 * done) / Math.max(1, c.maxTrials))}%"></i></div></div>`;
  }
  $("campaigns").innerHTML = h;
}

export function renderSummary(): void {
  const c = S.campaign;
  if (!c) {
    $("summary").innerHTML = '<div class="muted">Select a campaign.</div>';
    return;
  }
  const k = c.counts;
  const kneeTrial = c.knee !== undefined ? S.trials[c.knee] : undefined;
  const cards: [string, string | number][] = [
    ["status", `<span class="badge st-${esc(c.status)}">${esc(c.status)}</span>`],
    ["trials", `${finishedCount(k)} / ${c.maxTrials}`],
    ["running", k["running"] ?? 0],
    ["waiting", k["waiting"] ?? 0],
    ["completed", k["completed"] ?? 0],
    ["stopped early", k["stopped_early"] ?? 0],
    ["failed", k["failed"] ?? 0],
    ["front", c.front.length],
    ["hypervolume", (+c.hypervolume).toPrecision(5)],
    ["knee", kneeTrial ? `trial ${kneeTrial.number}` : "-"],
  ];
  let h = `<h2>${esc(c.name)} <span class="muted">${esc(c.id)}</span></h2>`;
  h +=
    `<div class="muted">objectives: ${c.objectives.map((o) => `${esc(o.metric)} (${o.direction === "maximize" ? "max" : "min"})`).join(", ")}` +
    `${c.constraints.length ? ` · constraints: ${esc(c.constraints.join(", "))}` : ""} · sampler ${esc(c.sampler)} · early stopping ${esc(c.earlyStopping)}` +
    ` · <a href="/api/campaigns/${encodeURIComponent(c.id)}/report" target="_blank">HTML report</a></div><div class="cards" style="margin-top:8px">`;
  for (const [label, value] of cards) h += `<div class="card"><span>${label}</span><b>${value}</b></div>`;
  $("summary").innerHTML = `${h}</div>`;
}

export function renderHv(): void {
  const h = S.campaign?.hypervolumeHistory ?? [];
  $("hv").innerHTML = lineChart(
    h.map((p) => [p.n, p.hypervolume] as const),
    "finished trials",
    "hypervolume",
    420,
    220,
    "#4c78a8",
  );
}

interface Column {
  /** `number`, `state`, ..., `m:<metric>` or `p:<param>`. */
  readonly k: string;
  readonly t: string;
  /** Left-aligned. */
  readonly l?: boolean;
}

function columns(): Column[] {
  const metrics = (S.campaign?.objectives ?? []).map((o) => o.metric);
  for (const t of tradeoffs()) if (!metrics.includes(t.x)) metrics.push(t.x);
  if (!metrics.includes("accuracy") && hasMetric("accuracy")) metrics.unshift("accuracy");
  const params = new Set<string>();
  for (const t of trialList()) for (const k of Object.keys(t.params)) params.add(k);
  return [
    { k: "number", t: "#", l: true },
    { k: "state", t: "state", l: true },
    { k: "method", t: "method", l: true },
    ...metrics.map((mm) => ({ k: `m:${mm}`, t: mm })),
    ...[...params].sort().map((p) => ({ k: `p:${p}`, t: p })),
    { k: "step", t: "step" },
    { k: "attempts", t: "attempts" },
    { k: "wallMs", t: "wall s" },
    { k: "worker", t: "worker", l: true },
  ];
}

function cell(t: TrialJson, k: string): unknown {
  if (k.startsWith("m:")) return t.metrics[k.slice(2)];
  if (k.startsWith("p:")) return t.params[k.slice(2)];
  if (k === "wallMs") return t.wallMs === undefined ? null : t.wallMs / 1000;
  return (t as unknown as Record<string, unknown>)[k];
}

function renderFilters(): void {
  $("statef").innerHTML = ["", ...TRIAL_STATES].map((s) => `<option value="${s}"${s === S.stateF ? " selected" : ""}>${s || "all states"}</option>`).join("");
  $("methodf").innerHTML = ["", ...methods()].map((s) => `<option value="${esc(s)}"${s === S.methodF ? " selected" : ""}>${esc(s) || "all methods"}</option>`).join("");
}

function compare(x: unknown, y: unknown): number {
  const a = x as number | string;
  const b = y as number | string;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function renderTable(): void {
  renderFilters();
  const cols = columns();
  const front = new Set(S.campaign?.front ?? []);
  const rows = trialList().filter((t) => (!S.stateF || t.state === S.stateF) && (!S.methodF || t.method === S.methodF));
  rows.sort((a, b) => {
    const x = cell(a, S.sortKey);
    const y = cell(b, S.sortKey);
    const xMissing = x === null || x === undefined;
    const yMissing = y === null || y === undefined;
    if (xMissing && yMissing) return a.number - b.number;
    if (xMissing) return 1;
    if (yMissing) return -1;
    return compare(x, y) * S.sortDir;
  });
  const head = cols
    .map((c) => `<th data-k="${esc(c.k)}"${c.l ? ' class="l"' : ""}>${esc(c.t)}${S.sortKey === c.k ? (S.sortDir > 0 ? " &#x25B2;" : " &#x25BC;") : ""}</th>`)
    .join("");
  let h = `<table><thead><tr>${head}</tr></thead><tbody>`;
  for (const t of rows) {
    const tds = cols.map((c) => {
      const v = c.k === "state" ? `<span class="badge st-${esc(t.state)}">${esc(t.state)}</span>${front.has(t.id) ? " &#x2605;" : ""}` : esc(fmt(cell(t, c.k)));
      return `<td${c.l ? ' class="l"' : ""}>${v}</td>`;
    });
    h += `<tr data-id="${esc(t.id)}"${t.id === S.detail ? ' class="sel"' : ""}>${tds.join("")}</tr>`;
  }
  $("tablewrap").innerHTML = `${h}</tbody></table>`;
  $("tcount").textContent = `${rows.length} of ${trialList().length} trials`;
}

export function renderDetail(): void {
  const d = S.detailData;
  const el = $("detail");
  if (!d) {
    el.innerHTML = '<div class="muted">Click a trial in the table to see its progress curve.</div>';
    return;
  }
  const keys = new Set<string>();
  for (const p of d.progress) for (const k of Object.keys(p.metrics)) keys.add(k);
  const names = [...keys].sort();
  const pm = S.progressMetric && keys.has(S.progressMetric) ? S.progressMetric : (["val_accuracy", "accuracy", "loss"].find((k) => keys.has(k)) ?? names[0] ?? null);
  S.progressMetric = pm;
  let h = `<h2>Trial ${d.number} <span class="badge st-${esc(d.state)}">${esc(d.state)}</span> <span class="muted">${esc(d.id)} · ${esc(d.method)}${d.worker ? ` · worker ${esc(d.worker)}` : ""}${d.backend ? ` · ${esc(d.backend)}` : ""}</span></h2>`;
  if (d.error) h += `<div style="color:#c62828">${esc(d.error)}</div>`;
  h += `<div class="row"><div style="flex:1;min-width:300px"><div class="controls">progress: <select id="pmsel">${names.map((n) => `<option${n === pm ? " selected" : ""}>${esc(n)}</option>`).join("")}</select></div>`;
  const curve = pm === null ? [] : d.progress.filter((p) => typeof p.metrics[pm] === "number").map((p) => [p.step, p.metrics[pm] as number] as const);
  h += `<div id="pcurve">${lineChart(curve, "step", pm ?? "", 460, 220, "#f58518")}</div></div>`;
  h += '<div style="flex:1;min-width:260px"><table><tbody>';
  for (const k of Object.keys(d.params).sort()) h += `<tr><td class="l">param ${esc(k)}</td><td>${esc(fmt(d.params[k]))}</td></tr>`;
  for (const k of Object.keys(d.metrics).sort()) h += `<tr><td class="l">${esc(k)}</td><td>${esc(fmt(d.metrics[k]))}</td></tr>`;
  h += "</tbody></table></div></div>";
  const model = (d.details as { model?: { files?: { name: string }[] } } | null)?.model?.files;
  if (model) {
    const base = `api/campaigns/${encodeURIComponent(S.sel ?? "")}/trials/${encodeURIComponent(d.id)}/model/`;
    h += `<div>pruned model (TF.js Layers, <code>tf.loadLayersModel</code>): ${model.map((f) => `<a href="${base}${esc(f.name)}" download>${esc(f.name)}</a>`).join(" · ")}</div>`;
  }
  if (d.details) h += `<details><summary>worker details</summary><pre>${esc(JSON.stringify(d.details, null, 2))}</pre></details>`;
  el.innerHTML = h;
}
