/** Text helpers of the dashboard: HTML escaping and number formats. */

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML (null and undefined become empty). */
export function esc(s: unknown): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A table cell: integers as is, large values in exponent form, else 4 decimals. */
export function fmt(v: unknown): string {
  if (typeof v !== "number") return v === null || v === undefined ? "" : String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toExponential(3) : v.toFixed(4);
}

/** An axis tick: `1.5M`, `20k`, `0.25`, `1.0e-4`. */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a > 0 && a < 0.001) return v.toExponential(1);
  return String(+v.toPrecision(4));
}
