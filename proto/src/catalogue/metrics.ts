/**
 * The metric catalogue: every metric a worker reports, with the direction in which it is
 * better, its unit and when it is reported. Objectives, constraints, early stoppers and
 * `prunesweep pareto` may name any of them. Names with `<k>` or `<n>` stand for a family
 * (`accuracy_exit_1`, `accuracy_exit_2`, ...).
 */

/** Whether larger or smaller values are better; absent where neither is (a setting, a count). */
export type MetricDirection = "maximize" | "minimize";

/** When a metric is reported. */
export type MetricWhen =
  /** in every completed trial's final metrics */
  | "trial"
  /** in the final metrics of trials whose model has early exits */
  | "exits"
  /** in the final metrics of the methods that list it (method catalogue `metrics`) */
  | "method"
  /** only in progress reports (per epoch or pruning round), the early stoppers' input */
  | "progress";

/** One catalogued metric. */
export interface MetricCatalogEntry {
  /** Name, or family name with `<k>`/`<n>` for a whole number. */
  readonly name: string;
  readonly direction?: MetricDirection;
  readonly unit: string;
  readonly when: MetricWhen;
  readonly description: string;
  /**
   * The metric progress reports carry in its place while a trial trains, when the metric itself
   * is only measured at the end (`accuracy`, on the test split, is followed by `val_accuracy`).
   */
  readonly progress?: string;
}

/** Batch sizes of the latency metrics `latency_ms_b<n>`. */
export const LATENCY_BATCH_SIZES: readonly number[] = [1, 64];

/** Every metric, in the order the docs list them. */
export const METRIC_CATALOG: readonly MetricCatalogEntry[] = [
  { name: "accuracy", direction: "maximize", unit: "fraction", when: "trial", description: "test accuracy of the final exit", progress: "val_accuracy" },
  { name: "val_accuracy", direction: "maximize", unit: "fraction", when: "trial", description: "validation accuracy of the final exit (absent without a validation split); also in progress reports" },
  { name: "accuracy_exit_<k>", direction: "maximize", unit: "fraction", when: "trial", description: "test accuracy when every example leaves at exit k (k = 1 … K, K = the final classifier)" },
  { name: "pretrain_val_accuracy", direction: "maximize", unit: "fraction", when: "trial", description: "validation accuracy of the dense pretrained model" },
  { name: "params", direction: "minimize", unit: "count", when: "trial", description: "trainable parameter values (kernels, biases, ...) of the final structure" },
  { name: "nonzero_params", direction: "minimize", unit: "count", when: "trial", description: "trainable parameter values that are not zero" },
  { name: "sparsity", direction: "maximize", unit: "fraction", when: "trial", description: "fraction of the prunable (kernel) weights that are zero; also in progress reports" },
  { name: "pqi", unit: "index in [0, 1]", when: "trial", description: "PQ Index I(0.5, 1) over the non-zero prunable weights (per layer in the details); larger is sparser" },
  { name: "dense_macs", direction: "minimize", unit: "MACs per example", when: "trial", description: "multiply-accumulates of the current structure, exit heads included" },
  { name: "effective_macs", direction: "minimize", unit: "MACs per example", when: "trial", description: "MACs of the non-zero weights only" },
  { name: "expected_macs", direction: "minimize", unit: "MACs per example", when: "trial", description: "mean effective MACs with early exiting at the operating point (= effective_macs without exits)" },
  { name: "expected_dense_macs", direction: "minimize", unit: "MACs per example", when: "trial", description: "the same with dense MACs (= dense_macs without exits)" },
  { name: "latency_ms_b<n>", direction: "minimize", unit: "ms", when: "trial", description: `median forward latency at batch n (${LATENCY_BATCH_SIZES.join(" and ")}) on the worker's backend, after warm-up` },
  { name: "wall_ms_pretrain", direction: "minimize", unit: "ms", when: "trial", description: "time to obtain the pretrained dense model (near 0 when another trial already trained it)" },
  { name: "wall_ms_prune", direction: "minimize", unit: "ms", when: "trial", description: "time in the pruning method outside fine-tuning" },
  { name: "wall_ms_finetune", direction: "minimize", unit: "ms", when: "trial", description: "time fine-tuning" },
  { name: "wall_ms_metrics", direction: "minimize", unit: "ms", when: "trial", description: "time measuring these metrics" },
  { name: "ee_accuracy", direction: "maximize", unit: "fraction", when: "exits", description: "test accuracy with early exiting at the operating point chosen on validation" },
  { name: "ee_tau", unit: "threshold", when: "exits", description: "the exit threshold τ of that operating point" },
  { name: "pqi_1_2", unit: "index in [0, 1]", when: "method", description: "PQ Index I(1, 2) of the kept weights after the last round" },
  { name: "gini", unit: "index in [0, 1]", when: "method", description: "Gini index of the kept weights' magnitudes after the last round" },
  { name: "sap_pqi", unit: "index in [0, 1]", when: "method", description: "PQ Index at the trial's own (sap.p, sap.q) after the last round" },
  { name: "remaining", direction: "minimize", unit: "fraction", when: "method", description: "fraction of the prunable weights left after the last round; also in progress reports" },
  { name: "rounds_run", unit: "count", when: "method", description: "pruning rounds run (fewer than asked when a stop rule or the budget ended them)" },
  { name: "removed_layers", unit: "count", when: "method", description: "layers or residual blocks removed" },
  { name: "removed_units", unit: "count", when: "method", description: "neurons and filters removed" },
  { name: "compression", direction: "maximize", unit: "fraction", when: "method", description: "1 − params after / params before" },
  { name: "dense_macs_before", unit: "MACs per example", when: "method", description: "dense MACs before the structural edit" },
  { name: "params_before", unit: "count", when: "method", description: "parameter values before the structural edit" },
  { name: "gates_total", unit: "count", when: "method", description: "learnable gates attached" },
  { name: "gates_zeroed", unit: "count", when: "method", description: "gates below tau at the end (their structures are removed)" },
  { name: "loss", direction: "minimize", unit: "cross-entropy", when: "progress", description: "mean training loss of the last epoch" },
  { name: "pqi_05_1", unit: "index in [0, 1]", when: "progress", description: "PQ Index I(0.5, 1) of the kept weights after a pruning round" },
];

/** `accuracy_exit_<k>` → /^accuracy_exit_\d+$/. */
function namePattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/<[a-z]>/g, "\\d+");
  return new RegExp(`^${escaped}$`);
}

const PATTERNS = METRIC_CATALOG.map((m) => ({ entry: m, re: namePattern(m.name) }));

/** The catalogue entry of a reported metric name (`accuracy_exit_2` → `accuracy_exit_<k>`); undefined when unknown. */
export function findMetric(name: string): MetricCatalogEntry | undefined {
  return PATTERNS.find((p) => p.re.test(name))?.entry;
}
