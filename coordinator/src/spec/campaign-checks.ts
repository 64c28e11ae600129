/**
 * Checks of a spec that read several sections together, against proto's catalogue: the
 * model's options and structure (exit positions, layers LayerPrune may remove), the methods a
 * campaign can run, and the metrics its objectives and constraints name (each must be one
 * that these methods and this model report). They run before anything is recorded or
 * dispatched, so a campaign that could only fail trial by trial never starts.
 */
import {
  DEFAULT_METHOD,
  LATENCY_BATCH_SIZES,
  METHOD_CATALOG,
  METRIC_CATALOG,
  findMethod,
  findMetric,
  findModel,
  type ModelCatalogEntry,
  type ModelStructure,
} from "@prunesweep/proto";
import type { SpecIssue } from "../errors.js";
import { parseWith } from "../domain/spec-issues.js";
import type { DatasetSource, MetricConstraint, ParamDistribution, ParamSpec, TaskConfig } from "../domain/campaign-spec.js";
import type { ObjectiveSpec } from "../domain/objectives.js";

/** What the cross-section checks read: the parsed spec's sections and the raw `task.exits`. */
interface CheckedSpec {
  readonly task: TaskConfig;
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints: readonly MetricConstraint[];
  readonly space: readonly ParamSpec[];
  /** `task.exits` as written (list indices name the offending entry). */
  readonly rawExits: unknown;
}

/** Values per example of a dataset (flattened), when known without reading it. */
function inputFeatures(d: DatasetSource): number | undefined {
  switch (d.kind) {
    case "builtin":
      return d.name === "mnist" ? 28 * 28 : undefined;
    case "synthetic":
      return d.features;
    case "cifar10":
      return 32 * 32 * 3;
    case "idx":
      return undefined;
  }
}

/** The values a distribution can take (the bounds of a range). */
function valuesOf(d: ParamDistribution): readonly (string | number | boolean)[] {
  switch (d.type) {
    case "fixed":
      return [d.value];
    case "categorical":
      return d.values;
    default:
      return [d.min, d.max];
  }
}

/** The values a parameter can take in this space, or its default when the space does not set it. */
function paramValues(space: readonly ParamSpec[], name: string, fallback: string | number | boolean | undefined): readonly (string | number | boolean)[] {
  const p = space.find((s) => s.name === name);
  if (p) return valuesOf(p.distribution);
  return fallback === undefined ? [] : [fallback];
}

/** The methods the campaign's trials can run (`method` in the space, else the default). */
function campaignMethods(space: readonly ParamSpec[]): string[] {
  return paramValues(space, "method", DEFAULT_METHOD).filter((v): v is string => typeof v === "string" && findMethod(v) !== undefined);
}

/** Exits of the net: the resolved positions (see the worker's exits.ts). */
function exitCount(exits: TaskConfig["exits"], blocks: number): number {
  const positions = new Set(exits.positions.filter((p) => p < blocks));
  if (exits.every > 0) for (let p = exits.every; p < blocks; p += exits.every) positions.add(p);
  return positions.size;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Model options, input kind and exit positions; returns the structure when the options parse. */
function modelIssues(s: CheckedSpec, model: ModelCatalogEntry, issues: SpecIssue[]): { structure: ModelStructure; exits: number } | undefined {
  const { task } = s;
  const parsed = parseWith(model.options, task.modelOptions, ["task", "modelOptions"]);
  if (!parsed.ok) {
    issues.push(...parsed.issues);
    return undefined;
  }
  if (model.input === "image" && task.dataset.kind === "synthetic") {
    issues.push({
      path: "task.model",
      message: `"${model.name}" takes images ([H, W, C] examples) but task.dataset synthetic gives vectors of ${task.dataset.features} features; use mnist, idx or cifar10, or a model that takes any input`,
    });
  }
  const structure = model.structure!(parsed.data, inputFeatures(task.dataset));
  const { blocks } = structure;
  const allowed = blocks === 0 ? `"${model.name}" has no blocks, so no exits are possible` : `allowed: 0 … ${blocks - 1} ("${model.name}" has ${plural(blocks, "block")})`;
  if (Array.isArray(s.rawExits)) {
    s.rawExits.forEach((p, i) => {
      if (typeof p === "number" && p >= blocks) issues.push({ path: `task.exits.${i}`, message: `exit position ${p} is out of range; ${allowed}` });
    });
  }
  if (task.exits.every >= Math.max(blocks, 1)) {
    issues.push({
      path: "task.exits.every",
      message: `every ${task.exits.every} places no exit; ${blocks > 1 ? `allowed: 1 … ${blocks - 1} ("${model.name}" has ${plural(blocks, "block")})` : allowed}`,
    });
  }
  const exits = exitCount(task.exits, blocks);
  const weights = parsed.data["exitLossWeights"];
  if (Array.isArray(weights) && weights.length !== exits + 1) {
    issues.push({
      path: "task.modelOptions.exitLossWeights",
      message: `${plural(weights.length, "weight")} given ([${weights.join(", ")}]); expected ${exits + 1} (${plural(exits, "exit")} + the final classifier)`,
    });
  }
  return { structure, exits };
}

/** LayerPrune needs removable blocks, at most that many removed; early-exit needs exits. */
function methodStructureIssues(s: CheckedSpec, model: ModelCatalogEntry, methods: readonly string[], structure: ModelStructure, exits: number): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const { removable } = structure;
  const has = (name: string): boolean => s.space.some((p) => p.name === name);
  if (methods.includes("layerprune")) {
    const layerprune = findMethod("layerprune");
    const unitRule = layerprune?.params["unit"];
    const units = paramValues(s.space, "layerprune.unit", unitRule?.default);
    const depthUnits = units.filter((u) => u === "layer" || u === "block");
    if (depthUnits.length > 0 && removable === 0) {
      issues.push({
        path: has("layerprune.unit") ? "space.layerprune.unit" : "space.method",
        message: `layerprune.unit ${depthUnits.map((u) => `"${String(u)}"`).join(", ")}${has("layerprune.unit") ? "" : " (the default)"} removes layers or blocks, and "${model.name}" with these options has none that LayerPrune may remove (${model.removable}); allowed: layerprune.unit: filter`,
      });
    } else if (depthUnits.length > 0) {
      const ks = paramValues(s.space, "layerprune.k", layerprune?.params["k"]?.default).filter((k): k is number => typeof k === "number");
      const k = Math.max(...ks);
      if (k > removable) {
        issues.push({
          path: has("layerprune.k") ? "space.layerprune.k" : "space.method",
          message: `layerprune.k ${k} is more than the ${plural(removable, "block")} "${model.name}" can lose (${model.removable}); allowed: 1 … ${removable}`,
        });
      }
    }
  }
  if (methods.includes("early-exit") && exits === 0) {
    issues.push({
      path: "space.method",
      message: `method "early-exit" needs a model with early exits, and task.exits places none on "${model.name}"; set task.exits (e.g. [1] or {every: 1})`,
    });
  }
  return issues;
}

/** Every final metric the campaign reports, families expanded (`accuracy_exit_1`, ...). */
function reportedMetrics(task: TaskConfig, methods: readonly string[], exits: number): string[] {
  const out: string[] = [];
  for (const m of METRIC_CATALOG) {
    if (m.when === "progress") continue;
    if (m.when === "exits" && exits === 0) continue;
    if (m.when === "method" && !methods.some((name) => findMethod(name)?.metrics.includes(m.name))) continue;
    if ((m.name === "val_accuracy" || m.name === "pretrain_val_accuracy") && task.split.validation === 0) continue;
    if (m.name === "accuracy_exit_<k>") for (let k = 1; k <= exits + 1; k++) out.push(`accuracy_exit_${k}`);
    else if (m.name === "latency_ms_b<n>") for (const n of LATENCY_BATCH_SIZES) out.push(`latency_ms_b${n}`);
    else out.push(m.name);
  }
  return out;
}

/** Why `metric` is not among `reported`: the rule of its catalogue entry this campaign misses. */
function unreportedReason(metric: string, task: TaskConfig, methods: readonly string[], exits: number): string {
  const entry = findMetric(metric);
  if (!entry) return "it is not a metric any worker reports";
  switch (entry.when) {
    case "progress":
      return "it is reported only in progress reports (the early stoppers' input), not in a trial's final metrics";
    case "exits":
      return `it is reported only by models with early exits, and task.exits places none on "${task.model}"`;
    case "method": {
      const by = METHOD_CATALOG.filter((m) => (m.metrics as readonly string[]).includes(entry.name)).map((m) => m.name);
      return `it is reported only by the method${by.length === 1 ? "" : "s"} ${by.join(", ")}, and this campaign runs ${methods.join(", ")}`;
    }
    case "trial":
      if (entry.name === "accuracy_exit_<k>") return `the model has ${exits + 1} exit${exits === 0 ? "" : "s"} counting the final classifier (k = 1 … ${exits + 1})`;
      if (entry.name === "latency_ms_b<n>") return `latency is measured at batch sizes ${LATENCY_BATCH_SIZES.join(" and ")}`;
      return "task.split.validation is 0, so there is no validation split to measure it on";
  }
}

/** Objective and constraint metrics that the campaign's methods and model do not report. */
function metricIssues(s: CheckedSpec, methods: readonly string[], exits: number): SpecIssue[] {
  const reported = new Set(reportedMetrics(s.task, methods, exits));
  const allowed = `reported: ${[...reported].join(", ")}`;
  const issues: SpecIssue[] = [];
  const check = (path: string, metric: string): void => {
    if (!reported.has(metric)) issues.push({ path, message: `metric "${metric}" is never reported: ${unreportedReason(metric, s.task, methods, exits)}; ${allowed}` });
  };
  s.objectives.forEach((o, i) => check(`objectives.${i}.metric`, o.metric));
  s.constraints.forEach((c, i) => check(`constraints.${i}`, c.metric));
  return issues;
}

/**
 * The issues of a parsed spec that only show across sections (see the file comment); empty
 * when the campaign can run.
 */
export function campaignIssues(s: CheckedSpec): SpecIssue[] {
  const model = findModel(s.task.model);
  if (!model) return []; // the schema reported it
  const issues: SpecIssue[] = [];
  const methods = campaignMethods(s.space);
  if (!model.structure) {
    // An imported model: its structure is checked against the file's topology when it is read
    // (spec/imported-model.ts); here, the exits the spec names.
    const { positions, every, names = [] } = s.task.exits;
    return metricIssues(s, methods, positions.length + names.length + (every > 0 ? 1 : 0));
  }
  const shape = modelIssues(s, model, issues);
  if (!shape) return issues;
  issues.push(...methodStructureIssues(s, model, methods, shape.structure, shape.exits));
  issues.push(...metricIssues(s, methods, shape.exits));
  return issues;
}
