/**
 * LayerPrune (Elkerdawy et al., ACCV 2020; docs/methods.md §2) and its filter-pruning counterpart.
 *
 * `unit: layer | block` — one criterion pass scores every unit of every removable layer/block
 * (structured-criteria.ts), a layer's score is the mean over its scoring units (a residual
 * block: its first layer's, docs/methods.md §2.3; `imprint` scores blocks directly), and the k
 * lowest-scoring candidates are replaced by identities in one go (`removal: k`), or candidates
 * are removed in ascending score order until the measured latency at `latencyBatch` is within
 * `latencyBudget` × the unpruned latency (`removal: latency`, the ICIP variant). Candidates
 * are the blocks the architecture allows (never the stem, never a downsampling block) that
 * keep their shape. `layer` and `block` are the same thing here: the net's removable depth
 * unit (a hidden layer in plain nets, a residual block in residual nets). k larger than the
 * number of candidates is clamped (recorded as `kClamped`).
 *
 * `unit: filter` — the paper's comparison: the same criterion ranks filters/neurons of every
 * prunable unit group, and `filterFraction` of them (per layer, or by a global ranking of
 * L2-normalised scores) are physically removed, or fractions 0.1, 0.2, … until the latency
 * budget is met. The paper removes filters in rounds with training in between; we remove them
 * in one shot with the same fine-tuning budget (a simplification).
 *
 * Then fine-tuning: `finetune.epochs` at `finetune.learningRate`, the second half at 0.1x
 * when `lrDrop` (the paper's step schedule). The net shrinks physically: dense MACs,
 * parameters and latency drop.
 */
import { methodEntry, withDefaults, type ParamValues } from "@prunesweep/proto";
import { InvalidParameterError, InvalidTaskError } from "../errors.js";
import { splitOf } from "../data/types.js";
import { measureLatency } from "../metrics/latency.js";
import type { Net, NetBlock } from "../models/net.js";
import type { MethodMetricName, MethodParamValues, PruningContext, PruningMethod, PruningResult } from "./pruning-method.js";
import { meanScore, unitScores, type UnitCriterion } from "./structured-criteria.js";
import { imprintBlockScores } from "./structured-imprint.js";
import { snapshotStructure, UnitTracker, unitsToKeep } from "./structured-utils.js";

const NAME = "layerprune";
const RULES = methodEntry(NAME).params;

/** Parsed parameters of {@link layerPruneMethod}: the catalogue's, defaults applied. */
export type LayerPruneParams = ParamValues<typeof RULES>;

/** Fractions tried in turn by filter pruning under a latency budget. */
const FILTER_FRACTION_STEPS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Scores of the candidate blocks (lower = removed first). */
async function blockScores(ctx: PruningContext, candidates: readonly NetBlock[], p: LayerPruneParams): Promise<Map<string, number>> {
  const net = ctx.net;
  const train = splitOf(ctx.data, "train");
  if (p.criterion === "imprint") {
    const evaluate = ctx.data.nVal > 0 ? splitOf(ctx.data, "validation") : train;
    const cap = p.criterionBatches * ctx.settings.batchSize;
    return imprintBlockScores(net, candidates, { train, evaluate, maxExamples: cap, featureTarget: p.imprintFeatures, batchSize: ctx.settings.batchSize });
  }
  const targets = candidates.map((b) => {
    const u = net.blockUnits(b);
    if (!u) throw new InvalidTaskError(`block "${b.name}" of "${net.architecture}" has no scoring units`);
    return u;
  });
  const scores = await unitScores(net, targets, p.criterion, { data: train, batches: p.criterionBatches, batchSize: ctx.settings.batchSize, rng: ctx.rng, param: `${NAME}.criterion` });
  return new Map(candidates.map((b, i) => [b.name, meanScore(scores.get(targets[i]?.id ?? "") ?? new Float64Array())]));
}

async function latencyOf(net: Net, batch: number): Promise<number> {
  return (await measureLatency(net, batch, { runs: 9, maxMs: 1000 })).medianMs;
}

/** Removes layers/blocks; returns details. */
async function removeLayers(ctx: PruningContext, p: LayerPruneParams): Promise<Record<string, unknown>> {
  const net = ctx.net;
  const candidates = net.removableBlocks();
  if (candidates.length === 0) throw new InvalidTaskError(`model "${net.architecture}" has no removable layers or blocks; use ${NAME}.unit=filter`);
  const scores = await blockScores(ctx, candidates, p);
  const order = [...candidates].sort((a, b) => (scores.get(a.name) ?? 0) - (scores.get(b.name) ?? 0) || a.index - b.index);
  const removed: string[] = [];
  const details: Record<string, unknown> = { candidates: Object.fromEntries(order.map((b) => [b.name, scores.get(b.name)])) };
  if (p.removal === "k") {
    const k = Math.min(p.k, order.length);
    if (k < p.k) details["kClamped"] = { asked: p.k, removed: k };
    for (const b of order.slice(0, k)) {
      net.removeBlock(b.name);
      removed.push(b.name);
    }
  } else {
    const baseline = await latencyOf(net, p.latencyBatch);
    let current = baseline;
    for (const b of order) {
      if (current <= p.latencyBudget * baseline) break;
      net.removeBlock(b.name);
      removed.push(b.name);
      current = await latencyOf(net, p.latencyBatch);
    }
    details["latency"] = { batch: p.latencyBatch, baselineMs: baseline, finalMs: current, budget: p.latencyBudget, met: current <= p.latencyBudget * baseline };
  }
  ctx.log("layerprune removed layers", { removed, criterion: p.criterion });
  return { ...details, removed };
}

/** Removes filters/neurons; returns details. */
async function removeFilters(ctx: PruningContext, p: LayerPruneParams): Promise<Record<string, unknown>> {
  const net = ctx.net;
  const groups = net.unitGroups();
  if (groups.length === 0) throw new InvalidTaskError(`model "${net.architecture}" has no prunable filter/neuron groups`);
  const scores = await unitScores(net, groups, p.criterion as UnitCriterion, {
    data: splitOf(ctx.data, "train"),
    batches: p.criterionBatches,
    batchSize: ctx.settings.batchSize,
    rng: ctx.rng,
    param: `${NAME}.criterion`,
  });
  const tracker = new UnitTracker(groups);
  const normalise = p.criterion !== "random" && p.criterion !== "ensemble";
  const pruneTo = async (fraction: number): Promise<number> => {
    await net.fetchToHost();
    let n = 0;
    for (const [id, keep] of unitsToKeep(scores, fraction, p.filterScope, normalise)) n += tracker.prune(net, id, keep);
    return n;
  };
  let removedUnits = 0;
  const details: Record<string, unknown> = {};
  if (p.removal === "k") {
    removedUnits = await pruneTo(p.filterFraction);
    details["filterFraction"] = p.filterFraction;
  } else {
    const baseline = await latencyOf(net, p.latencyBatch);
    let current = baseline;
    let fraction = 0;
    for (const f of FILTER_FRACTION_STEPS) {
      if (current <= p.latencyBudget * baseline) break;
      removedUnits += await pruneTo(f);
      fraction = f;
      current = await latencyOf(net, p.latencyBatch);
    }
    details["latency"] = { batch: p.latencyBatch, baselineMs: baseline, finalMs: current, budget: p.latencyBudget, met: current <= p.latencyBudget * baseline, fraction };
  }
  ctx.log("layerprune removed units", { removedUnits, criterion: p.criterion, scope: p.filterScope });
  return { ...details, removedUnits, unitsBefore: Object.fromEntries(groups.map((g) => [g.id, g.units])) };
}

/** The `layerprune` pruning method. */
export const layerPruneMethod: PruningMethod<LayerPruneParams, "layerprune"> = {
  name: NAME,

  parseParams({ own }: MethodParamValues): LayerPruneParams {
    const p = withDefaults(RULES, own);
    if (p.unit === "filter" && p.criterion === "imprint") {
      throw new InvalidParameterError(`${NAME}.criterion`, `"imprint" scores whole layers; use ${NAME}.unit=layer or block with it`);
    }
    return p;
  },

  async run(ctx: PruningContext, p: LayerPruneParams): Promise<PruningResult<MethodMetricName<"layerprune">>> {
    const before = snapshotStructure(ctx.net);
    const structural = p.unit === "filter" ? await removeFilters(ctx, p) : await removeLayers(ctx, p);
    const after = snapshotStructure(ctx.net);
    ctx.throwIfAborted();
    const epochs = ctx.settings.epochs;
    const first = p.lrDrop && epochs >= 2 ? Math.ceil(epochs / 2) : epochs;
    let ft = await ctx.fineTune({ epochs: first });
    if (ft.decision !== "stop" && !ft.budgetExhausted && epochs > first) {
      ft = await ctx.fineTune({ epochs: epochs - first, learningRate: ctx.settings.learningRate * 0.1 });
    }
    const removedLayers = Array.isArray(structural["removed"]) ? structural["removed"].length : 0;
    return {
      stoppedEarly: ft.decision === "stop",
      metrics: {
        removed_layers: removedLayers,
        removed_units: typeof structural["removedUnits"] === "number" ? structural["removedUnits"] : 0,
        dense_macs_before: before.denseMacs,
        params_before: before.params,
      },
      details: { layerprune: { unit: p.unit, criterion: p.criterion, removal: p.removal, ...structural, before, after } },
    };
  },
};
