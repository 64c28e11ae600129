/**
 * Attaching learnable scaling factors to a net and exporting the pruned structure
 * (docs/methods.md §3.2-3.4).
 *
 * Where gates sit:
 * - `neuron` / `filter`: a vector on every prunable unit group (see {@link Net.unitGroups}),
 *   after the activation (after BatchNorm for convs): `y = g ⊙ act(·)`;
 * - `layer`: a scalar on every removable shape-preserving plain layer, interpolating with the
 *   identity `y = g·f(x) + (1 − g)·x`. Such a layer's width is tied to its input, so groups
 *   feeding or fed by it get no unit gates (on a deep equal-width MLP, layer gates take the
 *   widths out of play; gate neurons alone to prune widths);
 * - `block`: a scalar on the residual branch of every removable residual block.
 *
 * Export: blocks whose layer/block gate is below τ become identities; units whose gate is below
 * τ are physically removed (each group keeps at least its largest gate); surviving unit and
 * block gates are folded into the weights (gates are kept >= 0 while training, so folding
 * through ReLU is exact); surviving layer gates stay as the interpolation scalar.
 */
import { ConvLayer } from "./conv-layers.js";
import { DenseLayer } from "./dense-layer.js";
import { readGate, type AttachedGate, type GateConfig } from "./gate-value.js";
import { ResidualLayer } from "./imported-layers.js";
import type { Layer } from "./layers.js";
import type { Net } from "./net.js";
import { BasicBlock, ResMlpBlock, isGatedBlock, type GatedBlock } from "./residual-blocks.js";

/** Gate granularities. */
export type Granularity = "neuron" | "filter" | "layer" | "block";

/** One attached gate; the parameter itself is replaced by structural edits, so read it through {@link GateHandle.gate}. */
export interface GateHandle {
  readonly granularity: Granularity;
  /** Unit-group id (neuron/filter) or block name (layer/block). */
  readonly target: string;
  /** The gate as it is now; undefined once removed or folded. */
  gate(): AttachedGate | undefined;
}

/** Options of {@link attachGates}. */
export interface AttachGatesOptions {
  readonly neuron: boolean;
  readonly filter: boolean;
  readonly layer: boolean;
  readonly block: boolean;
  readonly config: GateConfig;
  /** Initial effective gate value. @default 1 */
  readonly init?: number;
}

type UnitHost = DenseLayer | ConvLayer;

function unitHost(layer: Layer | undefined, id: string): UnitHost | undefined {
  if (layer instanceof DenseLayer || layer instanceof ConvLayer) return layer.name === id ? layer : undefined;
  if (layer instanceof ResMlpBlock && layer.fc1.name === id) return layer.fc1;
  if (layer instanceof BasicBlock && layer.conv1.name === id) return layer.conv1;
  if (layer instanceof ResidualLayer) return layer.unitHost(id);
  return undefined;
}

/** Attaches the requested gates; returns one handle per gate. */
export function attachGates(net: Net, o: AttachGatesOptions): GateHandle[] {
  const init = o.init ?? 1;
  const handles: GateHandle[] = [];
  for (const b of net.removableBlocks()) {
    const layer = net.layers[b.start];
    if (b.end - b.start !== 1 || !layer) continue;
    if (o.block && isGatedBlock(layer)) {
      layer.attachBlockGate(o.config, init);
      handles.push({ granularity: "block", target: b.name, gate: () => layer.blockGate });
    } else if (o.layer && layer instanceof DenseLayer && layer.shapePreserving) {
      layer.attachLayerGate(o.config, init);
      handles.push({ granularity: "layer", target: b.name, gate: () => layer.layerGate });
    }
  }
  for (const g of net.unitGroups()) {
    if (!(g.kind === "neuron" ? o.neuron : o.filter)) continue;
    const host = unitHost(net.layers[g.layerIndex], g.id);
    if (!host) continue;
    host.attachUnitGate(o.config, init);
    handles.push({ granularity: g.kind, target: g.id, gate: () => host.unitGate });
  }
  net.structureChanged();
  return handles;
}

/** What {@link exportGates} removed. */
export interface GateExportReport {
  readonly removedBlocks: readonly string[];
  /** Units removed per group. */
  readonly removedUnits: Readonly<Record<string, number>>;
  /** Units kept per gated group. */
  readonly keptUnits: Readonly<Record<string, number>>;
  /** Surviving layer gates (kept as interpolation scalars). */
  readonly layerGatesKept: number;
}

/** Removes gated structures with |g| < tau and folds the surviving gates (see above). */
export function exportGates(net: Net, handles: readonly GateHandle[], tau: number): GateExportReport {
  const removedBlocks: string[] = [];
  for (const h of handles) {
    if (h.granularity !== "layer" && h.granularity !== "block") continue;
    const g = h.gate();
    if (g && Math.abs(readGate(g)[0] ?? 0) < tau && net.removableBlocks().some((b) => b.name === h.target)) {
      net.removeBlock(h.target);
      removedBlocks.push(h.target);
    }
  }
  const removedUnits: Record<string, number> = {};
  const keptUnits: Record<string, number> = {};
  const groups = new Set(net.unitGroups().map((u) => u.id));
  for (const h of handles) {
    if (h.granularity !== "neuron" && h.granularity !== "filter") continue;
    const g = h.gate();
    if (!g || !groups.has(h.target)) continue;
    const v = readGate(g);
    let keep = [...v.keys()].filter((i) => Math.abs(v[i] ?? 0) >= tau);
    if (keep.length === 0) keep = [v.reduce((best, x, i) => (Math.abs(x) > Math.abs(v[best] ?? 0) ? i : best), 0)];
    if (keep.length < v.length) net.pruneUnits(h.target, keep);
    removedUnits[h.target] = v.length - keep.length;
    keptUnits[h.target] = keep.length;
  }
  let layerGatesKept = 0;
  for (const layer of net.layers) {
    for (const host of [layer, ...(layer instanceof ResMlpBlock ? [layer.fc1] : layer instanceof BasicBlock ? [layer.conv1] : layer instanceof ResidualLayer ? layer.hosts() : [])]) {
      if (host instanceof DenseLayer || host instanceof ConvLayer) host.foldUnitGate();
    }
    if (isGatedBlock(layer)) (layer as GatedBlock).foldBlockGate();
    if (layer instanceof DenseLayer && layer.layerGate) layerGatesKept++;
  }
  net.structureChanged();
  return { removedBlocks, removedUnits, keptUnits, layerGatesKept };
}
