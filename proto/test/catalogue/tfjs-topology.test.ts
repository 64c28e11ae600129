/** The TF.js Layers topology reader: Keras 2 and Keras 3 config shapes, shapes, blocks, groups and every refusal. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ModelImportError, exitPositionOf, loadModelFiles, planFilterGroups, planKernels, planLayers, readModelTopology } from "@prunesweep/proto";

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "..", "test", "fixtures", "tfjs-models", name), "utf8")) as Record<string, unknown>;
const tmp = mkdtempSync(join(tmpdir(), "prunesweep-topology-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of a fixture with its layer list edited. */
function withLayers(name: string, edit: (layers: Record<string, unknown>[]) => void): Record<string, unknown> {
  const json = structuredClone(fixture(name));
  const topo = json["modelTopology"] as Record<string, Record<string, Record<string, unknown>>>;
  const cfg = (topo["model_config"] ?? topo)["config"] as { layers: Record<string, unknown>[] };
  edit(cfg.layers);
  return json;
}

describe("readModelTopology", () => {
  it("reads a Keras 2 Sequential model (converter model_config form): shapes, params, MACs, blocks", () => {
    const plan = readModelTopology(fixture("keras2-lenet.json"));
    expect(plan.format).toBe("keras2");
    expect(plan.modelClass).toBe("Sequential");
    expect(plan.inputShape).toEqual([12, 12, 1]);
    expect(plan.numClasses).toBe(10);
    expect(plan.finalSoftmax).toBe(true);
    const layers = planLayers(plan);
    expect(layers.map((l) => [l.name, l.outputShape])).toEqual([
      ["conv1", [10, 10, 4]],
      ["bn1", [10, 10, 4]],
      ["relu1", [10, 10, 4]],
      ["pool1", [5, 5, 4]],
      ["flatten", [100]],
      ["fc1", [20]],
      ["dropout", [20]],
      ["fc2", [20]],
      ["predictions", [10]],
    ]);
    const conv1 = layers[0];
    expect(conv1?.params).toBe(3 * 3 * 4 + 4);
    expect(conv1?.macs).toBe(10 * 10 * 9 * 4);
    expect(layers[1]?.params).toBe(16);
    expect(plan.blocks.map((b) => [b.name, b.lastLayer, b.removable])).toEqual([
      ["conv1", "relu1", false],
      ["fc1", "dropout", false],
      ["fc2", "fc2", true],
    ]);
    expect(planFilterGroups(plan)).toEqual([
      { layer: "conv1", batchNorm: "bn1", units: 4, kind: "filter" },
      { layer: "fc1", batchNorm: undefined, units: 20, kind: "neuron" },
      { layer: "fc2", batchNorm: undefined, units: 20, kind: "neuron" },
    ]);
    expect(planKernels(plan).map((k) => k.name)).toEqual(["conv1/kernel", "fc1/kernel", "fc2/kernel", "predictions/kernel"]);
    expect(exitPositionOf(plan, "dropout")).toBe(2);
    expect(exitPositionOf(plan, "fc1")).toBe(2);
    expect(exitPositionOf(plan, "pool1")).toMatch(/no exit can follow layer "pool1"; candidate exit layers: relu1, dropout$/);
    expect(exitPositionOf(plan, "fc2")).toMatch(/no exit can follow layer "fc2"/);
  });

  it("reads a Keras 3 Functional model with a residual block and a Softmax layer", () => {
    const plan = readModelTopology(fixture("keras3-resblock.json"));
    expect(plan.format).toBe("keras3");
    expect(plan.modelClass).toBe("Functional");
    expect(plan.inputShape).toEqual([16]);
    expect(plan.finalSoftmax).toBe(true);
    expect(plan.nodes.map((n) => (n.type === "layer" ? n.layer.name : `${n.name}(${n.main.map((l) => l.name).join("+")}|${n.shortcut.length})`))).toEqual([
      "stem",
      "add(fc_a+fc_b|0)",
      "add_relu",
      "head",
    ]);
    expect(plan.blocks.map((b) => [b.name, b.kind, b.removable])).toEqual([
      ["stem", "layer", false],
      ["add", "residual", true],
    ]);
    // The stem feeds the sum (tied width); fc_a feeds fc_b inside the block.
    expect(planFilterGroups(plan).map((g) => g.layer)).toEqual(["fc_a"]);
  });

  it("refuses an unsupported layer, naming it, its class and what is supported", () => {
    const json = withLayers("keras2-lenet.json", (ls) => {
      ls.splice(5, 0, { class_name: "LSTM", config: { name: "rnn", units: 4 } });
    });
    expect(() => readModelTopology(json)).toThrow(ModelImportError);
    expect(() => readModelTopology(json)).toThrow(/layer "rnn" of class LSTM is not supported; supported: InputLayer, Dense, Conv2D, DepthwiseConv2D, BatchNormalization.*Add/);
  });

  it("refuses unsupported settings and shapes with the layer's name", () => {
    const cases: [(ls: Record<string, unknown>[]) => void, RegExp][] = [
      [(ls) => Object.assign((ls[1] as { config: Record<string, unknown> }).config, { kernel_size: [3, 5] }), /layer "conv1": kernel_size \[3,5\] is not supported/],
      [(ls) => Object.assign((ls[1] as { config: Record<string, unknown> }).config, { data_format: "channels_first" }), /layer "conv1": data_format "channels_first"/],
      [(ls) => Object.assign((ls[6] as { config: Record<string, unknown> }).config, { activation: "gelu" }), /layer "fc1": activation "gelu" is not supported; supported: linear, relu/],
      [(ls) => ls.splice(5, 1), /layer "fc1" \(Dense\) on a \[5, 5, 4\] input is not supported: add a Flatten before it/],
      [(ls) => Object.assign((ls[6] as { config: Record<string, unknown> }).config, { activation: "softmax" }), /layer "fc1" \(Dense\): softmax is supported only as the model's last operation/],
      [(ls) => ls.splice(0, 1), /layer "conv1" declares no input shape/],
    ];
    for (const [edit, message] of cases) expect(() => readModelTopology(withLayers("keras2-lenet.json", edit))).toThrow(message);
  });

  it("refuses a manifest without a layer's weight, or with the wrong shape", () => {
    const json = structuredClone(fixture("keras2-lenet.json"));
    const weights = (json["weightsManifest"] as { weights: { name: string; shape: number[] }[] }[])[0]?.weights ?? [];
    weights.splice(2, 1);
    expect(() => readModelTopology(json)).toThrow(/layer "bn1" \(BatchNormalization\): the weights manifest has no "bn1\/gamma"/);
    const json2 = structuredClone(fixture("keras2-lenet.json"));
    const w2 = (json2["weightsManifest"] as { weights: { name: string; shape: number[] }[] }[])[0]?.weights ?? [];
    (w2[6] as { shape: number[] }).shape = [99, 20];
    expect(() => readModelTopology(json2)).toThrow(/weight "fc1\/kernel": manifest shape \[99, 20\], layer "fc1" needs \[100, 20\]/);
  });

  it("refuses a graph model, a second input and an Add that is not a residual join", () => {
    expect(() => readModelTopology({ modelTopology: { node: [] }, format: "graph-model" })).toThrow(/no layer list/);
    const k3 = withLayers("keras3-resblock.json", (ls) => {
      // fc_b reads the input instead of fc_a: the Add joins two chains that do not share a fork.
      const node = ((ls[3] as { inbound_nodes: { args: { config: { keras_history: unknown[] } }[] }[] }).inbound_nodes[0]?.args[0]) as { config: { keras_history: unknown[] } };
      node.config.keras_history = ["input_layer", 0, 0];
    });
    expect(() => readModelTopology(k3)).toThrow(ModelImportError);
  });
});

describe("loadModelFiles", () => {
  const write = (name: string, json: Record<string, unknown>, shardBytes: number | undefined): string => {
    const dir = join(tmp, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "model.json"), JSON.stringify(json));
    if (shardBytes !== undefined) writeFileSync(join(dir, "group1-shard1of1.bin"), Buffer.alloc(shardBytes));
    return join(dir, "model.json");
  };
  const bytes = (36 + 4 + 16 + 2000 + 20 + 400 + 20 + 200 + 10) * 4;

  it("accepts a model whose shards hold exactly the manifest's bytes", () => {
    const files = loadModelFiles(write("ok", fixture("keras2-lenet.json"), bytes));
    expect(files.files).toEqual(["group1-shard1of1.bin"]);
    expect(files.plan.shardGroups[0]?.bytes).toBe(bytes);
  });

  it("names a missing shard, a short shard and the model file on a topology error", () => {
    const missing = write("missing", fixture("keras2-lenet.json"), undefined);
    expect(() => loadModelFiles(missing)).toThrow(/missing[/\\]group1-shard1of1\.bin: weights shard missing \(listed in .*model\.json\)/);
    const short = write("short", fixture("keras2-lenet.json"), bytes - 8);
    expect(() => loadModelFiles(short)).toThrow(new RegExp(`group1-shard1of1\\.bin: weights shards hold ${bytes - 8} bytes, the manifest needs ${bytes} \\(12 weights\\): short`));
    const bad = write("bad", withLayers("keras2-lenet.json", (ls) => ls.splice(5, 0, { class_name: "GRU", config: { name: "gru" } })), bytes);
    expect(() => loadModelFiles(bad)).toThrow(/bad[/\\]model\.json: layer "gru" of class GRU is not supported/);
    const notJson = join(tmp, "nojson.json");
    writeFileSync(notJson, "{");
    expect(() => loadModelFiles(notJson)).toThrow(/nojson\.json: not valid JSON/);
  });
});
