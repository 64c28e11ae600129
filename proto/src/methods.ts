/**
 * The pruning-method catalogue shared by the coordinator and the workers, as data: method
 * names and the rules of their parameters. The coordinator validates a campaign's search
 * space against it before dispatching anything; the worker validates the parameters of each
 * trial against it before training. Search-space names are namespaced by method
 * (`sap.p`); parameters in COMMON_PARAMS apply to every method.
 */

/** The rule for one parameter. Bounds are inclusive unless marked exclusive. */
export interface ParamRule {
  readonly type: "float" | "int" | "categorical" | "bool";
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
  readonly values?: readonly string[];
  readonly default?: number | string | boolean;
  readonly description: string;
}

export interface MethodCatalogEntry {
  readonly name: string;
  readonly description: string;
  readonly params: Readonly<Record<string, ParamRule>>;
  /** Pairwise parameter relations every trial must satisfy, e.g. `p < q`. */
  readonly relations?: readonly { readonly left: string; readonly op: "<" | "<="; readonly right: string }[];
}

/** Parameters every method understands (not namespaced). */
export const COMMON_PARAMS: Readonly<Record<string, ParamRule>> = {
  method: { type: "categorical", values: [], default: "magnitude", description: "pruning method of the trial" },
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
    description: "fine-tuning learning rate (Adam)",
  },
  "finetune.batchSize": { type: "int", min: 1, max: 65536, default: 64, description: "fine-tuning batch size" },
};

export const METHOD_CATALOG: readonly MethodCatalogEntry[] = [
  {
    name: "magnitude",
    description: "global or layer-wise magnitude pruning, one-shot or iterative with a polynomial schedule",
    params: {
      sparsity: { type: "float", min: 0, max: 1, exclusiveMax: true, default: 0.9, description: "target sparsity" },
      scope: { type: "categorical", values: ["global", "layer"], default: "global", description: "threshold scope" },
    },
  },
];

/** Names of the registered methods. */
export const METHOD_NAMES: readonly string[] = METHOD_CATALOG.map((m) => m.name);

/** Looks a method up by name; undefined when unknown. */
export function findMethod(name: string): MethodCatalogEntry | undefined {
  return METHOD_CATALOG.find((m) => m.name === name);
}

/**
 * Finds the rule for a search-space or trial parameter name: a common parameter, or
 * `<method>.<param>` of a catalogued method. Returns undefined for unknown names.
 */
export function findParamRule(name: string): { method?: string; rule: ParamRule } | undefined {
  const common = COMMON_PARAMS[name];
  if (common) return { rule: name === "method" ? { ...common, values: METHOD_NAMES } : common };
  const dot = name.indexOf(".");
  if (dot < 0) return undefined;
  const method = findMethod(name.slice(0, dot));
  const rule = method?.params[name.slice(dot + 1)];
  return rule && method ? { method: method.name, rule } : undefined;
}
