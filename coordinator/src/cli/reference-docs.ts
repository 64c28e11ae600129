/**
 * The reference tables of README.md and docs/campaign-spec.md, rendered from their sources:
 * proto's catalogue (methods, models, metrics, task defaults) and the sampler and
 * early-stopper registries (via the spec's JSON Schema). Each table sits in its document
 * between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`; `npm run docs`
 * (scripts/docs.mjs) rewrites them and a unit test fails when a document drifts.
 */
import {
  COMMON_PARAMS,
  METHOD_CATALOG,
  exitOptionsSchema,
  exitOptionsShape,
  findParamRule,
  METRIC_CATALOG,
  MODEL_CATALOG,
  TASK_DEFAULTS,
  type MethodCatalogEntry,
  type ParamRule,
} from "@prunesweep/proto";
import { EARLY_STOPPERS } from "../early-stopping/index.js";
import { SAMPLERS } from "../samplers/registry.js";
import { DEFAULT_BUDGET, DEFAULT_SEED } from "../spec/schema.js";
import { inputJsonSchema } from "./commands/spec-json-schema.js";

type Json = Readonly<Record<string, unknown>>;

/** What the renderer needs to know of the repository. */
export interface RepoFacts {
  /** File names in examples/ (`sap.yaml`, ...). */
  readonly examples: readonly string[];
}

const METHODS: readonly MethodCatalogEntry[] = METHOD_CATALOG;

const code = (s: string): string => `\`${s}\``;
const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const list = (xs: readonly string[]): string => (xs.length === 0 ? "—" : xs.map(code).join(", "));

/** A markdown table. */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** `[0, 1)`, `> 0`, `one of a, b`, `true / false`. */
function ruleRange(rule: ParamRule): string {
  if (rule.type === "bool") return "true / false";
  if (rule.type === "categorical") return rule.values && rule.values.length > 0 ? rule.values.join(", ") : "any string";
  const lo = rule.min === undefined ? "(−∞" : `${rule.exclusiveMin ? "(" : "["}${rule.min}`;
  const hi = rule.max === undefined ? "∞)" : `${rule.max}${rule.exclusiveMax ? ")" : "]"}`;
  return `${lo}, ${hi}`;
}

const show = (v: unknown): string => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

function paramRows(prefix: string, params: Readonly<Record<string, ParamRule>>): string[][] {
  return Object.keys(params).map((name) => {
    // findParamRule completes the rules (the values of `method` are the catalogued methods).
    const rule = findParamRule(`${prefix}${name}`)?.rule ?? (params[name] as ParamRule);
    return [code(`${prefix}${name}`), rule.type, ruleRange(rule), show(rule.default), rule.description];
  });
}

const sentence = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const PARAM_HEAD = ["parameter", "type", "range / values", "default", "meaning"];
const OPTION_HEAD = ["option", "range / values", "default", "meaning"];

/** README: one row per method. */
function methodsTable(facts: RepoFacts): string {
  return table(
    ["method", "what it does", "parameters", "adds metrics", "example"],
    METHODS.map((m) => {
      const relations = (m.relations ?? []).map((r) => `${r.left} ${r.op} ${r.right}`);
      const params = Object.keys(m.params).map(code).join(", ") + (relations.length > 0 ? ` (${relations.map(code).join(", ")})` : "");
      const example = facts.examples.includes(`${m.name}.yaml`) ? code(`examples/${m.name}.yaml`) : "—";
      return [code(m.name), m.description, params, list(m.metrics), example];
    }),
  );
}

/** The options only this model has (every model also takes the exit options). */
function ownOptions(options: Parameters<typeof inputJsonSchema>[0]): string[] {
  const props = Object.keys((inputJsonSchema(options)["properties"] as Json | undefined) ?? {});
  return props.filter((k) => !(k in exitOptionsShape));
}

/** README: one row per model. */
function modelsTable(): string {
  return table(
    ["model", "what it is", "input", "blocks (exits sit after them)", "removable by LayerPrune", "options (besides the exit options)"],
    MODEL_CATALOG.map((m) => [
      code(m.name),
      m.description,
      m.input === "image" ? "images [H, W, C]" : m.input === "declared" ? "the shape its model.json declares" : "any shape (flattened)",
      m.input === "declared" ? m.blocks : `${m.blocks}; ${m.defaultBlocks} with the default options`,
      m.defaultRemovable === 0 ? m.removable : `${m.removable}; ${m.defaultRemovable} with the default options`,
      list(ownOptions(m.options)),
    ]),
  );
}

const WHEN: Readonly<Record<string, string>> = {
  trial: "every trial",
  exits: "models with early exits",
  method: "",
  progress: "progress reports only",
};

/** README: one row per metric. */
function metricsTable(): string {
  return table(
    ["metric", "better", "unit", "reported by", "meaning"],
    METRIC_CATALOG.map((m) => {
      const by = m.when === "method" ? METHODS.filter((x) => x.metrics.includes(m.name)).map((x) => x.name).join(", ") : (WHEN[m.when] ?? m.when);
      return [code(m.name), m.direction === "maximize" ? "higher" : m.direction === "minimize" ? "lower" : "—", m.unit, by, m.description];
    }),
  );
}

/** The options of a strategy or model schema: name → JSON Schema, `name` and `enqueue` left out. */
function options(schema: Json): [string, Json][] {
  const props = (schema["properties"] as Record<string, Json> | undefined) ?? {};
  return Object.entries(props).filter(([k]) => k !== "name");
}

/** `integer ≥ 2`, `number in [0, 1]`, `one of a, b`, from a JSON Schema. */
function schemaRange(s: Json): string {
  if (Array.isArray(s["enum"])) return (s["enum"] as unknown[]).map(String).join(", ");
  if (Array.isArray(s["anyOf"])) return (s["anyOf"] as Json[]).map(schemaRange).join(" or ");
  const type = typeof s["type"] === "string" ? (s["type"] as string) : "value";
  if (type === "array") {
    const prefix = s["prefixItems"] as Json[] | undefined;
    if (prefix) return `[${prefix.map(schemaRange).join(", ")}]`;
    const items = s["items"] as Json | undefined;
    return `list of ${items && Object.keys(items).length > 0 ? schemaRange(items) : "values"}`;
  }
  if (type === "object") return "mapping";
  const parts: string[] = [];
  const bound = (k: string, op: string): void => {
    const v = s[k];
    if (typeof v === "number" && Math.abs(v) < Number.MAX_SAFE_INTEGER) parts.push(`${op} ${v}`);
  };
  bound("minimum", "≥");
  bound("exclusiveMinimum", ">");
  bound("maximum", "≤");
  bound("exclusiveMaximum", "<");
  return parts.length > 0 ? `${type} ${parts.join(", ")}` : type;
}

function optionRows(schema: Json, keep: (option: string) => boolean = () => true): string[][] {
  return options(schema)
    .filter(([k]) => keep(k))
    .map(([k, s]) => [code(k), schemaRange(s), show(s["default"]), typeof s["description"] === "string" ? s["description"] : ""]);
}

/** README: samplers or early stoppers, one row each. */
function strategiesTable(entries: readonly { readonly name: string; readonly summary: string; readonly options: Parameters<typeof inputJsonSchema>[0] }[], what: string): string {
  return table(
    ["name", what, "options"],
    entries.map((e) => [code(e.name), e.summary, list(options(inputJsonSchema(e.options)).map(([k]) => k))]),
  );
}

/** docs: every option of every strategy. */
function strategyOptions(entries: readonly { readonly name: string; readonly options: Parameters<typeof inputJsonSchema>[0] }[], prefix: string): string {
  return entries
    .map((e) => {
      const rows = optionRows(inputJsonSchema(e.options));
      return `#### \`${prefix}: ${e.name}\`\n\n${rows.length === 0 ? "No options." : table(OPTION_HEAD, rows)}`;
    })
    .join("\n\n");
}

/** docs: every parameter of every method, then the common ones. */
function methodParams(): string {
  const common = `#### Common parameters (every method)\n\n${table(PARAM_HEAD, paramRows("", COMMON_PARAMS))}`;
  const perMethod = METHODS.map((m) => {
    const relations = (m.relations ?? []).map((r) => `\`${m.name}.${r.left} ${r.op} ${m.name}.${r.right}\``);
    const rel = relations.length > 0 ? `\n\nEvery trial must satisfy ${relations.join(", ")}.` : "";
    return `#### \`${m.name}\`\n\n${sentence(m.description)}. One progress step: ${m.progressStep}.${rel}\n\n${table(PARAM_HEAD, paramRows(`${m.name}.`, m.params))}`;
  });
  return [common, ...perMethod].join("\n\n");
}

/** docs: the exit options every model takes, then each model's own options. */
function modelOptions(): string {
  const exits = `#### Early-exit options (every model)\n\n${table(OPTION_HEAD, optionRows(inputJsonSchema(exitOptionsSchema)))}`;
  const own = MODEL_CATALOG.map((m) => {
    const rows = optionRows(inputJsonSchema(m.options), (k) => !(k in exitOptionsShape));
    return `#### \`${m.name}\`\n\n${rows.length === 0 ? "No options of its own." : table(OPTION_HEAD, rows)}`;
  });
  return [exits, ...own].join("\n\n");
}

/** docs: the defaults of `seed`, `task` and `budget`. */
function specDefaults(): string {
  const rows: string[][] = [
    [code("seed"), show(DEFAULT_SEED)],
    [code("task.split"), show(TASK_DEFAULTS.split)],
    [code("task.split") + " with a test set", show(TASK_DEFAULTS.splitWithTestSet)],
    [code("task.model"), TASK_DEFAULTS.model],
    [code("task.modelOptions"), "{} (each model's defaults)"],
    [code("task.exits"), "none"],
    ...Object.entries(TASK_DEFAULTS.pretrain).map(([k, v]) => [code(`task.pretrain.${k}`), show(v)]),
    [code("task.backend"), TASK_DEFAULTS.backend],
    [code("task.maxTrainExamples"), `${TASK_DEFAULTS.maxTrainExamples} (all)`],
    [code("task.artifacts"), `${TASK_DEFAULTS.artifacts.keep} (cap ${TASK_DEFAULTS.artifacts.maxBytes / 2 ** 20} MB)`],
    [code("task.dataset: synthetic"), show(TASK_DEFAULTS.synthetic)],
    [code("constraints"), "[]"],
    [code("paramConstraints"), "[]"],
    [code("sampler"), "random"],
    [code("earlyStopping"), "none"],
    ...Object.entries(DEFAULT_BUDGET).map(([k, v]) => [code(`budget.${k}`), show(v)]),
  ];
  return table(["field", "default"], rows);
}

/** The generated blocks by name. */
export function generatedBlocks(facts: RepoFacts): Readonly<Record<string, string>> {
  return {
    methods: methodsTable(facts),
    models: modelsTable(),
    metrics: metricsTable(),
    samplers: strategiesTable(SAMPLERS, "what it does"),
    "early-stoppers": strategiesTable(EARLY_STOPPERS, "rule"),
    "spec-defaults": specDefaults(),
    "method-parameters": methodParams(),
    "model-options": modelOptions(),
    "sampler-options": strategyOptions(SAMPLERS, "sampler"),
    "early-stopper-options": strategyOptions(EARLY_STOPPERS, "earlyStopping"),
  };
}

/** The documents holding generated blocks, relative to the repository root. */
export const GENERATED_DOCUMENTS: readonly string[] = ["README.md", "docs/campaign-spec.md"];

/**
 * `text` with every generated block replaced by its current rendering. Returns the names of
 * blocks the text marks but the renderer does not know, so a typo fails loudly.
 */
export function rewriteGeneratedBlocks(text: string, blocks: Readonly<Record<string, string>>): { text: string; unknown: string[] } {
  const unknown: string[] = [];
  const out = text.replace(/(<!-- generated:([a-z-]+) -->)[\s\S]*?(<!-- \/generated:\2 -->)/g, (whole, open: string, name: string, close: string) => {
    const body = blocks[name];
    if (body === undefined) {
      unknown.push(name);
      return whole;
    }
    return `${open}\n${body}\n${close}`;
  });
  return { text: out, unknown };
}
