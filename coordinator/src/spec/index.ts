/** Campaign specs: YAML parsing, validation, defaults and metric constraints. */
export { parseCampaignSpec, validateCampaignSpec } from "./parse-spec.js";
export { isFeasible } from "../domain/metric-constraints.js";
