/**
 * Campaign spec YAML → validated, defaulted {@link CampaignSpec}. Every problem is collected
 * as a {@link SpecIssue} (dotted path + message) and thrown together in one {@link SpecError}.
 */
import { EARLY_STOPPER_NAMES } from "../early-stopping/index.js";
import { SpecError, type SpecIssue } from "../errors.js";
import { SAMPLER_NAMES, samplerOptionIssues } from "../samplers/registry.js";
import { parseSearchSpace } from "../search-space/parse-space.js";
import { parseWith } from "../domain/spec-issues.js";
import { parseMetricConstraint } from "../domain/metric-constraints.js";
import { campaignIssues } from "./campaign-checks.js";
import { campaignSchema } from "./schema.js";
import type { CampaignSpec, MetricConstraint, SamplerConfig } from "../domain/campaign-spec.js";
import { assertDepth, loadYaml } from "./yaml-source.js";

const schema = campaignSchema(SAMPLER_NAMES, EARLY_STOPPER_NAMES);

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");

/**
 * Validates an already parsed spec (e.g. from JSON) and fills in defaults.
 *
 * @param source file name or label prefixed to the error message
 * @throws SpecError listing every issue, each with its dotted path.
 */
export function validateCampaignSpec(obj: unknown, source?: string): CampaignSpec {
  assertDepth(obj, source);
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    const got = obj === null || obj === undefined ? "an empty document" : Array.isArray(obj) ? "a list" : typeof obj;
    throw new SpecError([{ path: "", message: `expected a mapping (name, task, objectives, space, budget, ...), got ${got}` }], source);
  }
  const raw = obj as Record<string, unknown>;
  const issues: SpecIssue[] = [];
  const top = parseWith(schema, raw);
  if (!top.ok) issues.push(...top.issues);

  const rawConstraints = isStringArray(raw["paramConstraints"]) ? raw["paramConstraints"] : [];
  const space = parseSearchSpace(raw["space"], rawConstraints);
  issues.push(...space.issues);

  const constraints: MetricConstraint[] = [];
  if (isStringArray(raw["constraints"])) {
    raw["constraints"].forEach((text, i) => {
      const c = parseMetricConstraint(text);
      if (typeof c === "string") issues.push({ path: `constraints.${i}`, message: c });
      else constraints.push(c);
    });
  }
  issues.push(...duplicateMetricIssues(raw["objectives"]));
  const sampler = typeof raw["sampler"] === "string" ? { name: raw["sampler"] } : raw["sampler"];
  if (sampler !== null && typeof sampler === "object" && SAMPLER_NAMES.includes((sampler as { name?: unknown }).name as string)) {
    issues.push(...samplerOptionIssues(sampler as SamplerConfig, "sampler"));
  }

  if (!top.ok || issues.length > 0) throw new SpecError(sortIssues(issues), source);
  const d = top.data;
  const across = campaignIssues({ ...d, constraints, space: space.result.space, rawExits: (raw["task"] as Record<string, unknown>)["exits"] });
  if (across.length > 0) throw new SpecError(sortIssues(across), source);
  return {
    name: d.name,
    seed: d.seed,
    task: d.task,
    objectives: d.objectives,
    constraints,
    space: space.result.space,
    paramConstraints: space.result.paramConstraints,
    sampler: d.sampler,
    earlyStopping: d.earlyStopping,
    budget: { ...budgetRest(d.budget), trialTimeoutMs: d.budget.trialTimeout },
  };
}

/** The budget without `trialTimeout` (it becomes `trialTimeoutMs`). */
function budgetRest<B extends { trialTimeout: number }>(b: B): Omit<B, "trialTimeout"> {
  const { trialTimeout: _, ...rest } = b;
  return rest;
}

/**
 * Parses campaign-spec YAML, validates it and fills in defaults.
 *
 * @param source file name or label prefixed to the error message
 * @throws SpecError for YAML syntax errors (with line and column), texts over 1 MiB or
 * nested deeper than 32 levels, and every validation issue, each with its dotted path.
 */
export function parseCampaignSpec(yamlText: string, source?: string): CampaignSpec {
  return validateCampaignSpec(loadYaml(yamlText, source), source);
}

/** `objectives.<i>.metric: duplicate metric "x"`, checked on the raw list so that it is reported alongside other issues. */
function duplicateMetricIssues(objectives: unknown): SpecIssue[] {
  if (!Array.isArray(objectives)) return [];
  const metrics = objectives.map((o: unknown) =>
    o !== null && typeof o === "object" ? (o as { metric?: unknown }).metric : undefined,
  );
  const issues: SpecIssue[] = [];
  metrics.forEach((m, i) => {
    if (typeof m === "string" && metrics.indexOf(m) < i) {
      issues.push({ path: `objectives.${i}.metric`, message: `duplicate metric "${m}"` });
    }
  });
  return issues;
}

const TOP_ORDER = ["name", "seed", "task", "objectives", "constraints", "space", "paramConstraints", "sampler", "earlyStopping", "budget"];

/** Orders issues by top-level section as the spec lists them (stable within a section). */
function sortIssues(issues: readonly SpecIssue[]): SpecIssue[] {
  const rank = (p: string): number => {
    const i = TOP_ORDER.indexOf(p.split(".")[0] ?? "");
    return i < 0 ? TOP_ORDER.length : i;
  };
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => rank(a.issue.path) - rank(b.issue.path) || a.i - b.i)
    .map(({ issue }) => issue);
}
