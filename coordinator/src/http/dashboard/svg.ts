/** SVG building blocks of the dashboard's plots: scales, ticks, axes and a line chart. */
import { esc, tickLabel } from "./format.js";

/** Plot margins in pixels. */
export interface Margins {
  readonly l: number;
  readonly r: number;
  readonly t: number;
  readonly b: number;
}

/** Maps a data value to a pixel coordinate. */
export type Scale = (v: number) => number;

/** About `n` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n: number): number[] {
  if (!(hi > lo)) return [lo];
  let step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n)));
  const err = (hi - lo) / n / step;
  if (err >= 7.5) step *= 10;
  else if (err >= 3.5) step *= 5;
  else if (err >= 1.5) step *= 2;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/** 1-2-5 ticks per decade of [lo, hi] (falls back to {@link niceTicks} when fewer than two). */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const k of [1, 2, 5]) {
      const v = k * Math.pow(10, e);
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out.length >= 2 ? out : niceTicks(lo, hi, 5);
}

/** A linear (or log10) scale from [lo, hi] to [a, b]. */
export function scale(lo: number, hi: number, a: number, b: number, log: boolean): Scale {
  if (log) {
    const l0 = Math.log10(lo);
    const l1 = Math.log10(hi);
    return (v) => a + ((Math.log10(v) - l0) / (l1 - l0 || 1)) * (b - a);
  }
  return (v) => a + ((v - lo) / (hi - lo || 1)) * (b - a);
}

/** [lo, hi] widened by 6% of the range (15% in log space) so that points keep off the frame. */
export function pad(lo: number, hi: number, log: boolean): [number, number] {
  if (log) return [lo / 1.15, hi * 1.15];
  const d = hi - lo || Math.abs(hi) || 1;
  return [lo - d * 0.06, hi + d * 0.06];
}

/** Frame, grid lines, tick labels and axis titles. */
export function axes(W: number, H: number, m: Margins, xs: Scale, ys: Scale, xt: readonly number[], yt: readonly number[], xl: string, yl: string): string {
  let s = `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#ddd"/>`;
  for (const v of xt) {
    const x = xs(v);
    s += `<line x1="${x}" x2="${x}" y1="${m.t}" y2="${H - m.b}" stroke="#f0f0f0"/><text x="${x}" y="${H - m.b + 14}" font-size="10" text-anchor="middle" fill="#555">${tickLabel(v)}</text>`;
  }
  for (const v of yt) {
    const y = ys(v);
    s += `<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="#f0f0f0"/><text x="${m.l - 5}" y="${y + 3}" font-size="10" text-anchor="end" fill="#555">${tickLabel(v)}</text>`;
  }
  s += `<text x="${(W + m.l - m.r) / 2}" y="${H - 4}" font-size="11" text-anchor="middle" font-weight="bold">${esc(xl)}</text>`;
  s += `<text transform="translate(12,${(H + m.t - m.b) / 2}) rotate(-90)" font-size="11" text-anchor="middle" font-weight="bold">${esc(yl)}</text>`;
  return s;
}

/** A line chart of `[x, y]` points (hypervolume history, progress curves). */
export function lineChart(points: readonly (readonly [number, number])[], xl: string, yl: string, W: number, H: number, color: string): string {
  const m: Margins = { l: 58, r: 14, t: 10, b: 34 };
  if (points.length === 0) return '<div class="muted">No data yet.</div>';
  const xv = points.map((p) => p[0]);
  const yv = points.map((p) => p[1]);
  const xd = pad(Math.min(...xv), Math.max(...xv), false);
  const yd = pad(Math.min(...yv), Math.max(...yv), false);
  const xs = scale(xd[0], xd[1], m.l, W - m.r, false);
  const ys = scale(yd[0], yd[1], H - m.b, m.t, false);
  let s = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${axes(W, H, m, xs, ys, niceTicks(xd[0], xd[1], 6), niceTicks(yd[0], yd[1], 4), xl, yl)}`;
  s += `<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${points.map((p) => `${xs(p[0])},${ys(p[1])}`).join(" ")}"/>`;
  for (const p of points) s += `<circle cx="${xs(p[0])}" cy="${ys(p[1])}" r="2.5" fill="${color}"/>`;
  return `${s}</svg>`;
}
