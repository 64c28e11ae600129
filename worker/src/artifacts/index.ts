/** Artifacts: pretrained-weight storage, keys and the binary weights codec. */
export {
  
  CachedPretrainedStore,
  InMemoryPretrainedStore,
  type GetOrCreateOptions,
  type PretrainedResult,
  type PretrainedSource,
  type PretrainedStore,
  type ProduceWeights,
} from "./pretrained-store.js";
export { decodeWeights, encodeWeights } from "./weights-codec.js";
export type {  SerializedWeights } from "../models/serialized-weights.js";
