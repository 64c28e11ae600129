/** Artifacts: pretrained-weight storage, keys and the binary weights codec. */
export { CachedPretrainedStore, InMemoryPretrainedStore, type PretrainedStore } from "./pretrained-store.js";
export { canonicalJson, PRETRAIN_FORMAT_VERSION, pretrainKey } from "./pretrain-key.js";
export { decodeWeights, encodeWeights } from "./weights-codec.js";
export type { SerializedTensor, SerializedWeights } from "../models/serialized-weights.js";
