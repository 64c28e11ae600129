/** Campaign specs: YAML parsing, validation, defaults and metric constraints. */
export { parseCampaignSpec, validateCampaignSpec } from "./parse-spec.js";
export { parseMetricConstraint, isFeasible } from "../domain/metric-constraints.js";
export { loadYaml, valueDepth, MAX_SPEC_BYTES, MAX_SPEC_DEPTH } from "./yaml-source.js";
export { toSpecIssues, joinPath, describeType } from "../domain/spec-issues.js";
export {
  MODEL_NAMES,
  EARLY_STOPPING_NAMES,
  BACKEND_NAMES,
  DEFAULT_SEED,
  DEFAULT_SPLIT,
  DEFAULT_MODEL,
  DEFAULT_PRETRAIN,
  DEFAULT_SYNTHETIC,
  DEFAULT_BUDGET,
} from "./schema.js";
export type {
  CampaignSpec,
  TaskConfig,
  DatasetSource,
  ParamDistribution,
  ParamSpec,
  ParamConstraint,
  MetricConstraint,
  SamplerConfig,
  EarlyStoppingConfig,
  BudgetConfig,
} from "../domain/campaign-spec.js";
