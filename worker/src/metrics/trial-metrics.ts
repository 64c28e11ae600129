/**
 * The metrics every completed trial reports (objectives may name any of them):
 *
 * | metric | meaning |
 * |---|---|
 * | `accuracy` | test accuracy of the final exit |
 * | `val_accuracy` | validation accuracy of the final exit (absent without a validation split) |
 * | `accuracy_exit_k` | test accuracy when every example leaves at exit k (k = 1 … K, K = final) |
 * | `params`, `nonzero_params` | trainable parameter values, and those that are non-zero |
 * | `sparsity` | fraction of zero prunable (kernel) weights |
 * | `pqi` | PQ Index I_{0.5,1} over the non-zero prunable weights (per layer in details) |
 * | `dense_macs` | MACs per example of the current structure, exit heads included (C_K) |
 * | `effective_macs` | MACs of the non-zero weights only |
 * | `expected_macs` | mean effective C_k with early exiting at the operating point (= effective_macs without exits) |
 * | `expected_dense_macs` | the same with dense C_k (= dense_macs without exits) |
 * | `ee_accuracy`, `ee_tau` | test accuracy and τ at the operating point (early-exit nets only) |
 * | `latency_ms_b1`, `latency_ms_b64` | median forward latency, batch 1 and 64, on the worker's backend |
 * | `wall_ms_metrics` | time spent measuring all this |
 *
 * The operating point is chosen on the validation split (test when there is none) and then
 * evaluated on test. Details carry per-layer sparsity/PQI/MACs, per-exit costs and accuracy,
 * both τ curves and the latency settings.
 */
import { splitOf, type Dataset } from "../data/types.js";
import { tauGridOf, type ExitRule } from "../models/exits.js";
import type { Net } from "../models/net.js";
import { chooseOperatingPoint, exitAccuracies, exitCurve, exitPoint, predictExits } from "./exit-metrics.js";
import { measureLatency, type LatencyOptions } from "./latency.js";
import { measureModel } from "./model-metrics.js";

/** Options of {@link collectTrialMetrics}. */
export interface TrialMetricsOptions {
  /** Overrides the model's `modelOptions.exitRule` (the early-exit method's parameters). */
  readonly exitRule?: ExitRule;
  /** Latency settings; `false` skips the measurement. */
  readonly latency?: LatencyOptions | false;
}

/** Trial metrics and details. */
export interface CollectedMetrics {
  readonly metrics: Record<string, number>;
  readonly details: Record<string, unknown>;
}

/** Latency batch sizes reported as `latency_ms_b<n>`. */
const LATENCY_BATCH_SIZES: readonly number[] = [1, 64];

/** Measures `net` on `data` (see the table above). Leaves no tensors behind. */
export async function collectTrialMetrics(net: Net, data: Dataset, opts: TrialMetricsOptions = {}): Promise<CollectedMetrics> {
  const started = performance.now();
  const size = await measureModel(net);
  const testPred = await predictExits(net, splitOf(data, "test"));
  const testAcc = exitAccuracies(testPred);
  const hasVal = data.nVal > 0;
  const valPred = hasVal ? await predictExits(net, splitOf(data, "validation")) : undefined;
  const valAcc = valPred ? exitAccuracies(valPred) : [];
  const K = testAcc.length;
  const metrics: Record<string, number> = {
    accuracy: testAcc[K - 1] ?? Number.NaN,
    params: size.params,
    nonzero_params: size.nonzeroParams,
    sparsity: size.sparsity,
    pqi: size.pqi,
    dense_macs: size.denseMacs,
    effective_macs: size.effectiveMacs,
    expected_macs: size.effectiveMacs,
    expected_dense_macs: size.denseMacs,
  };
  if (hasVal) metrics["val_accuracy"] = valAcc[K - 1] ?? Number.NaN;
  testAcc.forEach((a, k) => (metrics[`accuracy_exit_${k + 1}`] = a));
  const details: Record<string, unknown> = {
    layerSparsity: size.layerSparsity,
    layerPqi: size.layerPqi,
    layerCosts: size.layerCosts,
    exits: size.exitCosts.map((c, k) => ({ ...c, accuracy: testAcc[k], valAccuracy: valAcc[k] })),
  };

  if (net.exits.length > 0) {
    const rule = opts.exitRule ?? net.exitOptions.exitRule;
    const grid = tauGridOf({ ...net.exitOptions, exitRule: rule });
    const selectOn = valPred ?? testPred;
    const selectAcc = (valPred ? valAcc : testAcc)[K - 1] ?? Number.NaN;
    const selectCurve = exitCurve(selectOn, size.exitCosts, rule.criterion, grid);
    const choice = chooseOperatingPoint(selectCurve, rule, selectAcc);
    const atTest = choice.tau === undefined ? undefined : exitPoint(testPred, size.exitCosts, rule.criterion, choice.tau);
    const final = size.exitCosts[K - 1];
    metrics["ee_accuracy"] = atTest?.accuracy ?? metrics["accuracy"] ?? Number.NaN;
    metrics["expected_macs"] = atTest?.expectedMacs ?? final?.effectiveMacs ?? 0;
    metrics["expected_dense_macs"] = atTest?.expectedDenseMacs ?? final?.denseMacs ?? 0;
    if (choice.tau !== undefined) metrics["ee_tau"] = choice.tau;
    details["exitCurve"] = {
      criterion: rule.criterion,
      test: exitCurve(testPred, size.exitCosts, rule.criterion, grid),
      ...(valPred ? { validation: selectCurve } : {}),
    };
    details["operatingPoint"] = { rule, chosenOn: valPred ? "validation" : "test", ...choice, test: atTest ?? null };
  }

  if (opts.latency !== false) {
    const latency: Record<string, unknown> = {};
    for (const b of LATENCY_BATCH_SIZES) {
      const r = await measureLatency(net, b, opts.latency || {});
      metrics[`latency_ms_b${b}`] = r.medianMs;
      latency[`b${b}`] = { medianMs: r.medianMs, runs: r.runs };
      latency["backend"] = r.backend;
    }
    details["latency"] = latency;
  }
  metrics["wall_ms_metrics"] = Math.round(performance.now() - started);
  return { metrics, details };
}
