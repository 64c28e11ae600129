/**
 * The live dashboard's browser code (bundled by esbuild into one script that the HTTP server
 * inlines in the page; no network beyond the coordinator). It keeps what the API sends (the
 * campaign summaries over `/api/events`, the trials, one trial's detail from
 * `/api/campaigns/<id>/trials/<trial>`) and draws it; fronts, knees, hypervolumes and method
 * lists all come computed from the server.
 */
import type { CampaignDetailJson, CampaignJson, TrialDetailJson } from "../api-types.js";
import { renderCampaigns, renderDetail, renderHv, renderSummary, renderTable } from "./panels.js";
import { renderPareto } from "./pareto-plot.js";
import { $, S } from "./state.js";

async function getJSON<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return (await r.json()) as T;
}

function renderAll(): void {
  S.pending = false;
  renderCampaigns();
  renderSummary();
  renderPareto();
  renderHv();
  renderTable();
}

/** Renders at the next animation frame, once however many updates arrive before it. */
function schedule(): void {
  if (!S.pending) {
    S.pending = true;
    requestAnimationFrame(renderAll);
  }
}

function loadDetail(): void {
  if (!S.detail || !S.sel) return;
  void getJSON<TrialDetailJson>(`/api/campaigns/${encodeURIComponent(S.sel)}/trials/${encodeURIComponent(S.detail)}`).then((d) => {
    S.detailData = d;
    renderDetail();
  });
}

function openDetail(id: string | null): void {
  S.detail = id;
  renderTable();
  loadDetail();
}

function select(id: string): void {
  if (S.sel === id) return;
  S.sel = id;
  S.trials = {};
  S.campaign = null;
  S.detail = null;
  S.detailData = null;
  S.x = null;
  location.hash = `campaign=${encodeURIComponent(id)}`;
  renderCampaigns();
  connect();
}

function connect(): void {
  S.es?.close();
  const es = new EventSource(`/api/events${S.sel ? `?campaign=${encodeURIComponent(S.sel)}` : ""}`);
  S.es = es;
  es.addEventListener("open", () => ($("live").textContent = "live"));
  es.addEventListener("error", () => ($("live").textContent = "reconnecting..."));
  es.addEventListener("campaigns", (ev) => {
    S.campaigns = JSON.parse((ev as MessageEvent<string>).data) as CampaignJson[];
    if (!S.sel && S.campaigns.length > 0) {
      const running = S.campaigns.filter((c) => c.status === "running");
      const pick = running[running.length - 1] ?? S.campaigns[S.campaigns.length - 1];
      if (pick) select(pick.id);
      return;
    }
    schedule();
  });
  es.addEventListener("update", (ev) => {
    const u = JSON.parse((ev as MessageEvent<string>).data) as CampaignDetailJson;
    if (u.campaign.id !== S.sel) return;
    if (u.full) S.trials = {};
    S.campaign = u.campaign;
    let touched = false;
    for (const t of u.trials) {
      S.trials[t.id] = t;
      if (t.id === S.detail) touched = true;
    }
    if (touched) loadDetail();
    schedule();
  });
}

document.addEventListener("click", (e) => {
  const target = e.target instanceof Element ? e.target : null;
  const c = target?.closest("#campaigns .c");
  if (c) {
    const id = c.getAttribute("data-id");
    if (id) select(id);
    return;
  }
  const th = target?.closest("#tablewrap th");
  if (th) {
    const k = th.getAttribute("data-k") ?? "number";
    if (S.sortKey === k) S.sortDir = S.sortDir > 0 ? -1 : 1;
    else {
      S.sortKey = k;
      S.sortDir = 1;
    }
    renderTable();
    return;
  }
  const tr = target?.closest("#tablewrap tbody tr");
  if (tr) openDetail(tr.getAttribute("data-id"));
  const pt = target?.closest("#pareto .pt");
  if (pt) openDetail(pt.getAttribute("data-trial"));
});

document.addEventListener("change", (e) => {
  const el = e.target instanceof HTMLSelectElement ? e.target : null;
  if (!el) return;
  if (el.id === "xsel") {
    S.x = el.value;
    renderPareto();
  }
  if (el.id === "statef") {
    S.stateF = el.value;
    renderTable();
  }
  if (el.id === "methodf") {
    S.methodF = el.value;
    renderTable();
  }
  if (el.id === "pmsel") {
    S.progressMetric = el.value;
    renderDetail();
  }
});

const m = /campaign=([^&]+)/.exec(location.hash);
if (m?.[1]) S.sel = decodeURIComponent(m[1]);
renderDetail();
connect();
