import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeWeights, encodeWeights } from "../../src/artifacts/index.js";
import { selectBackend } from "../../src/backend/select-backend.js";
import { isRetryable, UnknownModelError } from "../../src/errors.js";
import { MODEL_NAMES } from "@prunesweep/proto";
import { buildModel } from "../../src/models/registry.js";

beforeAll(async () => {
  await selectBackend("wasm");
});

describe("buildModel", () => {
  it("builds LeNet-300-100 with the expected parameters and MACs", () => {
    const net = buildModel("lenet-300-100", {}, [28, 28, 1], 10, 1);
    expect(net.paramCount()).toBe(784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10);
    expect(net.denseMacs()).toBe(784 * 300 + 300 * 100 + 100 * 10);
    expect(net.prunableParams().map((p) => p.name)).toEqual(["fc1/kernel", "fc2/kernel", "out/kernel"]);
    expect(net.macsPerLayer().map((l) => l.layer)).toEqual(["fc1", "fc2", "out"]);
    const logits = tf.tidy(() => net.forward(tf.zeros([2, 28, 28, 1]), { training: false }));
    expect(logits.shape).toEqual([2, 10]);
    logits.dispose();
    net.dispose();
  });

  it("initialises deterministically per seed", async () => {
    const a = buildModel("mlp", { hidden: [5] }, [4], 3, 42);
    const b = buildModel("mlp", { hidden: [5] }, [4], 3, 42);
    const c = buildModel("mlp", { hidden: [5] }, [4], 3, 43);
    const wa = await a.getWeights();
    expect(Array.from((await b.getWeights()).tensors[0]?.data ?? [])).toEqual(Array.from(wa.tensors[0]?.data ?? []));
    expect(Array.from((await c.getWeights()).tensors[0]?.data ?? [])).not.toEqual(Array.from(wa.tensors[0]?.data ?? []));
    [a, b, c].forEach((n) => n.dispose());
  });

  it("throws UnknownModelError listing the valid names", () => {
    let err: unknown;
    try {
      buildModel("resnet-1000", {}, [4], 2, 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnknownModelError);
    for (const name of MODEL_NAMES) expect((err as Error).message).toContain(name);
    expect(isRetryable(err)).toBe(false);
  });

  it("rejects unknown model options, naming them", () => {
    expect(() => buildModel("mlp", { hiden: [3] }, [4], 2, 1)).toThrow(/hiden/);
  });

  it("round-trips weights through getWeights/setWeights and the binary codec", async () => {
    const a = buildModel("mlp", { hidden: [6] }, [4], 3, 1);
    const b = buildModel("mlp", { hidden: [6] }, [4], 3, 2);
    const w = await a.getWeights();
    b.setWeights(decodeWeights(encodeWeights({ ...w, meta: { valAccuracy: 0.5 } })));
    const wb = await b.getWeights();
    expect(wb.tensors.map((t) => Array.from(t.data))).toEqual(w.tensors.map((t) => Array.from(t.data)));
    const other = buildModel("mlp", { hidden: [7] }, [4], 3, 1);
    expect(() => other.setWeights(w)).toThrow(/shape/);
    [a, b, other].forEach((n) => n.dispose());
  });
});
