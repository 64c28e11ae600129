import { IMPORTED_MODEL, MODEL_CATALOG, findModel } from "@prunesweep/proto";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "../../src/backend/select-backend.js";
import { costBreakdown, measureModel } from "../../src/metrics/model-metrics.js";
import { buildModel } from "../../src/models/registry.js";

beforeAll(async () => {
  await selectBackend("wasm");
});

const logitsShape = (name: string, opts: Record<string, unknown>, shape: number[], exits = { positions: [] as number[], every: 0 }): number[][] => {
  const net = buildModel(name, opts, shape, 10, 1, exits);
  const out = tf.tidy(() => net.forwardExits(tf.zeros([2, ...shape]), { training: false }).map((t) => t.shape));
  net.dispose();
  return out;
};

describe("model zoo", () => {
  // `tfjs` is built from an imported model file (worker/test/models/imported.test.ts).
  it.each(MODEL_CATALOG.filter((m) => m.name !== IMPORTED_MODEL).map((m) => [m.name, m] as const))("builds %s as its catalogue entry says (blocks, removable blocks, input)", (name, entry) => {
    // Image models need [H, W, C] examples; the others flatten any shape.
    const net = buildModel(name, {}, entry.input === "image" ? [28, 28, 1] : [8], 10, 1);
    expect(net.blocks.length).toBe(entry.defaultBlocks);
    expect(net.removableBlocks().length).toBe(entry.defaultRemovable);
    net.dispose();
    if (entry.input === "image") expect(() => buildModel(name, {}, [8], 10, 1)).toThrow();
  });

  it.each([
    ["mlp", {}, [8]],
    ["mlp", { hidden: [8, 8, 4, 4] }, [8]],
    ["mlp", { hidden: [] }, [8]],
    ["lenet-300-100", {}, [300]],
    ["deep-mlp", { width: 8, depth: 3 }, [8]],
    ["deep-mlp", { width: 8, depth: 3 }, [28, 28, 1]],
    ["res-mlp", { width: 8, blocks: 2 }, [8]],
    ["lenet5", { hidden: [16, 16] }, [28, 28, 1]],
    ["resnet14", { baseWidth: 4 }, [8, 8, 3]],
  ] as const)("the catalogue's structure of %s %j on %j is the built net's", (name, options, shape) => {
    const entry = findModel(name);
    const net = buildModel(name, options, [...shape], 10, 1);
    const features = shape.reduce((a: number, b: number) => a * b, 1);
    const parsed = entry?.options.parse(options) ?? {};
    expect(entry?.structure?.(parsed, features)).toEqual({ blocks: net.blocks.length, removable: net.removableBlocks().length });
    // Without the input size, `removable` may only be larger.
    expect(entry?.structure?.(parsed, undefined).removable).toBeGreaterThanOrEqual(net.removableBlocks().length);
    net.dispose();
  });

  it("the catalogue's default structure is its defaultBlocks and defaultRemovable", () => {
    for (const m of MODEL_CATALOG) {
      if (!("structure" in m)) continue;
      expect(m.structure(m.options.parse({}), m.input === "image" ? 784 : 8)).toEqual({ blocks: m.defaultBlocks, removable: m.defaultRemovable });
    }
  });

  it("refuses to build tfjs without an imported model", () => {
    expect(() => buildModel(IMPORTED_MODEL, {}, [8], 10, 1)).toThrow(/model "tfjs" needs task.model: \{tfjs: <path to model.json>\}/);
  });

  it("builds the SAP MLP (784-128-256-10) and LeNet-5 with the documented sizes", () => {
    const sap = buildModel("sap-mlp", {}, [28, 28, 1], 10, 1);
    expect(sap.prunableParams().reduce((a, p) => a + p.size, 0)).toBe(784 * 128 + 128 * 256 + 256 * 10);
    sap.dispose();
    const lenet = buildModel("lenet5", {}, [28, 28, 1], 10, 1);
    // conv1 5x5x1x6+6, conv2 5x5x6x16+16, fc 400x120+120, 120x84+84, 84x10+10
    expect(lenet.paramCount()).toBe(156 + 2416 + 48120 + 10164 + 850);
    expect(lenet.denseMacs()).toBe(28 * 28 * 25 * 6 + 10 * 10 * 25 * 6 * 16 + 400 * 120 + 120 * 84 + 84 * 10);
    expect(lenet.blocks.map((b) => b.name)).toEqual(["conv1", "conv2", "fc1", "fc2"]);
    expect(lenet.removableBlocks()).toHaveLength(0);
    lenet.dispose();
  });

  it("builds CIFAR ResNets with (depth-2)/6 blocks per stage and only non-downsampling blocks removable", () => {
    for (const [name, n] of [
      ["resnet8", 1],
      ["resnet14", 2],
      ["resnet20", 3],
    ] as const) {
      const net = buildModel(name, { baseWidth: 4 }, [8, 8, 3], 10, 1);
      expect(net.blocks).toHaveLength(3 * n);
      expect(net.removableBlocks().map((b) => b.name)).toEqual(net.blocks.map((b) => b.name).filter((b) => !/^s[23]b1$/.test(b)));
      net.dispose();
    }
    const b = buildModel("resnet8", { baseWidth: 4, shortcut: "B" }, [8, 8, 3], 10, 1);
    expect(b.params().some((p) => p.name === "s2b1/shortcut/kernel")).toBe(true);
    b.dispose();
  });

  it("runs every model forward with exits on 8x8 inputs", () => {
    expect(logitsShape("lenet5", { kernelSize: 3 }, [8, 8, 1], { positions: [1, 2, 3], every: 0 })).toEqual([[2, 10], [2, 10], [2, 10], [2, 10]]);
    expect(logitsShape("resnet14", { baseWidth: 4 }, [8, 8, 1], { positions: [], every: 2 })).toEqual([[2, 10], [2, 10], [2, 10]]);
    expect(logitsShape("res-mlp", { width: 8, blocks: 3 }, [8, 8, 1], { positions: [0, 2], every: 0 })).toEqual([[2, 10], [2, 10], [2, 10]]);
    expect(logitsShape("deep-mlp", { width: 8, depth: 4 }, [6], { positions: [1], every: 0 })).toEqual([[2, 10], [2, 10]]);
  });

  it("rejects exit positions past the last block", () => {
    expect(() => buildModel("mlp", { hidden: [4, 4] }, [3], 2, 1, { positions: [2], every: 0 })).toThrow(/out of range/);
    expect(() => buildModel("mlp", { hidden: [4, 4], exitLossWeights: [1] }, [3], 2, 1, { positions: [1], every: 0 })).toThrow(/2 weights/);
  });

  it("sums exit MACs as prefixes: backbone before the exit plus every head so far", async () => {
    const net = buildModel("mlp", { hidden: [16, 12, 6] }, [8], 3, 1, { positions: [1, 2], every: 0 });
    const { exitCosts } = costBreakdown(net);
    const h1 = 16 * 3;
    const h2 = 12 * 3;
    expect(exitCosts.map((c) => c.denseMacs)).toEqual([8 * 16 + h1, 8 * 16 + 16 * 12 + h1 + h2, 8 * 16 + 16 * 12 + 12 * 6 + 6 * 3 + h1 + h2]);
    expect(net.denseMacs()).toBe(exitCosts[2]?.denseMacs);
    // Zero half of exit1's kernel: only its prefix and later ones drop, by 24 MACs.
    const k = net.param("exit1/kernel");
    k.variable.assign(tf.tidy(() => tf.mul(k.variable, tf.tensor(Array.from({ length: 48 }, (_, i) => (i < 24 ? 0 : 1)), [16, 3]))));
    const m = await measureModel(net);
    expect(m.exitCosts.map((c) => c.denseMacs - c.effectiveMacs)).toEqual([24, 24, 24]);
    expect(m.effectiveMacs).toBe(m.denseMacs - 24);
    net.dispose();
  });

  it("conv-layer exits read globally pooled features", () => {
    const net = buildModel("resnet8", { baseWidth: 4 }, [8, 8, 1], 5, 1, { positions: [1, 2], every: 0 });
    expect(net.exits.map((e) => e.macs)).toEqual([4 * 5, 8 * 5]);
    net.dispose();
  });
});
