/** Search spaces: parsing and validation against the method catalogue, conditions, encoding. */
export { parseSearchSpace, buildSearchSpace } from "./parse-space.js";
export type { SearchSpace } from "./parse-space.js";
export { activeParams, sampleOrder } from "./conditions.js";
export { encode, decode, fromUnit, toUnit, sampleValue, gridValues } from "./encoding.js";
export { satisfiesConstraints } from "./param-constraints.js";
export { containsValue } from "./distribution.js";
