/**
 * The pruning-method catalogue shared by the coordinator and the workers, as data: each
 * method's name, what it does, its parameters (type, range, default), the relations between
 * them (`p < q`) and the metrics it adds to a trial's. The coordinator validates a campaign's
 * search space against it before dispatching anything; the worker checks every trial's
 * parameters against it before training, and its registry of implementations is typed
 * against {@link MethodName}, so a method without an implementation (or the reverse) does
 * not compile. Search-space names are namespaced by method (`sap.p`); parameters in
 * {@link COMMON_PARAMS} apply to every method. docs/methods.md describes the algorithms.
 */
import type { ParamRelation, ParamRule } from "./param-rules.js";
import { RECIPE_PARAMS } from "./recipe.js";

/** One catalogued pruning method. */
export interface MethodCatalogEntry {
  /** Registry name, also the parameter namespace (`sap.p`). */
  readonly name: string;
  /** What the method does, in one line (README and docs tables). */
  readonly description: string;
  /** The method's own parameters, by unqualified name. */
  readonly params: Readonly<Record<string, ParamRule>>;
  /** Pairwise parameter relations every trial must satisfy, e.g. `p < q`. */
  readonly relations?: readonly ParamRelation[];
  /** Metrics the method adds to every trial's (each one is in the metric catalogue). */
  readonly metrics: readonly string[];
  /** What one progress step of the method is (early stoppers count these). */
  readonly progressStep: string;
}

/** The method a trial runs when its parameters do not name one. */
export const DEFAULT_METHOD = "magnitude";

/** Parameters every method understands (not namespaced). */
export const COMMON_PARAMS = {
  method: { type: "categorical", values: [], default: DEFAULT_METHOD, description: "pruning method of the trial (values: the catalogued methods)" },
  sparsity: {
    type: "float",
    min: 0,
    max: 1,
    exclusiveMax: true,
    description: "target fraction of prunable weights set to zero (unstructured methods)",
  },
  "finetune.epochs": { type: "int", min: 0, max: 1000, default: 2, description: "fine-tuning epochs after pruning" },
  "finetune.learningRate": {
    type: "float",
    min: 0,
    max: 10,
    exclusiveMin: true,
    default: 0.001,
    description: "fine-tuning (base) learning rate",
  },
  "finetune.batchSize": { type: "int", min: 1, max: 65536, description: "fine-tuning batch size (unset: the task's pretrain batch size)" },
  ...RECIPE_PARAMS,
} as const satisfies Readonly<Record<string, ParamRule>>;

/** Parameters of the lottery-ticket and one-shot baselines (docs/methods.md §1.5). */
const RATE_ROUNDS_PARAMS = {
  rate: { type: "float", min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0.2, description: "P: fraction of the remaining weights pruned per round" },
  rounds: { type: "int", min: 1, max: 100, default: 5, description: "T: pruning rounds" },
  roundEpochs: { type: "int", min: 1, max: 1000, default: 2, description: "E: training epochs per round, after rewinding to the initial weights" },
  scope: { type: "categorical", values: ["global", "layer", "neuron"], default: "global", description: "ranking scope: all weights, per layer, or per output neuron" },
  weightDecay: { type: "float", min: 0, max: 1, default: 0, description: "L2 penalty on the prunable weights while retraining (the SAP paper trains with 5e-4)" },
} as const satisfies Readonly<Record<string, ParamRule>>;

/** The lottery-ticket and one-shot metrics (the last round's measures). */
const RATE_ROUNDS_METRICS = ["pqi_1_2", "gini", "remaining", "rounds_run"] as const;

/** Every catalogued method, in the order the docs list them. */
export const METHOD_CATALOG = [
  {
    name: "magnitude",
    description: "global or layer-wise magnitude pruning, one-shot or iterative with the cubic schedule of Zhu & Gupta (2017), masks kept through fine-tuning",
    params: {
      sparsity: { type: "float", min: 0, max: 1, exclusiveMax: true, default: 0.9, description: "target sparsity (unset: the common sparsity, else the default)" },
      scope: { type: "categorical", values: ["global", "layer"], default: "global", description: "threshold scope" },
      mode: { type: "categorical", values: ["one-shot", "iterative"], default: "one-shot", description: "prune once, or in rounds" },
      rounds: { type: "int", min: 1, max: 100, default: 3, description: "iterative: pruning rounds" },
      roundEpochs: { type: "int", min: 0, max: 100, default: 1, description: "iterative: fine-tune epochs after each intermediate round" },
      initialSparsity: { type: "float", min: 0, max: 1, exclusiveMax: true, default: 0, description: "iterative: schedule start s_0" },
      weightDecay: { type: "float", min: 0, max: 1, default: 0, description: "L2 penalty on the prunable weights while fine-tuning" },
    },
    metrics: ["pqi_1_2", "gini", "rounds_run"],
    progressStep: "one-shot: a fine-tuning epoch; iterative: a pruning round",
  },
  {
    name: "sap",
    description: "Sparsity-informed Adaptive Pruning (Diao et al., ICLR 2023): a PQ-Index-driven prune ratio per round, rewind to the initial weights, retrain",
    params: {
      p: { type: "float", min: 0, max: 10, exclusiveMin: true, default: 0.5, description: "PQ Index norm p (0 < p < q); smaller prunes less" },
      q: { type: "float", min: 0, max: 10, exclusiveMin: true, default: 1, description: "PQ Index norm q (q > p)" },
      scope: { type: "categorical", values: ["global", "layer", "neuron"], default: "global", description: "PQI and threshold per all weights, per layer or per output neuron" },
      etaR: { type: "float", min: 0, max: 100, default: 0, description: "compression tolerance eta_r; larger prunes more" },
      gamma: { type: "float", min: 0, max: 100, exclusiveMin: true, default: 1, description: "scaling factor gamma of the prune ratio" },
      beta: { type: "float", min: 0, max: 1, exclusiveMin: true, default: 0.9, description: "cap beta on the fraction of remaining weights pruned per round" },
      rounds: { type: "int", min: 1, max: 100, default: 5, description: "T: pruning rounds" },
      roundEpochs: { type: "int", min: 1, max: 1000, default: 2, description: "E: training epochs per round" },
      rewind: { type: "categorical", values: ["init", "none"], default: "init", description: "rewind to the initial weights after pruning (paper) or keep training" },
      stopRule: { type: "categorical", values: ["none", "c-zero", "pqi-rise", "both"], default: "none", description: "optional early end of the rounds" },
      stopDelta: { type: "float", min: 0, max: 1, default: 0.01, description: "pqi-rise rule: validation-accuracy drop that counts" },
      weightDecay: { type: "float", min: 0, max: 1, default: 0, description: "L2 penalty on the prunable weights while retraining (the SAP paper trains with 5e-4)" },
    },
    relations: [{ left: "p", op: "<", right: "q" }],
    metrics: ["sap_pqi", "pqi_1_2", "gini", "remaining", "rounds_run"],
    progressStep: "a pruning round",
  },
  {
    name: "lottery-ticket",
    description: "iterative lottery-ticket pruning (Frankle & Carbin 2019): prune P of the remaining weights by current magnitude, rewind to the initial weights, retrain",
    params: RATE_ROUNDS_PARAMS,
    metrics: RATE_ROUNDS_METRICS,
    progressStep: "a pruning round",
  },
  {
    name: "one-shot",
    description: "the one-shot (OS) baseline of the SAP paper: prune P of the remaining weights ranked by the dense trained magnitudes, rewind to the initial weights, retrain",
    params: RATE_ROUNDS_PARAMS,
    metrics: RATE_ROUNDS_METRICS,
    progressStep: "a pruning round",
  },
  {
    name: "layerprune",
    description: "LayerPrune (Elkerdawy et al., ACCV 2020): score filters, aggregate to layers/blocks, remove the k least important (or until a latency budget) and fine-tune; unit=filter is the filter-pruning counterpart",
    params: {
      unit: { type: "categorical", values: ["layer", "block", "filter"], default: "layer", description: "remove whole layers/blocks (the net's removable depth units; layer and block are the same here) or filters/neurons" },
      criterion: {
        type: "categorical",
        values: ["weight_l2", "weight_l1", "taylor_weight", "taylor_gate", "taylor_fmap", "bn_scale", "random", "imprint", "ensemble"],
        default: "taylor_weight",
        description: "per-filter importance, averaged per layer/block (imprint scores layers directly)",
      },
      removal: { type: "categorical", values: ["k", "latency"], default: "k", description: "remove k layers (or filterFraction of the units), or remove until the latency budget is met" },
      k: { type: "int", min: 1, max: 64, default: 1, description: "layers/blocks removed (removal=k)" },
      latencyBudget: { type: "float", min: 0, max: 1, exclusiveMin: true, default: 0.8, description: "removal=latency: target latency as a fraction of the unpruned latency" },
      latencyBatch: { type: "int", min: 1, max: 1024, default: 64, description: "batch size of the latency measured for removal=latency" },
      filterFraction: { type: "float", min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0.3, description: "unit=filter, removal=k: fraction of the prunable units removed" },
      filterScope: { type: "categorical", values: ["layer", "global"], default: "layer", description: "unit=filter: the fraction per layer, or one global ranking of L2-normalised scores" },
      criterionBatches: { type: "int", min: 1, max: 100000, default: 50, description: "mini-batches of the criterion pass" },
      imprintFeatures: { type: "int", min: 16, max: 8192, default: 512, description: "imprint: pooled features per layer" },
      lrDrop: { type: "bool", default: true, description: "fine-tune the second half of finetune.epochs at 0.1x the learning rate" },
    },
    metrics: ["removed_layers", "removed_units", "dense_macs_before", "params_before"],
    progressStep: "a fine-tuning epoch",
  },
  {
    name: "gates",
    description: "learnable scaling factors (after Haider & Taj, ICIP 2021) at neuron, filter, layer and block granularity with an L1 penalty, online thresholding and physical removal at export",
    params: {
      neuron: { type: "bool", default: true, description: "gate dense-layer neurons" },
      filter: { type: "bool", default: true, description: "gate conv filters" },
      layer: { type: "bool", default: true, description: "gate shape-preserving plain layers (y = g f(x) + (1-g) x)" },
      block: { type: "bool", default: true, description: "gate residual branches (y = act(x + g F(x)))" },
      lambdaNeuron: { type: "float", min: 0, max: 1, default: 1e-4, description: "L1 weight of the neuron gates" },
      lambdaFilter: { type: "float", min: 0, max: 1, default: 1e-4, description: "L1 weight of the filter gates" },
      lambdaLayer: { type: "float", min: 0, max: 1, default: 1e-4, description: "L1 weight of the layer gates" },
      lambdaBlock: { type: "float", min: 0, max: 1, default: 1e-4, description: "L1 weight of the block gates" },
      regularizer: { type: "categorical", values: ["l1", "l1_hard_threshold_ste"], default: "l1", description: "plain L1, or L1 with a hard-thresholded forward pass and straight-through gradient" },
      tau: { type: "float", min: 0, max: 1, default: 0.01, description: "gates with |g| < tau are zeroed for good" },
      gateInit: { type: "float", min: 0, max: 10, exclusiveMin: true, default: 1, description: "initial gate value" },
      gateLrMult: { type: "float", min: 0, max: 1000, exclusiveMin: true, default: 1, description: "learning-rate multiplier of the gates" },
      pruneInterval: { type: "categorical", values: ["epoch", "steps", "end"], default: "epoch", description: "when gates below tau are zeroed: every epoch, every pruneSteps steps, or only at the end" },
      pruneSteps: { type: "int", min: 1, max: 1000000, default: 100, description: "pruneInterval=steps: optimizer steps between thresholdings" },
      epochs: { type: "int", min: 0, max: 1000, default: 20, description: "training epochs with gates and penalty" },
      postExportEpochs: { type: "int", min: 0, max: 1000, default: 0, description: "fine-tune epochs after the structures are removed" },
    },
    metrics: ["gates_total", "gates_zeroed", "removed_layers", "removed_units", "compression", "dense_macs_before", "params_before"],
    progressStep: "a training epoch (gates, then fine-tuning)",
  },
  {
    name: "early-exit",
    description: "pruning of early-exit networks (Görmez & Koyuncu 2022): magnitude-prune backbone and exits together (simultaneous) or the backbone first, then fresh exits on the frozen backbone (ordered)",
    params: {
      approach: { type: "categorical", values: ["simultaneous", "ordered"], default: "simultaneous", description: "prune everything together, or backbone then exits" },
      iterations: { type: "int", min: 1, max: 100, default: 20, description: "prune + fine-tune iterations (per phase)" },
      fraction: { type: "float", min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0.1, description: "fraction of the remaining weights pruned per iteration" },
      scope: { type: "categorical", values: ["global", "layer"], default: "global", description: "magnitude threshold over all pruned tensors or per tensor" },
      epochsPerIteration: { type: "int", min: 0, max: 1000, default: 1, description: "fine-tune epochs after each pruning iteration" },
      exitEpochs: { type: "int", min: 0, max: 1000, default: 2, description: "ordered: epochs training the fresh exits on the frozen pruned backbone" },
      lossWeights: { type: "categorical", values: ["model", "uniform", "increasing"], default: "model", description: "per-exit loss weights while fine-tuning (model: modelOptions.exitLossWeights)" },
      criterion: { type: "categorical", values: ["max-softmax", "entropy"], default: "max-softmax", description: "exit when max softmax >= tau, or normalised entropy <= tau (unset: modelOptions.exitRule.criterion)" },
      tau: { type: "float", min: 0, max: 1, description: "fixed operating threshold (unset: modelOptions.exitRule.tau, else the cheapest tau within maxAccuracyDrop)" },
      maxAccuracyDrop: { type: "float", min: 0, max: 1, default: 0.01, description: "operating point: tolerated accuracy drop below the final exit on validation (unset: modelOptions.exitRule.maxAccuracyDrop)" },
    },
    metrics: [],
    progressStep: "a fine-tuning epoch of a prune iteration",
  },
] as const satisfies readonly MethodCatalogEntry[];

/** Names of the catalogued methods. */
export type MethodName = (typeof METHOD_CATALOG)[number]["name"];

/** The catalogue entry of method `N`, with its literal parameter rules. */
export type MethodEntry<N extends MethodName> = Extract<(typeof METHOD_CATALOG)[number], { readonly name: N }>;

/** Names of the catalogued methods, in catalogue order. */
export const METHOD_NAMES: readonly MethodName[] = METHOD_CATALOG.map((m) => m.name);

/** Whether `name` is a catalogued method. */
export function isMethodName(name: string): name is MethodName {
  return (METHOD_NAMES as readonly string[]).includes(name);
}

/** Looks a method up by name; undefined when unknown. */
export function findMethod(name: string): MethodCatalogEntry | undefined {
  return METHOD_CATALOG.find((m) => m.name === name);
}

/** The catalogue entry of a method known at compile time. */
export function methodEntry<N extends MethodName>(name: N): MethodEntry<N> {
  return METHOD_CATALOG.find((m): m is MethodEntry<N> => m.name === name) as MethodEntry<N>;
}

/**
 * Finds the rule for a search-space or trial parameter name: a common parameter, or
 * `<method>.<param>` of a catalogued method. Returns undefined for unknown names.
 */
export function findParamRule(name: string): { method?: string; rule: ParamRule } | undefined {
  const common = (COMMON_PARAMS as Readonly<Record<string, ParamRule>>)[name];
  if (common) return { rule: name === "method" ? { ...common, values: METHOD_NAMES } : common };
  const dot = name.indexOf(".");
  if (dot < 0) return undefined;
  const method = findMethod(name.slice(0, dot));
  const rule = method?.params[name.slice(dot + 1)];
  return rule && method ? { method: method.name, rule } : undefined;
}

/**
 * The first relation of `method` that `values` (its own parameters, defaults applied) break,
 * as the parameter to blame (one the trial set, when it set one) and a message; undefined
 * when every relation holds or a side is unset.
 */
export function relationViolation(
  method: MethodCatalogEntry,
  values: Readonly<Record<string, unknown>>,
  given: Readonly<Record<string, unknown>> = values,
): { readonly param: string; readonly message: string } | undefined {
  for (const rel of method.relations ?? []) {
    const l = values[rel.left];
    const r = values[rel.right];
    if (typeof l !== "number" || typeof r !== "number") continue;
    if (rel.op === "<" ? l < r : l <= r) continue;
    const blamed = given[rel.left] !== undefined ? rel.left : rel.right;
    return {
      param: `${method.name}.${blamed}`,
      message: `must satisfy ${method.name}.${rel.left} ${rel.op} ${method.name}.${rel.right}, got ${rel.left}=${l}, ${rel.right}=${r}`,
    };
  }
  return undefined;
}
