/**
 * Metric constraints (`"accuracy >= 0.9"`): parsing and evaluation. Infeasible trials never
 * enter the Pareto front.
 */
import type { MetricConstraint } from "./campaign-spec.js";

const RE = /^\s*([A-Za-z_][\w.-]*)\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;
const RE_FLIPPED = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(<=|>=|<|>)\s*([A-Za-z_][\w.-]*)\s*$/;
const FLIP = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" } as const;

/**
 * Parses `"<metric> <op> <number>"` (or `"<number> <op> <metric>"`), op one of `<`, `<=`,
 * `>`, `>=`. Returns an error message when the text does not parse.
 */
export function parseMetricConstraint(text: string): MetricConstraint | string {
  const m = RE.exec(text);
  if (m) return { metric: m[1] as string, op: m[2] as MetricConstraint["op"], value: Number(m[3]), source: text };
  const f = RE_FLIPPED.exec(text);
  if (f) {
    return { metric: f[3] as string, op: FLIP[f[2] as MetricConstraint["op"]], value: Number(f[1]), source: text };
  }
  return `cannot parse "${text}"; expected "<metric> <op> <number>" with op one of <, <=, >, >=`;
}

/**
 * True when the metrics satisfy every constraint. A missing or non-finite metric makes the
 * trial infeasible.
 */
export function isFeasible(metrics: Readonly<Record<string, number>>, constraints: readonly MetricConstraint[]): boolean {
  return constraints.every((c) => {
    const v = metrics[c.metric];
    if (v === undefined || !Number.isFinite(v)) return false;
    switch (c.op) {
      case "<":
        return v < c.value;
      case "<=":
        return v <= c.value;
      case ">":
        return v > c.value;
      case ">=":
        return v >= c.value;
    }
  });
}
