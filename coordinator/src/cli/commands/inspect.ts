import type { Command } from "commander";
import { loadModelFiles, planFilterGroups, planKernels, planLayers, type ModelPlan, type PlanLayer } from "@prunesweep/proto";
import { textTable } from "../../report/pareto-extract.js";
import { printJson } from "./operator.js";
import { addJson } from "./shared.js";

/** What each method can do on a model: what `prunesweep inspect` prints (and `--json`). */
interface ModelInspection {
  readonly format: string;
  readonly modelClass: string;
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly finalSoftmax: boolean;
  readonly params: number;
  readonly macs: number;
  readonly layers: readonly { name: string; class: string; outputShape: readonly number[]; params: number; macs: number; prunableKernel: boolean; block: string }[];
  readonly prunableKernels: readonly string[];
  readonly blocks: readonly { position: number; name: string; kind: string; lastLayer: string; removable: boolean }[];
  readonly removable: readonly string[];
  readonly exitCandidates: readonly { position: number; after: string }[];
  readonly filterGroups: ReturnType<typeof planFilterGroups>;
}

function inspectModel(plan: ModelPlan): ModelInspection {
  const layers = planLayers(plan);
  const blockOf = new Map<string, string>();
  for (const b of plan.blocks) {
    for (let i = b.start; i < b.end; i++) {
      const n = plan.nodes[i];
      if (!n) continue;
      const names = n.type === "layer" ? [n.layer.name] : [n.name, ...n.main.map((l) => l.name), ...n.shortcut.map((l) => l.name)];
      for (const name of names) blockOf.set(name, b.name);
    }
  }
  const kernels = new Set(planKernels(plan).map((k) => k.name));
  return {
    format: plan.format,
    modelClass: plan.modelClass,
    inputShape: plan.inputShape,
    classes: plan.numClasses,
    finalSoftmax: plan.finalSoftmax,
    params: layers.reduce((a, l) => a + l.params, 0),
    macs: layers.reduce((a, l) => a + l.macs, 0),
    layers: layers.map((l: PlanLayer) => ({
      name: l.name,
      class: l.className,
      outputShape: l.outputShape,
      params: l.params,
      macs: l.macs,
      prunableKernel: l.weights.some((w) => kernels.has(w.name)),
      block: blockOf.get(l.name) ?? "(classifier)",
    })),
    prunableKernels: [...kernels],
    blocks: plan.blocks.map((b, i) => ({ position: i + 1, name: b.name, kind: b.kind, lastLayer: b.lastLayer, removable: b.removable })),
    removable: plan.blocks.filter((b) => b.removable).map((b) => b.name),
    exitCandidates: plan.blocks.slice(0, -1).map((b, i) => ({ position: i + 1, after: b.lastLayer })),
    filterGroups: planFilterGroups(plan),
  };
}

/** `prunesweep inspect <model.json>`: prunable kernels, removable layers and blocks, exits, params and MACs per layer. */
export function registerInspectCommand(program: Command): Command {
  const cmd = addJson(
    program
      .command("inspect")
      .description("show what each pruning method can do on a TF.js Layers model (model.json): kernels, removable layers/blocks, exits, params and MACs")
      .argument("<model>", "model.json of a TF.js Layers model (tensorflowjs_converter --input_format keras, or model.save() in TF.js)"),
  );
  return cmd.action((path: string, opts: { json?: boolean }) => {
    const { plan } = loadModelFiles(path); // ModelImportError -> exit 2 naming the file
    const info = inspectModel(plan);
    if (opts.json) return printJson(info);
    const out: string[] = [];
    out.push(`${path}: ${plan.modelClass} (${plan.format}), input [${plan.inputShape.join(", ")}], ${plan.numClasses} classes${plan.finalSoftmax ? " (softmax)" : ""}`);
    out.push(`${info.params} parameters, ${info.macs} MACs per example\n`);
    out.push(
      textTable(
        ["layer", "class", "output", "params", "MACs", "kernel pruned", "block"],
        info.layers.map((l) => [l.name, l.class, `[${l.outputShape.join(", ")}]`, String(l.params), String(l.macs), l.prunableKernel ? "yes" : "", l.block]),
      ),
    );
    out.push("");
    out.push(`unstructured (magnitude, lottery-ticket, one-shot, SAP): ${info.prunableKernels.length} kernels: ${info.prunableKernels.join(", ")}`);
    const removable = info.blocks.filter((b) => b.removable);
    out.push(`LayerPrune layer/block removal: ${removable.length > 0 ? removable.map((b) => `${b.name} (${b.kind})`).join(", ") : "none (no block keeps its input shape)"}`);
    out.push(`filter/neuron groups (filter pruning, gates): ${info.filterGroups.length > 0 ? info.filterGroups.map((g) => `${g.layer}${g.batchNorm ? `+${g.batchNorm}` : ""} (${g.units} ${g.kind}s)`).join(", ") : "none"}`);
    const exits = info.blocks.slice(0, -1);
    out.push(`early-exit positions (task.exits, by number or layer name): ${exits.length > 0 ? exits.map((b) => `${b.position} = after ${b.lastLayer}`).join(", ") : "none"}`);
    process.stdout.write(out.join("\n") + "\n");
  });
}
