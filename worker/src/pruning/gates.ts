/**
 * Learnable scaling factors at neuron, filter, layer and block granularity (Haider & Taj, ICIP
 * 2021; docs/methods.md §3 — an inferred specification: the paper's code is not public).
 *
 * 1. Gates (init `gateInit`) are attached where models/gating.ts describes; a granularity the
 *    model lacks is skipped (no gates at all is an InvalidTaskError).
 * 2. Training for `epochs` with L = CE (joint over exits) + Σ_gran λ_gran Σ|g|; the gates'
 *    effective learning rate is scaled by `gateLrMult`; with `l1_hard_threshold_ste` the
 *    forward pass uses g·1[|g| > τ] with a straight-through gradient. After every step the gates
 *    are projected to g >= 0 (so they fold exactly through ReLU at export).
 * 3. Online pruning: every epoch (or every `pruneSteps` steps, or only at the end) gates with
 *    |g| < τ are zeroed for good — their masks stop the gradient and keep them at 0 (every unit
 *    group keeps at least its largest gate so the signal never dies).
 * 4. Export: zero-gated structures are physically removed (blocks → identities, units →
 *    smaller kernels), surviving gates folded; then `postExportEpochs` of plain fine-tuning.
 *
 * Reports `gates_total`, `gates_zeroed`, `removed_layers`, `removed_units` and
 * `compression` = 1 − params after / params before.
 */
import { methodEntry, withDefaults } from "@prunesweep/proto";
import * as tf from "@tensorflow/tfjs";
import { InvalidTaskError } from "../errors.js";
import { readGate, gateValue, type GateConfig } from "../models/gate-value.js";
import { attachGates, exportGates, type GateHandle, type Granularity } from "../models/gating.js";
import { crossEntropyLoss, type LossFn } from "../training/train.js";
import type { MethodMetricName, MethodParamValues, PruningContext, PruningMethod, PruningResult } from "./pruning-method.js";
import { snapshotStructure } from "./structured-utils.js";

/** Parsed parameters of {@link gatesMethod}. */
export interface GatesParams {
  readonly granularities: Readonly<Record<Granularity, boolean>>;
  readonly lambdas: Readonly<Record<Granularity, number>>;
  readonly regularizer: "l1" | "l1_hard_threshold_ste";
  readonly tau: number;
  readonly gateInit: number;
  readonly gateLrMult: number;
  readonly pruneInterval: "epoch" | "steps" | "end";
  readonly pruneSteps: number;
  readonly epochs: number;
  readonly postExportEpochs: number;
}

const NAME = "gates";
const RULES = methodEntry(NAME).params;

/** Gate masks (0/1 variables) and the online thresholding of one trial. */
class GateState {
  readonly masks = new Map<string, tf.Variable>();

  constructor(
    readonly handles: readonly GateHandle[],
    private readonly tau: number,
  ) {
    for (const h of handles) {
      const g = h.gate();
      if (g) this.masks.set(g.param.name, tf.tidy(() => tf.variable(tf.onesLike(g.param.variable), false)));
    }
  }

  /** Projects every gate to g >= 0. */
  project(): void {
    tf.tidy(() => {
      for (const h of this.handles) {
        const v = h.gate()?.param.variable;
        if (v) v.assign(tf.relu(v));
      }
    });
  }

  /**
   * Zeroes gates below τ for good (unit groups keep their largest gate). On the device: it
   * runs between training steps, where backends without synchronous reads (webgpu) cannot
   * read the gates.
   */
  threshold(): void {
    for (const h of this.handles) {
      const g = h.gate();
      const mask = g ? this.masks.get(g.param.name) : undefined;
      if (!g || !mask) continue;
      tf.tidy(() => {
        const a = tf.abs(tf.mul(g.param.variable, g.config.lrMult));
        let m: tf.Tensor = tf.mul(mask, tf.cast(tf.greaterEqual(a, this.tau), "float32"));
        if (h.granularity === "neuron" || h.granularity === "filter") {
          const largest = tf.reshape(tf.oneHot(tf.argMax(tf.reshape(a, [-1])), a.size, 1, 0, "float32"), a.shape);
          m = tf.where(tf.equal(tf.sum(m), 0), largest, m);
        }
        mask.assign(m);
        g.param.variable.assign(tf.mul(g.param.variable, m));
      });
    }
  }

  /** Zeroed gates per granularity, and all gates. */
  async counts(): Promise<{ total: number; zeroed: Record<string, number> }> {
    let total = 0;
    const zeroed: Record<string, number> = {};
    for (const h of this.handles) {
      const g = h.gate();
      if (!g) continue;
      await g.param.variable.data();
      const v = readGate(g);
      total += v.length;
      zeroed[h.granularity] = (zeroed[h.granularity] ?? 0) + v.filter((x) => Math.abs(x) < this.tau).length;
    }
    return { total, zeroed };
  }

  dispose(): void {
    for (const m of this.masks.values()) m.dispose();
  }
}

/** CE + Σ λ_gran Σ|g| (L1 on the effective, un-thresholded gates). */
function gatedLoss(handles: readonly GateHandle[], lambdas: Readonly<Record<Granularity, number>>): LossFn {
  return (net, x, y) => {
    let loss = crossEntropyLoss(net, x, y);
    for (const h of handles) {
      const g = h.gate();
      const lambda = lambdas[h.granularity];
      if (!g || lambda === 0) continue;
      loss = tf.add(loss, tf.mul(tf.sum(tf.abs(gateValue({ ...g, config: { lrMult: g.config.lrMult } }))), lambda));
    }
    return loss;
  };
}

/** The `gates` pruning method. */
export const gatesMethod: PruningMethod<GatesParams, "gates"> = {
  name: NAME,

  parseParams({ own }: MethodParamValues): GatesParams {
    const v = withDefaults(RULES, own);
    return {
      granularities: { neuron: v.neuron, filter: v.filter, layer: v.layer, block: v.block },
      lambdas: { neuron: v.lambdaNeuron, filter: v.lambdaFilter, layer: v.lambdaLayer, block: v.lambdaBlock },
      regularizer: v.regularizer,
      tau: v.tau,
      gateInit: v.gateInit,
      gateLrMult: v.gateLrMult,
      pruneInterval: v.pruneInterval,
      pruneSteps: v.pruneSteps,
      epochs: v.epochs,
      postExportEpochs: v.postExportEpochs,
    };
  },

  async run(ctx: PruningContext, p: GatesParams): Promise<PruningResult<MethodMetricName<"gates">>> {
    const net = ctx.net;
    const before = snapshotStructure(net);
    const config: GateConfig = { lrMult: p.gateLrMult, steTau: p.regularizer === "l1_hard_threshold_ste" ? p.tau : undefined };
    const handles = attachGates(net, { ...p.granularities, config, init: p.gateInit });
    if (handles.length === 0) {
      throw new InvalidTaskError(`no gate applies to model "${net.architecture}" with granularities ${JSON.stringify(p.granularities)}`);
    }
    const state = new GateState(handles, p.tau);
    try {
      const stepsPerEpoch = Math.max(1, Math.ceil(ctx.data.nTrain / ctx.settings.batchSize));
      const interval = p.pruneInterval === "steps" ? p.pruneSteps : p.pruneInterval === "epoch" ? stepsPerEpoch : 0;
      const ft = await ctx.fineTune({
        epochs: p.epochs,
        phase: "gates",
        masks: state.masks,
        loss: gatedLoss(handles, p.lambdas),
        afterStep: (step) => {
          state.project();
          if (interval > 0 && (step + 1) % interval === 0) state.threshold();
        },
      });
      state.threshold();
      const counts = await state.counts();
      ctx.log("gates trained", { total: counts.total, zeroed: counts.zeroed });
      // A stop decision still exports: the metrics describe the pruned net as it is.
      await net.fetchToHost();
      const report = exportGates(net, handles, p.tau);
      const after = snapshotStructure(net);
      let stopped = ft.decision === "stop";
      if (!stopped && !ft.budgetExhausted && p.postExportEpochs > 0) {
        stopped = (await ctx.fineTune({ epochs: p.postExportEpochs, phase: "finetune" })).decision === "stop";
      }
      const removedUnits = Object.values(report.removedUnits).reduce((a, b) => a + b, 0);
      return {
        stoppedEarly: stopped,
        metrics: {
          gates_total: counts.total,
          gates_zeroed: Object.values(counts.zeroed).reduce((a, b) => a + b, 0),
          removed_layers: report.removedBlocks.length,
          removed_units: removedUnits,
          compression: before.params === 0 ? 0 : 1 - after.params / before.params,
          dense_macs_before: before.denseMacs,
          params_before: before.params,
        },
        details: { gates: { zeroed: counts.zeroed, total: counts.total, ...report, before, after, config } },
      };
    } finally {
      state.dispose();
    }
  },
};
