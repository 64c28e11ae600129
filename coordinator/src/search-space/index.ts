/** Search spaces: parsing and validation against the method catalogue, conditions, encoding. */
export { parseSearchSpace, buildSearchSpace } from "./parse-space.js";
export type { SearchSpace, ParseSpaceOptions } from "./parse-space.js";
export { activeParams, sampleOrder, conditionsHold, findConditionCycle } from "./conditions.js";
export type { ParamAssignment } from "./conditions.js";
export { encode, decode, fromUnit, toUnit, sampleValue, gridValues } from "./encoding.js";
export {
  satisfiesConstraints,
  parseConstraintText,
  compileParamConstraints,
  catalogueConstraints,
  whyNeverHolds,
} from "./param-constraints.js";
export { containsValue, numericRange, finiteValues, isScalar, parseEntry } from "./distribution.js";
export type { Scalar, ParsedEntry, EntryPaths } from "./distribution.js";
export { checkAgainstCatalogue, unknownParamMessage, methodOfParam } from "./catalogue.js";
