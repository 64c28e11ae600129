/** Pure Pareto-front and hypervolume functions over loss vectors (every coordinate minimised). */
export { dominates, paretoFrontMask, nonDominatedRanks, crowdingDistance } from "./dominance.js";
export type { LossVector } from "./dominance.js";
export { hypervolume, hypervolumeHistory } from "./hypervolume.js";
export { kneePoint, nadirReferencePoint } from "./knee.js";
