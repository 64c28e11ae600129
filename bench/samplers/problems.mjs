/**
 * Benchmark problems for the samplers: ZDT1, ZDT2, ZDT3 (Zitzler, Deb, Thiele 2000; 30
 * variables, 2 objectives) and DTLZ2 (Deb et al. 2002; 12 variables, 3 objectives), all
 * minimised over [0, 1]^n, plus the tabular pruning problem when bench/data/pruning-table.json
 * exists. The Python helper (optuna_runner.py) implements the same functions; both sides
 * are checked against the same reference values in run.mjs.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const PRUNING_TABLE = join(here, "..", "data", "pruning-table.json");

const floatSpace = (n) =>
  Array.from({ length: n }, (_, i) => ({ name: `x${i}`, distribution: { type: "float", min: 0, max: 1, log: false }, when: {} }));
const vec = (params, n) => Array.from({ length: n }, (_, i) => params[`x${i}`]);
const minimize = (names) => names.map((metric) => ({ metric, direction: "minimize" }));

function zdtG(x) {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += x[i];
  return 1 + (9 * s) / (x.length - 1);
}

/** f(x) → [f1, f2] */
export const zdt1 = (x) => {
  const g = zdtG(x);
  return [x[0], g * (1 - Math.sqrt(x[0] / g))];
};
export const zdt2 = (x) => {
  const g = zdtG(x);
  return [x[0], g * (1 - (x[0] / g) ** 2)];
};
export const zdt3 = (x) => {
  const g = zdtG(x);
  const h = 1 - Math.sqrt(x[0] / g) - (x[0] / g) * Math.sin(10 * Math.PI * x[0]);
  return [x[0], g * h];
};
/** DTLZ2 with M objectives over n variables (k = n − M + 1 distance variables). */
export const dtlz2 = (x, m = 3) => {
  let g = 0;
  for (let i = m - 1; i < x.length; i++) g += (x[i] - 0.5) ** 2;
  const f = [];
  for (let i = 0; i < m; i++) {
    let v = 1 + g;
    for (let j = 0; j < m - 1 - i; j++) v *= Math.cos((x[j] * Math.PI) / 2);
    if (i > 0) v *= Math.sin((x[m - 1 - i] * Math.PI) / 2);
    f.push(v);
  }
  return f;
};

function synthetic(name, n, fn, reference) {
  const names = reference.map((_, i) => `f${i + 1}`);
  return {
    name,
    space: { space: floatSpace(n), paramConstraints: [] },
    objectives: minimize(names),
    reference,
    /** params → metrics */
    evaluate: (params) => Object.fromEntries(fn(vec(params, n)).map((v, i) => [names[i], v])),
  };
}

/** The synthetic problems: name → problem. */
export const SYNTHETIC = [
  synthetic("ZDT1", 30, zdt1, [11, 11]),
  synthetic("ZDT2", 30, zdt2, [11, 11]),
  synthetic("ZDT3", 30, zdt3, [11, 11]),
  synthetic("DTLZ2", 12, dtlz2, [1.1, 1.1, 1.1]),
];

/**
 * The tabular pruning problem: real trial results over a grid of pruning settings, produced
 * by the worker and committed as bench/data/pruning-table.json:
 *
 * ```json
 * { "description": "...", "space": [ParamSpec, ...], "objectives": [{metric, direction}],
 *   "reference": [loss-space reference point], "rows": [{ "params": {...}, "metrics": {...} }] }
 * ```
 *
 * Every point of the space must have a row (the space is a grid: categorical, int or stepped
 * float parameters). Returns undefined when the file is absent.
 */
export function loadPruningTable(path = PRUNING_TABLE) {
  if (!existsSync(path)) return undefined;
  const t = JSON.parse(readFileSync(path, "utf8"));
  for (const k of ["space", "objectives", "reference", "rows"]) {
    if (!(k in t)) throw new Error(`${path}: missing "${k}"`);
  }
  const key = (params) => JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
  const table = new Map(t.rows.map((r) => [key(r.params), r.metrics]));
  return {
    name: "pruning-table",
    space: { space: t.space, paramConstraints: [] },
    objectives: t.objectives,
    reference: t.reference,
    rows: t.rows.length,
    evaluate: (params) => {
      const m = table.get(key(params));
      if (!m) throw new Error(`pruning table has no row for ${key(params)}`);
      return m;
    },
  };
}
