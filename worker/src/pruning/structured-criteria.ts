/**
 * Per-unit (neuron/filter) importance criteria of LayerPrune and its filter-pruning
 * counterpart (docs/methods.md §2.3), aggregated to block scores.
 *
 * | criterion | per-unit score s_c (unit c = last axis of the producer kernel) |
 * |---|---|
 * | `weight_l2` | Σ W_c² |
 * | `weight_l1` | Σ \|W_c\| |
 * | `taylor_weight` | Σ (W_c ⊙ ∂L/∂W_c)², averaged over the criterion batches |
 * | `taylor_gate` | (Σ_{batch,space} a_c · ∂L/∂a_c)² per batch, averaged: a virtual gate g = 1 after the unit |
 * | `taylor_fmap` | mean_{batch,space} \|a_c · ∂L/∂a_c\| averaged over batches, then divided by the layer's L2 norm (Molchanov 2017) |
 * | `bn_scale` | \|γ_c\| of the BatchNorm after the kernel (also a learned gate when gates are attached) |
 * | `random` | uniform in [0, 1) from the trial's seeded generator |
 * | `ensemble` | Σ over {taylor_weight, weight_l2, taylor_fmap, taylor_gate, bn_scale when present} of the unit's rank / units |
 *
 * `a_c` is the unit's activated output (after BN and ReLU), read through the forward pass's
 * probe with a `tf.customGrad` identity. The criterion pass runs `batches` training
 * mini-batches in inference mode and does NOT update the weights (the paper's pass trains at
 * lr 1e-3; a deliberate simplification). The loss is the net's joint loss over all exits.
 * A block's score is the mean of its scoring units' scores (docs/methods.md §2.3).
 */
import * as tf from "@tensorflow/tfjs";
import { InvalidParameterError } from "../errors.js";
import type { Rng } from "../data/rng.js";
import type { MethodEntry, RuleValue } from "@prunesweep/proto";
import { sizeOf, type DataSplit } from "../data/types.js";
import { readParam, type UnitInfo } from "../models/layers.js";
import type { Net } from "../models/net.js";
import { weightedExitLoss } from "../training/train.js";

/** Unit-level criteria: every `layerprune.criterion` of the catalogue but `imprint`, which scores whole blocks. */
export type UnitCriterion = Exclude<RuleValue<MethodEntry<"layerprune">["params"]["criterion"]>, "imprint">;

/** How the criterion pass samples data. */
export interface CriterionPass {
  readonly data: DataSplit;
  readonly batches: number;
  readonly batchSize: number;
  readonly rng: Rng;
  /** Parameter name for error messages, e.g. `layerprune.criterion`. */
  readonly param: string;
}

/** Scores of every unit of each target, keyed by target id. */
export async function unitScores(net: Net, targets: readonly UnitInfo[], criterion: UnitCriterion, pass: CriterionPass): Promise<Map<string, Float64Array>> {
  if (criterion === "ensemble") return ensembleScores(net, targets, pass);
  if (criterion === "taylor_weight" || criterion === "taylor_gate" || criterion === "taylor_fmap") {
    const all = await taylorScores(net, targets, pass);
    return all[criterion];
  }
  const out = new Map<string, Float64Array>();
  await net.fetchToHost();
  for (const t of targets) {
    const s = new Float64Array(t.units);
    if (criterion === "random") {
      for (let c = 0; c < t.units; c++) s[c] = pass.rng.next();
    } else if (criterion === "bn_scale") {
      const scale = t.bnScale ?? t.gate;
      if (!scale) throw new InvalidParameterError(pass.param, `"bn_scale" needs BatchNorm (or gates) after "${t.id}"; model "${net.architecture}" has none there`);
      const v = readParam(scale);
      for (let c = 0; c < t.units; c++) s[c] = Math.abs(v[c] ?? 0);
    } else {
      const w = readParam(t.kernel);
      for (let i = 0; i < w.length; i++) {
        const x = w[i] ?? 0;
        const c = i % t.units;
        s[c] = (s[c] ?? 0) + (criterion === "weight_l2" ? x * x : Math.abs(x));
      }
    }
    out.set(t.id, s);
  }
  return out;
}

/** Mean of each target's scores. */
export function meanScore(scores: Float64Array): number {
  let s = 0;
  for (const v of scores) s += v;
  return scores.length === 0 ? 0 : s / scores.length;
}

async function ensembleScores(net: Net, targets: readonly UnitInfo[], pass: CriterionPass): Promise<Map<string, Float64Array>> {
  const taylor = await taylorScores(net, targets, pass);
  const members: Map<string, Float64Array>[] = [taylor.taylor_weight, taylor.taylor_gate, taylor.taylor_fmap, await unitScores(net, targets, "weight_l2", pass)];
  // bn_scale joins only when every target has a BatchNorm (or gate) scale to read.
  if (targets.every((t) => t.bnScale ?? t.gate)) members.push(await unitScores(net, targets, "bn_scale", pass));
  const out = new Map<string, Float64Array>();
  for (const t of targets) {
    const sum = new Float64Array(t.units);
    for (const m of members) {
      const s = m.get(t.id) ?? new Float64Array(t.units);
      const order = [...s.keys()].sort((a, b) => (s[a] ?? 0) - (s[b] ?? 0));
      order.forEach((unit, rank) => (sum[unit] = (sum[unit] ?? 0) + rank / Math.max(1, t.units)));
    }
    out.set(t.id, sum);
  }
  return out;
}

type TaylorScores = Record<"taylor_weight" | "taylor_gate" | "taylor_fmap", Map<string, Float64Array>>;

/** One criterion pass computing the three Taylor scores together. */
async function taylorScores(net: Net, targets: readonly UnitInfo[], pass: CriterionPass): Promise<TaylorScores> {
  const gate = new Map(targets.map((t) => [t.id, new Float64Array(t.units)]));
  const fmap = new Map(targets.map((t) => [t.id, new Float64Array(t.units)]));
  const weight = new Map(targets.map((t) => [t.id, new Float64Array(t.units)]));
  const byId = new Map(targets.map((t) => [t.id, t]));
  const pending: { id: string; gateSum: tf.Tensor; fmapMean: tf.Tensor }[] = [];
  const probes = new Map(
    targets.map((t) => [
      t.id,
      tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
        save([a]);
        return {
          value: tf.clone(a),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const prod = tf.mul(saved[0] as tf.Tensor, dy);
            const axes = prod.shape.map((_, i) => i).slice(0, -1);
            pending.push({ id: t.id, gateSum: tf.keep(tf.sum(prod, axes)), fmapMean: tf.keep(tf.mean(tf.abs(prod), axes)) });
            return dy;
          },
        };
      }) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor) => tf.Tensor,
    ]),
  );
  const probe = (id: string, a: tf.Tensor): tf.Tensor => probes.get(id)?.(a) ?? a;
  const kernels = targets.map((t) => t.kernel.variable);
  const d = sizeOf(net.inputShape);
  const order = pass.rng.permutation(pass.data.count);
  const batches = Math.max(1, Math.min(pass.batches, Math.ceil(pass.data.count / pass.batchSize)));
  for (let b = 0; b < batches; b++) {
    const start = b * pass.batchSize;
    const n = Math.min(pass.batchSize, pass.data.count - start);
    if (n <= 0) break;
    const xs = new Float32Array(n * d);
    const ys = new Float32Array(n * net.numClasses);
    for (let i = 0; i < n; i++) {
      const row = order[start + i] ?? 0;
      xs.set(pass.data.x.subarray(row * d, row * d + d), i * d);
      ys[i * net.numClasses + (pass.data.y[row] ?? 0)] = 1;
    }
    const x = tf.tensor(xs, [n, ...net.inputShape], "float32");
    const y = tf.tensor2d(ys, [n, net.numClasses], "float32");
    const { value, grads } = tf.variableGrads(
      () => tf.tidy(() => weightedExitLoss(net.forwardExits(x, { training: false, probe }), y, net.exitLossWeights)),
      kernels,
    );
    for (const t of targets) {
      const g = grads[t.kernel.variable.name];
      if (!g) continue;
      const col = tf.tidy(() => {
        const p = tf.square(tf.mul(t.kernel.variable, g));
        return tf.sum(tf.reshape(p, [-1, t.units]), 0);
      });
      accumulate(weight.get(t.id), (await col.data()) as Float32Array, (v) => v);
      col.dispose();
    }
    for (const p of pending.splice(0)) {
      accumulate(gate.get(p.id), (await p.gateSum.data()) as Float32Array, (v) => v * v);
      accumulate(fmap.get(p.id), (await p.fmapMean.data()) as Float32Array, (v) => v);
      tf.dispose([p.gateSum, p.fmapMean]);
    }
    tf.dispose(grads);
    tf.dispose([value, x, y]);
  }
  for (const m of [gate, fmap, weight]) for (const s of m.values()) for (let i = 0; i < s.length; i++) s[i] = (s[i] ?? 0) / batches;
  for (const [id, s] of fmap) {
    // Per-layer L2 normalisation of the feature-map criterion (docs/methods.md §2.3, taylor_fmap).
    let norm = 0;
    for (const v of s) norm += v * v;
    norm = Math.sqrt(norm);
    if (norm > 0 && byId.has(id)) for (let i = 0; i < s.length; i++) s[i] = (s[i] ?? 0) / norm;
  }
  return { taylor_weight: weight, taylor_gate: gate, taylor_fmap: fmap };
}

function accumulate(into: Float64Array | undefined, values: Float32Array, f: (v: number) => number): void {
  if (!into) return;
  for (let i = 0; i < into.length; i++) into[i] = (into[i] ?? 0) + f(values[i] ?? 0);
}
