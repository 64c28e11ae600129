/**
 * The report's plots: data preparation (pure) and Vega-Lite specs rendered to SVG on the
 * server with Vega's headless renderer (`renderer: "none"`, no canvas needed).
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { isFeasible } from "../domain/metric-constraints.js";
import type { HypervolumePoint } from "../results/hypervolume-history.js";
import { resultsSummary, type ResultsFile, type ResultsTrial } from "../results/results-file.js";
import { plottedTrials, type TradeoffFront } from "../results/tradeoffs.js";
import { trialMethod } from "../results/trial-method.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const FONT = "Helvetica, Arial, sans-serif";
const CONFIG = { font: FONT, view: { stroke: "#ddd" }, axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#eee" }, title: { fontSize: 14, anchor: "start" } } as const;

/** Renders a Vega-Lite spec to a standalone SVG document (with xmlns). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Categories of points in a Pareto plot. */
type PointCategory = "front" | "dominated" | "infeasible" | "stopped early";

export interface ParetoPlotPoint {
  readonly trial: number;
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly method: string;
  readonly category: PointCategory;
  readonly knee: boolean;
}

/**
 * Points of the plot of one trade-off front (the summary's `tradeoffs`): completed
 * and stopped-early trials that report both metrics, classified by the summary's front.
 */
export function paretoPlotData(r: ResultsFile, tradeoff: TradeoffFront): ParetoPlotPoint[] {
  const summary = resultsSummary(r);
  const { x, y } = tradeoff;
  const onFront = new Set(tradeoff.front);
  return plottedTrials(summary.trials, x, y).map((t) => ({
    trial: t.number,
    id: t.id,
    x: t.metrics[x] as number,
    y: t.metrics[y] as number,
    method: trialMethod(t),
    category:
      t.state === "stopped_early"
        ? "stopped early"
        : onFront.has(t.id)
          ? "front"
          : isFeasible(t.metrics, summary.definition.constraints)
            ? "dominated"
            : "infeasible",
    knee: t.id === tradeoff.knee,
  }));
}

function useLogScale(values: readonly number[]): boolean {
  const pos = values.filter((v) => v > 0);
  return pos.length === values.length && pos.length > 1 && Math.max(...pos) / Math.min(...pos) > 30;
}

/** Accuracy vs one cost metric: front coloured by method, others grey, infeasible crossed, knee ringed. */
export function paretoPlotSpec(points: readonly ParetoPlotPoint[], xMetric: string, yMetric = "accuracy"): TopLevelSpec {
  const x = {
    field: "x",
    type: "quantitative",
    title: xMetric,
    scale: { zero: false, padding: 14, ...(useLogScale(points.map((p) => p.x)) && { type: "log" }) },
  } as const;
  const y = { field: "y", type: "quantitative", title: yMetric, scale: { zero: false, padding: 14 } } as const;
  const front = points.filter((p) => p.category === "front").length;
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: { text: `${yMetric} vs ${xMetric}`, subtitle: [`${points.length} trials, ${front} on the front`, `better: higher ${yMetric}, lower ${xMetric}`] },
    width: 400,
    height: 290,
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      {
        transform: [{ filter: "datum.category !== 'front'" }],
        mark: { type: "point", filled: true, size: 70, opacity: 0.85 },
        encoding: {
          x,
          y,
          shape: {
            field: "category",
            type: "nominal",
            scale: { domain: ["dominated", "infeasible", "stopped early"], range: ["circle", "cross", "triangle-up"] },
            legend: { title: "other trials" },
          },
          color: {
            field: "category",
            type: "nominal",
            scale: { domain: ["dominated", "infeasible", "stopped early"], range: ["#b8b8b8", "#e45756", "#8c8c8c"] },
            legend: { title: "other trials" },
          },
        },
      },
      {
        transform: [{ filter: "datum.category === 'front'" }],
        mark: { type: "line", interpolate: "step-after", color: "#444", strokeWidth: 1.2, strokeDash: [4, 3] },
        encoding: { x, y, order: { field: "x", type: "quantitative" } },
      },
      {
        transform: [{ filter: "datum.category === 'front'" }],
        mark: { type: "point", filled: true, size: 120, stroke: "#222", strokeWidth: 0.8, opacity: 1 },
        encoding: {
          x,
          y,
          color: { field: "method", type: "nominal", scale: { scheme: "tableau10" }, legend: { title: "front: method" } },
        },
      },
      {
        transform: [{ filter: "datum.knee" }],
        mark: { type: "point", size: 520, strokeWidth: 2, color: "#d62728", filled: false },
        encoding: { x, y },
      },
      {
        transform: [{ filter: "datum.knee" }],
        mark: { type: "text", dy: -18, fontWeight: "bold", color: "#d62728" },
        encoding: { x, y, text: { value: "knee" } },
      },
    ],
    resolve: { scale: { color: "independent", shape: "independent" }, legend: { color: "independent", shape: "independent" } },
  } as TopLevelSpec;
}

/** Hypervolume against finished trials (`x = "n"`) or wall time (`x = "minutes"`). */
export function hypervolumeSpec(points: readonly HypervolumePoint[], x: "n" | "minutes", objectives: string): TopLevelSpec {
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: { text: x === "n" ? "Hypervolume over trials" : "Hypervolume over wall time", subtitle: `objectives: ${objectives}` },
    width: 420,
    height: 220,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: "line", interpolate: "step-after", point: { filled: true, size: 30 }, color: "#4c78a8" },
    encoding: {
      x: { field: x, type: "quantitative", title: x === "n" ? "finished trials" : "minutes since the campaign started" },
      y: { field: "hypervolume", type: "quantitative", title: "hypervolume", scale: { zero: true } },
    },
  } as TopLevelSpec;
}

/** Data of the parallel-coordinates plot. */
export interface ParallelData {
  readonly axes: readonly string[];
  readonly lines: readonly { trial: number; axis: string; y: number; color: number }[];
  readonly labels: readonly { axis: string; y: number; label: string }[];
  readonly colorMetric: string;
}

const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toExponential(2) : v.toPrecision(3));

/** Where a parameter that is inactive in a trial (conditional on another method) is drawn. */
export const INACTIVE_Y = -0.12;

/**
 * Parameters of the completed trials that report `colorMetric`, each normalised to [0, 1]
 * (numbers by min/max, categories by rank), plus the metric itself as the last axis.
 * A parameter a trial does not have (inactive) sits at {@link INACTIVE_Y}, labelled
 * "inactive". Parameters with a single value are left out. Undefined when no trial qualifies.
 */
export function parallelData(r: ResultsFile, colorMetric = "accuracy"): ParallelData | undefined {
  const trials = r.trials.filter((t) => t.state === "completed" && Number.isFinite(t.metrics[colorMetric]));
  if (trials.length === 0) return undefined;
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.params)))].sort();
  const axes: string[] = [];
  const lines: { trial: number; axis: string; y: number; color: number }[] = [];
  const labels: { axis: string; y: number; label: string }[] = [];
  const addAxis = (axis: string, value: (t: ResultsTrial) => unknown): void => {
    const vals = trials.map(value);
    const present = vals.filter((v) => v !== undefined);
    const distinct = [...new Set(present.map((v) => JSON.stringify(v)))];
    if (distinct.length < 2 && axis !== colorMetric) return;
    axes.push(axis);
    if (present.length < vals.length) labels.push({ axis, y: INACTIVE_Y, label: "inactive" });
    if (present.every((v) => typeof v === "number")) {
      const nums = present as number[];
      const lo = Math.min(...nums);
      const hi = Math.max(...nums);
      const norm = (v: number): number => (hi > lo ? (v - lo) / (hi - lo) : 0.5);
      trials.forEach((t, i) => {
        const v = vals[i];
        lines.push({ trial: t.number, axis, y: typeof v === "number" ? norm(v) : INACTIVE_Y, color: t.metrics[colorMetric] as number });
      });
      labels.push({ axis, y: 1, label: fmt(hi) }, { axis, y: 0, label: fmt(lo) });
    } else {
      const cats = distinct.map((s) => JSON.parse(s) as unknown).sort((a, b) => String(a).localeCompare(String(b)));
      const pos = (v: unknown): number => (cats.length > 1 ? cats.findIndex((c) => c === v) / (cats.length - 1) : 0.5);
      trials.forEach((t, i) => {
        const v = vals[i];
        lines.push({ trial: t.number, axis, y: v === undefined ? INACTIVE_Y : pos(v), color: t.metrics[colorMetric] as number });
      });
      for (const c of cats) labels.push({ axis, y: pos(c), label: String(c) });
    }
  };
  for (const k of keys) addAxis(k, (t) => t.params[k]);
  addAxis(colorMetric, (t) => t.metrics[colorMetric]);
  return { axes, lines, labels, colorMetric };
}

/** Parallel coordinates of the parameters, one line per trial, coloured by the metric. */
export function parallelSpec(d: ParallelData): TopLevelSpec {
  const x = { field: "axis", type: "nominal", sort: [...d.axes], title: null, axis: { labelAngle: 0, orient: "bottom", domain: false, ticks: false, labelFontWeight: "bold" } } as const;
  return {
    $schema: SCHEMA,
    config: { ...CONFIG, view: { stroke: null } },
    title: { text: "Parameters (parallel coordinates)", subtitle: `one line per completed trial, coloured by ${d.colorMetric}` },
    width: Math.max(420, 130 * d.axes.length),
    height: 300,
    layer: [
      {
        data: { values: d.axes.map((axis) => ({ axis })) },
        mark: { type: "rule", color: "#bbb", strokeWidth: 1 },
        encoding: { x },
      },
      {
        data: { values: d.lines.map((l) => ({ ...l })) },
        mark: { type: "line", strokeWidth: 1.6, opacity: 0.8 },
        encoding: {
          x,
          y: { field: "y", type: "quantitative", scale: { domain: [INACTIVE_Y, 1] }, axis: null },
          detail: { field: "trial", type: "nominal" },
          color: { field: "color", type: "quantitative", title: d.colorMetric, scale: { scheme: "viridis" } },
        },
      },
      {
        data: { values: d.labels.map((l) => ({ ...l })) },
        mark: { type: "text", align: "left", dx: 5, fontSize: 10, color: "#333" },
        encoding: { x, y: { field: "y", type: "quantitative", scale: { domain: [INACTIVE_Y, 1] }, axis: null }, text: { field: "label" } },
      },
    ],
  } as TopLevelSpec;
}

/** One point of an early-exit trade-off curve. */
export interface ExitCurvePoint {
  readonly trial: number;
  readonly tau: number;
  readonly accuracy: number;
  readonly expectedMacs: number;
}

/** `details.exitCurve` of a trial, when it carries a well-formed one. */
function exitCurveOf(t: ResultsTrial): ExitCurvePoint[] | undefined {
  const c = (t.details as { exitCurve?: unknown } | undefined)?.exitCurve;
  if (!Array.isArray(c)) return undefined;
  const pts = c.filter(
    (p): p is { tau: number; accuracy: number; expectedMacs: number } =>
      p !== null &&
      typeof p === "object" &&
      Number.isFinite((p as { tau?: unknown }).tau) &&
      Number.isFinite((p as { accuracy?: unknown }).accuracy) &&
      Number.isFinite((p as { expectedMacs?: unknown }).expectedMacs),
  );
  return pts.length > 0 ? pts.map((p) => ({ trial: t.number, tau: p.tau, accuracy: p.accuracy, expectedMacs: p.expectedMacs })) : undefined;
}

/** Exit-threshold curves of the early-exit trials on the campaign's front. */
export function exitCurveData(r: ResultsFile): ExitCurvePoint[] {
  const front = new Set(r.pareto);
  return r.trials.filter((t) => front.has(t.id)).flatMap((t) => exitCurveOf(t) ?? []);
}

/** Accuracy vs expected MACs over the exit threshold grid, one line per trial, labelled with τ. */
export function exitCurveSpec(points: readonly ExitCurvePoint[]): TopLevelSpec {
  const x = { field: "expectedMacs", type: "quantitative", title: "expected MACs", scale: { zero: false } } as const;
  const y = { field: "accuracy", type: "quantitative", title: "accuracy", scale: { zero: false } } as const;
  const color = { field: "trial", type: "nominal", title: "trial", scale: { scheme: "tableau10" } } as const;
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: { text: "Early exits: accuracy vs expected MACs", subtitle: "front trials, over the exit confidence threshold τ" },
    width: 520,
    height: 300,
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      { mark: { type: "line", point: { filled: true, size: 40 } }, encoding: { x, y, color, order: { field: "tau", type: "quantitative" } } },
      { mark: { type: "text", dy: -9, fontSize: 9, color: "#555" }, encoding: { x, y, text: { field: "tau", type: "quantitative", format: ".2f" } } },
    ],
  } as TopLevelSpec;
}
