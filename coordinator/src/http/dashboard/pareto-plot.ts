/**
 * The Pareto plot: the selected campaign's trials, accuracy against one cost metric, with the
 * front and knee the API computed for that metric.
 */
import type { TrialJson } from "../api-types.js";
import { esc, fmt } from "./format.js";
import { axes, logTicks, niceTicks, pad, scale, type Margins } from "./svg.js";
import { $, S, methodColor, methods, tradeoffs, trialList } from "./state.js";

function renderControls(): void {
  const xs = tradeoffs().map((t) => t.x);
  if (!S.x || !xs.includes(S.x)) {
    const pref = S.campaign?.objectives.find((o) => o.direction === "minimize" && xs.includes(o.metric));
    S.x = pref ? pref.metric : (xs[0] ?? null);
  }
  $("xsel").innerHTML = xs.map((m) => `<option${m === S.x ? " selected" : ""}>${esc(m)}</option>`).join("");
}

const tip = (t: TrialJson, X: string, Y: string, front: boolean): string =>
  `<title>trial ${t.number} (${esc(t.method)}${front ? ", front" : ""}): ${esc(Y)} ${fmt(t.metrics[Y])}, ${esc(X)} ${fmt(t.metrics[X])}</title>`;

/** Draws the plot and its legend for the selected cost metric. */
export function renderPareto(): void {
  renderControls();
  const tradeoff = tradeoffs().find((t) => t.x === S.x);
  const X = S.x;
  const Y = tradeoff?.y ?? "accuracy";
  const W = 600;
  const H = 360;
  const m: Margins = { l: 58, r: 16, t: 14, b: 38 };
  const pts = trialList().filter(
    (t) => (t.state === "completed" || t.state === "stopped_early") && X !== null && typeof t.metrics[X] === "number" && typeof t.metrics[Y] === "number",
  );
  if (!X || !tradeoff || pts.length === 0) {
    $("pareto").innerHTML = `<div class="muted" style="padding:40px">No completed trial reports ${esc(Y)} and a cost metric yet.</div>`;
    $("plegend").innerHTML = "";
    return;
  }
  const x = (t: TrialJson): number => t.metrics[X] as number;
  const y = (t: TrialJson): number => t.metrics[Y] as number;
  const front = tradeoff.front.map((id) => S.trials[id]).filter((t): t is TrialJson => t !== undefined);
  const onFront = new Set(tradeoff.front);
  const knee = tradeoff.knee !== undefined ? S.trials[tradeoff.knee] : undefined;
  const xv = pts.map(x);
  const yv = pts.map(y);
  const xmin = Math.min(...xv);
  const xmax = Math.max(...xv);
  const log = xmin > 0 && xmax / xmin > 30;
  const xd = pad(xmin, xmax, log);
  const yd = pad(Math.min(...yv), Math.max(...yv), false);
  const xs = scale(xd[0], xd[1], m.l, W - m.r, log);
  const ys = scale(yd[0], yd[1], H - m.b, m.t, false);
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`;
  s += axes(W, H, m, xs, ys, log ? logTicks(xd[0], xd[1]) : niceTicks(xd[0], xd[1], 6), niceTicks(yd[0], yd[1], 6), X + (log ? " (log)" : ""), Y);
  if (front.length > 1) {
    const [first, ...rest] = front as [TrialJson, ...TrialJson[]];
    let d = `M${xs(x(first))},${ys(y(first))}`;
    for (const t of rest) d += `H${xs(x(t))}V${ys(y(t))}`;
    s += `<path d="${d}" fill="none" stroke="#444" stroke-dasharray="4 3" stroke-width="1.2"/>`;
  }
  for (const t of pts) {
    const px = xs(x(t));
    const py = ys(y(t));
    const a = ` data-trial="${esc(t.id)}"`;
    if (t.state === "stopped_early") {
      s += `<path class="pt stopped"${a} d="M${px},${py - 6}L${px + 5.5},${py + 4}L${px - 5.5},${py + 4}Z" fill="#8c8c8c" opacity="0.85">${tip(t, X, Y, false)}</path>`;
    } else if (!t.feasible) {
      s += `<path class="pt infeasible"${a} d="M${px - 5},${py - 5}L${px + 5},${py + 5}M${px - 5},${py + 5}L${px + 5},${py - 5}" stroke="#e45756" stroke-width="2.2">${tip(t, X, Y, false)}</path>`;
    } else if (!onFront.has(t.id)) {
      s += `<circle class="pt dominated"${a} cx="${px}" cy="${py}" r="4.5" fill="#b8b8b8" opacity="0.9">${tip(t, X, Y, false)}</circle>`;
    }
  }
  for (const t of front) {
    s += `<circle class="pt front" data-trial="${esc(t.id)}" cx="${xs(x(t))}" cy="${ys(y(t))}" r="6.5" fill="${methodColor(t.method)}" stroke="#222" stroke-width="0.8">${tip(t, X, Y, true)}</circle>`;
  }
  if (knee) {
    const kx = xs(x(knee));
    const ky = ys(y(knee));
    s += `<circle cx="${kx}" cy="${ky}" r="12" fill="none" stroke="#d62728" stroke-width="2"/><text x="${kx}" y="${ky - 16}" font-size="11" font-weight="bold" fill="#d62728" text-anchor="middle">knee</text>`;
  }
  $("pareto").innerHTML = `${s}</svg>`;
  let lg = methods()
    .map((mm) => `<span><i class="sw" style="background:${methodColor(mm)}"></i>${esc(mm)} (front)</span>`)
    .join("");
  lg += '<span><i class="sw" style="background:#b8b8b8"></i>dominated</span><span style="color:#e45756">&#x2715; infeasible</span><span>&#x25B2; stopped early</span>';
  $("plegend").innerHTML = `${lg} <span class="muted">${pts.length} points, ${front.length} on the front</span>`;
  $("pareto").setAttribute("data-points", String(pts.length));
}
