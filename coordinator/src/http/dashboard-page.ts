/**
 * The live dashboard: one HTML page with inline CSS and a dependency-free script (no CDN, so
 * it works offline and in air-gapped clusters). Data comes from `/api/*`; updates arrive as
 * server-sent events from `/api/events`. Plots are hand-drawn SVG so that the page stays a
 * few kilobytes.
 *
 * The script is kept free of template literals so that it can live in a String.raw here.
 */

const STYLE = String.raw`
*{box-sizing:border-box}body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#222;background:#f4f6f8;font-size:14px}
header{background:#1f3b57;color:#fff;padding:10px 20px;display:flex;align-items:center;gap:16px}
header h1{font-size:18px;margin:0}header .live{font-size:12px;opacity:.85}
#layout{display:flex;gap:14px;padding:14px}#side{width:250px;flex:none}#main{flex:1;min-width:0}
.panel{background:#fff;border:1px solid #e0e4e8;border-radius:6px;padding:12px 14px;margin-bottom:14px}
.panel h2{font-size:15px;margin:0 0 8px;color:#1f3b57}
#campaigns .c{padding:8px;border-radius:4px;cursor:pointer;border:1px solid transparent;margin-bottom:4px}
#campaigns .c:hover{background:#f0f4f8}#campaigns .c.sel{border-color:#4c78a8;background:#eaf1f8}
.c .n{font-weight:bold}.c .s{font-size:12px;color:#555}.bar{height:5px;background:#e6e6e6;border-radius:3px;margin-top:4px;overflow:hidden}
.bar i{display:block;height:100%;background:#4c78a8}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;font-size:11px;background:#ddd}
.st-running{background:#d7ecff}.st-completed{background:#d9f2dd}.st-cancelled{background:#eee}.st-failed{background:#fbdada}.st-stopped_early{background:#fff1c7}.st-waiting{background:#f0f0f0}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid #e6e6e6;border-radius:5px;padding:6px 12px;min-width:110px}.card span{font-size:11px;color:#666}.card b{display:block;font-size:17px}
.row{display:flex;flex-wrap:wrap;gap:14px}.row>.panel{flex:1;min-width:420px}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{padding:4px 7px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
th{background:#f3f5f7;cursor:pointer;user-select:none;position:sticky;top:0}th.l,td.l{text-align:left}
tbody tr{cursor:pointer}tbody tr:hover{background:#f6f9fc}tr.sel{background:#eaf1f8!important}
#tablewrap{max-height:440px;overflow:auto}.controls{display:flex;gap:10px;align-items:center;margin-bottom:8px;flex-wrap:wrap}
select{font-size:13px;padding:2px 4px}svg text{font-family:Helvetica,Arial,sans-serif}
.muted{color:#777;font-size:12px}pre{background:#f5f5f5;padding:8px;font-size:11.5px;max-height:240px;overflow:auto}
.legend{font-size:12px;color:#444;margin-top:4px}.legend span{margin-right:12px;white-space:nowrap}.sw{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px;vertical-align:middle}
`;

const SCRIPT = String.raw`
(function () {
  "use strict";
  var COST = ["expected_macs", "effective_macs", "nonzero_params", "latency_ms_b1"];
  var PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#eeca3b", "#9d755d", "#ff9da6", "#bab0ac"];
  var S = { campaigns: [], sel: null, campaign: null, trials: {}, sortKey: "number", sortDir: 1, stateF: "", methodF: "", detail: null, detailData: null, x: null, es: null, pending: false };

  function $(id) { return document.getElementById(id); }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }
  function fmt(v) {
    if (typeof v !== "number") return v == null ? "" : String(v);
    if (!isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    return Math.abs(v) >= 1000 ? v.toExponential(3) : v.toFixed(4);
  }
  function getJSON(url) { return fetch(url).then(function (r) { if (!r.ok) throw new Error(url + ": " + r.status); return r.json(); }); }
  function methodColor(m) {
    var ms = methods();
    var i = ms.indexOf(m);
    return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
  }
  function methods() {
    var set = {};
    Object.keys(S.trials).forEach(function (k) { set[S.trials[k].method] = 1; });
    return Object.keys(set).sort();
  }
  function trialList() { return Object.keys(S.trials).map(function (k) { return S.trials[k]; }); }

  // ---- scales and ticks -------------------------------------------------------------
  function niceTicks(lo, hi, n) {
    if (!(hi > lo)) { return [lo]; }
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n)));
    var err = (hi - lo) / n / step;
    if (err >= 7.5) step *= 10; else if (err >= 3.5) step *= 5; else if (err >= 1.5) step *= 2;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }
  function scale(lo, hi, a, b, log) {
    if (log) { var l0 = Math.log10(lo), l1 = Math.log10(hi); return function (v) { return a + (Math.log10(v) - l0) / (l1 - l0 || 1) * (b - a); }; }
    return function (v) { return a + (v - lo) / ((hi - lo) || 1) * (b - a); };
  }
  function pad(lo, hi, log) {
    if (log) return [lo / 1.15, hi * 1.15];
    var d = (hi - lo) || Math.abs(hi) || 1;
    return [lo - d * 0.06, hi + d * 0.06];
  }
  function tickLabel(v) {
    var a = Math.abs(v);
    if (a >= 1e9) return +(v / 1e9).toPrecision(3) + "G";
    if (a >= 1e6) return +(v / 1e6).toPrecision(3) + "M";
    if (a >= 1e4) return +(v / 1e3).toPrecision(3) + "k";
    if (a > 0 && a < 0.001) return v.toExponential(1);
    return String(+v.toPrecision(4));
  }
  function axes(W, H, m, xs, ys, xt, yt, xl, yl) {
    var s = "";
    s += '<rect x="' + m.l + '" y="' + m.t + '" width="' + (W - m.l - m.r) + '" height="' + (H - m.t - m.b) + '" fill="none" stroke="#ddd"/>';
    xt.forEach(function (v) { var x = xs(v); s += '<line x1="' + x + '" x2="' + x + '" y1="' + m.t + '" y2="' + (H - m.b) + '" stroke="#f0f0f0"/><text x="' + x + '" y="' + (H - m.b + 14) + '" font-size="10" text-anchor="middle" fill="#555">' + tickLabel(v) + "</text>"; });
    yt.forEach(function (v) { var y = ys(v); s += '<line x1="' + m.l + '" x2="' + (W - m.r) + '" y1="' + y + '" y2="' + y + '" stroke="#f0f0f0"/><text x="' + (m.l - 5) + '" y="' + (y + 3) + '" font-size="10" text-anchor="end" fill="#555">' + tickLabel(v) + "</text>"; });
    s += '<text x="' + ((W + m.l - m.r) / 2) + '" y="' + (H - 4) + '" font-size="11" text-anchor="middle" font-weight="bold">' + esc(xl) + "</text>";
    s += '<text transform="translate(12,' + ((H + m.t - m.b) / 2) + ') rotate(-90)" font-size="11" text-anchor="middle" font-weight="bold">' + esc(yl) + "</text>";
    return s;
  }
  function logTicks(lo, hi) {
    var out = [];
    for (var e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) [1, 2, 5].forEach(function (k) { var v = k * Math.pow(10, e); if (v >= lo && v <= hi) out.push(v); });
    return out.length >= 2 ? out : niceTicks(lo, hi, 5);
  }

  // ---- campaign list ------------------------------------------------------------------
  function renderCampaigns() {
    var h = "";
    if (S.campaigns.length === 0) h = '<div class="muted">No campaign yet. Submit one with <code>prunesweep submit spec.yaml</code>.</div>';
    S.campaigns.forEach(function (c) {
      var done = c.counts.completed + c.counts.stopped_early + c.counts.failed + c.counts.cancelled;
      h += '<div class="c' + (c.id === S.sel ? " sel" : "") + '" data-id="' + esc(c.id) + '"><div class="n">' + esc(c.name) + ' <span class="badge st-' + esc(c.status) + '">' + esc(c.status) + "</span></div>" +
        '<div class="s">' + esc(c.id) + "<br>" + done + " / " + c.maxTrials + " trials · front " + c.front.length + '</div><div class="bar"><i style="width:' + Math.min(100, 100 * done / Math.max(1, c.maxTrials)) + '%"></i></div></div>';
    });
    $("campaigns").innerHTML = h;
  }

  function select(id) {
    if (S.sel === id) return;
    S.sel = id; S.trials = {}; S.campaign = null; S.detail = null; S.detailData = null; S.x = null;
    location.hash = "campaign=" + encodeURIComponent(id);
    renderCampaigns();
    connect();
  }

  // ---- header and summary -----------------------------------------------------------
  function renderSummary() {
    var c = S.campaign;
    if (!c) { $("summary").innerHTML = '<div class="muted">Select a campaign.</div>'; return; }
    var knee = c.knee && S.trials[c.knee] ? "trial " + S.trials[c.knee].number : "-";
    var cards = [["status", '<span class="badge st-' + esc(c.status) + '">' + esc(c.status) + "</span>"], ["trials", (c.counts.completed + c.counts.stopped_early + c.counts.failed + c.counts.cancelled) + " / " + c.maxTrials],
      ["running", c.counts.running], ["waiting", c.counts.waiting], ["completed", c.counts.completed], ["stopped early", c.counts.stopped_early], ["failed", c.counts.failed],
      ["front", c.front.length], ["hypervolume", (+c.hypervolume).toPrecision(5)], ["knee", knee]];
    var h = '<h2>' + esc(c.name) + ' <span class="muted">' + esc(c.id) + "</span></h2>";
    h += '<div class="muted">objectives: ' + c.objectives.map(function (o) { return esc(o.metric) + " (" + (o.direction === "maximize" ? "max" : "min") + ")"; }).join(", ") +
      (c.constraints.length ? " · constraints: " + esc(c.constraints.join(", ")) : "") + " · sampler " + esc(c.sampler) + " · early stopping " + esc(c.earlyStopping) +
      ' · <a href="/api/campaigns/' + encodeURIComponent(c.id) + '/report" target="_blank">HTML report</a></div><div class="cards" style="margin-top:8px">';
    cards.forEach(function (x) { h += '<div class="card"><span>' + x[0] + "</span><b>" + x[1] + "</b></div>"; });
    $("summary").innerHTML = h + "</div>";
  }

  // ---- Pareto plot -------------------------------------------------------------------
  function yMetric() {
    var c = S.campaign, y = "accuracy";
    if (c) c.objectives.forEach(function (o) { if (o.direction === "maximize" && y === "accuracy" && o.metric !== "accuracy" && !hasMetric("accuracy")) y = o.metric; });
    return y;
  }
  function hasMetric(m) { return trialList().some(function (t) { return typeof t.metrics[m] === "number" && t.state === "completed"; }); }
  function xMetrics() {
    var c = S.campaign, out = COST.slice();
    if (c) c.objectives.forEach(function (o) { if (o.direction === "minimize" && out.indexOf(o.metric) < 0) out.push(o.metric); });
    return out.filter(hasMetric);
  }
  function renderParetoControls() {
    var xs = xMetrics();
    if (!S.x || xs.indexOf(S.x) < 0) {
      var pref = S.campaign && S.campaign.objectives.filter(function (o) { return o.direction === "minimize" && xs.indexOf(o.metric) >= 0; })[0];
      S.x = pref ? pref.metric : xs[0] || null;
    }
    $("xsel").innerHTML = xs.map(function (m) { return '<option' + (m === S.x ? " selected" : "") + ">" + esc(m) + "</option>"; }).join("");
  }
  function renderPareto() {
    renderParetoControls();
    var X = S.x, Y = yMetric(), W = 600, H = 360, m = { l: 58, r: 16, t: 14, b: 38 };
    var pts = trialList().filter(function (t) { return (t.state === "completed" || t.state === "stopped_early") && typeof t.metrics[X] === "number" && typeof t.metrics[Y] === "number"; });
    if (!X || pts.length === 0) { $("pareto").innerHTML = '<div class="muted" style="padding:40px">No completed trial reports ' + esc(Y) + " and a cost metric yet.</div>"; $("plegend").innerHTML = ""; return; }
    var cand = pts.filter(function (t) { return t.state === "completed" && t.feasible; });
    var sorted = cand.slice().sort(function (a, b) { return a.metrics[X] - b.metrics[X] || b.metrics[Y] - a.metrics[Y]; });
    var front = [], best = -Infinity;
    sorted.forEach(function (t) { if (t.metrics[Y] > best) { front.push(t); best = t.metrics[Y]; } });
    var onFront = {}; front.forEach(function (t) { onFront[t.id] = 1; });
    // knee: smallest normalised sum on the front
    var knee = null;
    if (front.length > 0) {
      var xlo = front[0].metrics[X], xhi = front[front.length - 1].metrics[X], ylo = front[0].metrics[Y], yhi = front[front.length - 1].metrics[Y], bs = Infinity;
      front.forEach(function (t) { var s = ((t.metrics[X] - xlo) / ((xhi - xlo) || 1)) + ((yhi - t.metrics[Y]) / ((yhi - ylo) || 1)); if (s < bs) { bs = s; knee = t; } });
    }
    var xv = pts.map(function (t) { return t.metrics[X]; }), yv = pts.map(function (t) { return t.metrics[Y]; });
    var xmin = Math.min.apply(null, xv), xmax = Math.max.apply(null, xv), ymin = Math.min.apply(null, yv), ymax = Math.max.apply(null, yv);
    var log = xmin > 0 && xmax / xmin > 30;
    var xd = pad(xmin, xmax, log), yd = pad(ymin, ymax, false);
    var xs = scale(xd[0], xd[1], m.l, W - m.r, log), ys = scale(yd[0], yd[1], H - m.b, m.t, false);
    var s = '<svg xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + " " + H + '">';
    s += axes(W, H, m, xs, ys, log ? logTicks(xd[0], xd[1]) : niceTicks(xd[0], xd[1], 6), niceTicks(yd[0], yd[1], 6), X + (log ? " (log)" : ""), Y);
    if (front.length > 1) {
      var d = "M" + xs(front[0].metrics[X]) + "," + ys(front[0].metrics[Y]);
      for (var i = 1; i < front.length; i++) d += "H" + xs(front[i].metrics[X]) + "V" + ys(front[i].metrics[Y]);
      s += '<path d="' + d + '" fill="none" stroke="#444" stroke-dasharray="4 3" stroke-width="1.2"/>';
    }
    pts.forEach(function (t) {
      var x = xs(t.metrics[X]), y = ys(t.metrics[Y]), tip = "<title>trial " + t.number + " (" + esc(t.method) + "): " + esc(Y) + " " + fmt(t.metrics[Y]) + ", " + esc(X) + " " + fmt(t.metrics[X]) + "</title>";
      var a = ' data-trial="' + esc(t.id) + '"';
      if (t.state === "stopped_early") s += '<path class="pt stopped"' + a + ' d="M' + x + "," + (y - 6) + "L" + (x + 5.5) + "," + (y + 4) + "L" + (x - 5.5) + "," + (y + 4) + 'Z" fill="#8c8c8c" opacity="0.85">' + tip + "</path>";
      else if (!t.feasible) s += '<path class="pt infeasible"' + a + ' d="M' + (x - 5) + "," + (y - 5) + "L" + (x + 5) + "," + (y + 5) + "M" + (x - 5) + "," + (y + 5) + "L" + (x + 5) + "," + (y - 5) + '" stroke="#e45756" stroke-width="2.2">' + tip + "</path>";
      else if (!onFront[t.id]) s += '<circle class="pt dominated"' + a + ' cx="' + x + '" cy="' + y + '" r="4.5" fill="#b8b8b8" opacity="0.9">' + tip + "</circle>";
    });
    front.forEach(function (t) {
      s += '<circle class="pt front"' + ' data-trial="' + esc(t.id) + '" cx="' + xs(t.metrics[X]) + '" cy="' + ys(t.metrics[Y]) + '" r="6.5" fill="' + methodColor(t.method) + '" stroke="#222" stroke-width="0.8"><title>trial ' + t.number + " (" + esc(t.method) + ", front): " + esc(Y) + " " + fmt(t.metrics[Y]) + ", " + esc(X) + " " + fmt(t.metrics[X]) + "</title></circle>";
    });
    if (knee) s += '<circle cx="' + xs(knee.metrics[X]) + '" cy="' + ys(knee.metrics[Y]) + '" r="12" fill="none" stroke="#d62728" stroke-width="2"/><text x="' + xs(knee.metrics[X]) + '" y="' + (ys(knee.metrics[Y]) - 16) + '" font-size="11" font-weight="bold" fill="#d62728" text-anchor="middle">knee</text>';
    $("pareto").innerHTML = s + "</svg>";
    var lg = methods().map(function (mm) { return '<span><i class="sw" style="background:' + methodColor(mm) + '"></i>' + esc(mm) + " (front)</span>"; }).join("");
    lg += '<span><i class="sw" style="background:#b8b8b8"></i>dominated</span><span style="color:#e45756">&#x2715; infeasible</span><span>&#x25B2; stopped early</span>';
    $("plegend").innerHTML = lg + ' <span class="muted">' + pts.length + " points, " + front.length + " on the front</span>";
    $("pareto").setAttribute("data-points", String(pts.length));
  }

  // ---- line chart (hypervolume history, progress curves) -----------------------------
  function lineChart(points, xl, yl, W, H, color) {
    var m = { l: 58, r: 14, t: 10, b: 34 };
    if (points.length === 0) return '<div class="muted">No data yet.</div>';
    var xv = points.map(function (p) { return p[0]; }), yv = points.map(function (p) { return p[1]; });
    var xd = pad(Math.min.apply(null, xv), Math.max.apply(null, xv), false), yd = pad(Math.min.apply(null, yv), Math.max.apply(null, yv), false);
    var xs = scale(xd[0], xd[1], m.l, W - m.r, false), ys = scale(yd[0], yd[1], H - m.b, m.t, false);
    var s = '<svg xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + H + '">' + axes(W, H, m, xs, ys, niceTicks(xd[0], xd[1], 6), niceTicks(yd[0], yd[1], 4), xl, yl);
    s += '<polyline fill="none" stroke="' + color + '" stroke-width="1.8" points="' + points.map(function (p) { return xs(p[0]) + "," + ys(p[1]); }).join(" ") + '"/>';
    points.forEach(function (p) { s += '<circle cx="' + xs(p[0]) + '" cy="' + ys(p[1]) + '" r="2.5" fill="' + color + '"/>'; });
    return s + "</svg>";
  }
  function renderHv() {
    var h = (S.campaign && S.campaign.hypervolumeHistory) || [];
    $("hv").innerHTML = lineChart(h.map(function (p) { return [p.n, p.hypervolume]; }), "finished trials", "hypervolume", 420, 220, "#4c78a8");
  }

  // ---- trial table -------------------------------------------------------------------
  function columns() {
    var c = S.campaign, metrics = [];
    if (c) c.objectives.forEach(function (o) { metrics.push(o.metric); });
    COST.forEach(function (m) { if (metrics.indexOf(m) < 0 && hasMetric(m)) metrics.push(m); });
    if (metrics.indexOf("accuracy") < 0 && hasMetric("accuracy")) metrics.unshift("accuracy");
    var params = {};
    trialList().forEach(function (t) { Object.keys(t.params).forEach(function (k) { params[k] = 1; }); });
    var cols = [{ k: "number", t: "#", l: 1 }, { k: "state", t: "state", l: 1 }, { k: "method", t: "method", l: 1 }];
    metrics.forEach(function (mm) { cols.push({ k: "m:" + mm, t: mm }); });
    Object.keys(params).sort().forEach(function (p) { cols.push({ k: "p:" + p, t: p }); });
    cols.push({ k: "step", t: "step" }, { k: "attempts", t: "attempts" }, { k: "wallMs", t: "wall s" }, { k: "worker", t: "worker", l: 1 });
    return cols;
  }
  function cell(t, k) {
    if (k.indexOf("m:") === 0) return t.metrics[k.slice(2)];
    if (k.indexOf("p:") === 0) return t.params[k.slice(2)];
    if (k === "wallMs") return t.wallMs == null ? null : t.wallMs / 1000;
    return t[k];
  }
  function renderFilters() {
    var st = ["", "waiting", "running", "completed", "stopped_early", "failed", "cancelled"];
    $("statef").innerHTML = st.map(function (s) { return "<option value=\"" + s + "\"" + (s === S.stateF ? " selected" : "") + ">" + (s || "all states") + "</option>"; }).join("");
    var ms = [""].concat(methods());
    $("methodf").innerHTML = ms.map(function (s) { return "<option value=\"" + esc(s) + "\"" + (s === S.methodF ? " selected" : "") + ">" + (esc(s) || "all methods") + "</option>"; }).join("");
  }
  function renderTable() {
    renderFilters();
    var cols = columns(), front = {};
    if (S.campaign) S.campaign.front.forEach(function (id) { front[id] = 1; });
    var rows = trialList().filter(function (t) { return (!S.stateF || t.state === S.stateF) && (!S.methodF || t.method === S.methodF); });
    rows.sort(function (a, b) {
      var x = cell(a, S.sortKey), y = cell(b, S.sortKey);
      if (x == null && y == null) return a.number - b.number;
      if (x == null) return 1; if (y == null) return -1;
      return (x < y ? -1 : x > y ? 1 : 0) * S.sortDir;
    });
    var h = "<table><thead><tr>" + cols.map(function (c) { return '<th data-k="' + esc(c.k) + '"' + (c.l ? ' class="l"' : "") + ">" + esc(c.t) + (S.sortKey === c.k ? (S.sortDir > 0 ? " &#x25B2;" : " &#x25BC;") : "") + "</th>"; }).join("") + "</tr></thead><tbody>";
    rows.forEach(function (t) {
      h += '<tr data-id="' + esc(t.id) + '"' + (t.id === S.detail ? ' class="sel"' : "") + ">" + cols.map(function (c) {
        var v = cell(t, c.k);
        if (c.k === "state") v = '<span class="badge st-' + esc(t.state) + '">' + esc(t.state) + "</span>" + (front[t.id] ? " &#x2605;" : "");
        else v = esc(fmt(v));
        return "<td" + (c.l ? ' class="l"' : "") + ">" + v + "</td>";
      }).join("") + "</tr>";
    });
    $("tablewrap").innerHTML = h + "</tbody></table>";
    $("tcount").textContent = rows.length + " of " + trialList().length + " trials";
  }

  // ---- trial detail ------------------------------------------------------------------
  function openDetail(id) {
    S.detail = id;
    renderTable();
    loadDetail();
  }
  function loadDetail() {
    if (!S.detail || !S.sel) return;
    getJSON("/api/campaigns/" + encodeURIComponent(S.sel) + "/trials/" + encodeURIComponent(S.detail)).then(function (d) { S.detailData = d; renderDetail(); });
  }
  function renderDetail() {
    var d = S.detailData, el = $("detail");
    if (!d) { el.innerHTML = '<div class="muted">Click a trial in the table to see its progress curve.</div>'; return; }
    var keys = {};
    d.progress.forEach(function (p) { Object.keys(p.metrics).forEach(function (k) { keys[k] = 1; }); });
    var names = Object.keys(keys).sort();
    var pm = S.progressMetric && names.indexOf(S.progressMetric) >= 0 ? S.progressMetric : (["val_accuracy", "accuracy", "loss"].filter(function (k) { return keys[k]; })[0] || names[0]);
    S.progressMetric = pm;
    var h = "<h2>Trial " + d.number + ' <span class="badge st-' + esc(d.state) + '">' + esc(d.state) + '</span> <span class="muted">' + esc(d.id) + " · " + esc(d.method) + (d.worker ? " · worker " + esc(d.worker) : "") + (d.backend ? " · " + esc(d.backend) : "") + "</span></h2>";
    if (d.error) h += '<div style="color:#c62828">' + esc(d.error) + "</div>";
    h += '<div class="row"><div style="flex:1;min-width:300px"><div class="controls">progress: <select id="pmsel">' + names.map(function (n) { return "<option" + (n === pm ? " selected" : "") + ">" + esc(n) + "</option>"; }).join("") + "</select></div>";
    h += '<div id="pcurve">' + lineChart(d.progress.filter(function (p) { return typeof p.metrics[pm] === "number"; }).map(function (p) { return [p.step, p.metrics[pm]]; }), "step", pm || "", 460, 220, "#f58518") + "</div></div>";
    h += '<div style="flex:1;min-width:260px"><table><tbody>';
    Object.keys(d.params).sort().forEach(function (k) { h += '<tr><td class="l">param ' + esc(k) + "</td><td>" + esc(fmt(d.params[k])) + "</td></tr>"; });
    Object.keys(d.metrics).sort().forEach(function (k) { h += '<tr><td class="l">' + esc(k) + "</td><td>" + esc(fmt(d.metrics[k])) + "</td></tr>"; });
    h += "</tbody></table></div></div>";
    if (d.details) h += "<details><summary>worker details</summary><pre>" + esc(JSON.stringify(d.details, null, 2)) + "</pre></details>";
    el.innerHTML = h;
  }

  // ---- data flow ---------------------------------------------------------------------
  function renderAll() {
    S.pending = false;
    renderCampaigns(); renderSummary(); renderPareto(); renderHv(); renderTable();
  }
  function schedule() { if (!S.pending) { S.pending = true; requestAnimationFrame(renderAll); } }
  function connect() {
    if (S.es) S.es.close();
    var es = new EventSource("/api/events" + (S.sel ? "?campaign=" + encodeURIComponent(S.sel) : ""));
    S.es = es;
    es.addEventListener("open", function () { $("live").textContent = "live"; });
    es.addEventListener("error", function () { $("live").textContent = "reconnecting..."; });
    es.addEventListener("campaigns", function (ev) {
      S.campaigns = JSON.parse(ev.data);
      if (!S.sel && S.campaigns.length > 0) {
        var running = S.campaigns.filter(function (c) { return c.status === "running"; });
        select((running[running.length - 1] || S.campaigns[S.campaigns.length - 1]).id);
        return;
      }
      schedule();
    });
    es.addEventListener("update", function (ev) {
      var u = JSON.parse(ev.data);
      if (u.campaign.id !== S.sel) return;
      if (u.full) S.trials = {};
      S.campaign = u.campaign;
      var touched = false;
      u.trials.forEach(function (t) { S.trials[t.id] = t; if (t.id === S.detail) touched = true; });
      if (touched) loadDetail();
      schedule();
    });
  }

  document.addEventListener("click", function (e) {
    var c = e.target.closest ? e.target.closest("#campaigns .c") : null;
    if (c) { select(c.getAttribute("data-id")); return; }
    var th = e.target.closest ? e.target.closest("#tablewrap th") : null;
    if (th) { var k = th.getAttribute("data-k"); if (S.sortKey === k) S.sortDir = -S.sortDir; else { S.sortKey = k; S.sortDir = 1; } renderTable(); return; }
    var tr = e.target.closest ? e.target.closest("#tablewrap tbody tr") : null;
    if (tr) openDetail(tr.getAttribute("data-id"));
    var pt = e.target.closest ? e.target.closest("#pareto .pt") : null;
    if (pt) openDetail(pt.getAttribute("data-trial"));
  });
  document.addEventListener("change", function (e) {
    if (e.target.id === "xsel") { S.x = e.target.value; renderPareto(); }
    if (e.target.id === "statef") { S.stateF = e.target.value; renderTable(); }
    if (e.target.id === "methodf") { S.methodF = e.target.value; renderTable(); }
    if (e.target.id === "pmsel") { S.progressMetric = e.target.value; renderDetail(); }
  });
  var m = /campaign=([^&]+)/.exec(location.hash);
  if (m) S.sel = decodeURIComponent(m[1]);
  renderDetail();
  connect();
})();
`;

/** The dashboard page (HTML with inline CSS and script). */
export function dashboardHtml(title = "prunesweep"): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${title.replace(/[<>&"]/g, "")} dashboard</title><style>${STYLE}</style></head>
<body>
<header><h1>prunesweep</h1><span class="live" id="live">connecting...</span><span style="flex:1"></span><a href="/metrics" style="color:#cfe0f1;font-size:12px">/metrics</a></header>
<div id="layout">
<div id="side"><div class="panel"><h2>Campaigns</h2><div id="campaigns"></div></div></div>
<div id="main">
<div class="panel" id="summary"></div>
<div class="row">
<div class="panel"><h2>Pareto front</h2><div class="controls">x: <select id="xsel"></select></div><div id="pareto"></div><div class="legend" id="plegend"></div></div>
<div class="panel" style="max-width:470px"><h2>Hypervolume over trials</h2><div id="hv"></div></div>
</div>
<div class="panel"><h2>Trials <span class="muted" id="tcount"></span></h2>
<div class="controls">state <select id="statef"></select> method <select id="methodf"></select> <span class="muted">click a column to sort, a row for details</span></div>
<div id="tablewrap"></div></div>
<div class="panel" id="detail"></div>
</div></div>
<script>${SCRIPT}</script>
</body></html>
`;
}
