/** Campaign specs: YAML parsing, validation, defaults and metric constraints. */
export { parseCampaignSpec, validateCampaignSpec } from "./parse-spec.js";
export { parseMetricConstraint, isFeasible } from "./metric-constraints.js";
export { loadYaml, valueDepth, MAX_SPEC_BYTES, MAX_SPEC_DEPTH } from "./yaml-source.js";
export { toSpecIssues, joinPath, describeType } from "./issues.js";
export { DEFAULT_SEED, DEFAULT_BUDGET } from "./schema.js";
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
} from "./types.js";
