/**
 * SAP, lottery-ticket, one-shot and iterative magnitude pruning on a tiny synthetic task:
 * schedules, rewinding, masks through Adam, progress per round, stop/abort/budget, tensors.
 */
import type { PlainParam } from "@prunesweep/proto";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import { selectBackend } from "../../src/backend/select-backend.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { Rng } from "../../src/data/rng.js";
import { splitOf, type Dataset } from "../../src/data/types.js";
import { buildModel } from "../../src/models/registry.js";
import type { Net } from "../../src/models/net.js";
import { computeMagnitudeMasks } from "../../src/pruning/magnitude.js";
import { disposeMasks, type Masks } from "../../src/training/masks.js";
import { lotteryTicketMethod } from "../../src/pruning/lottery-ticket.js";
import { oneShotMethod } from "../../src/pruning/one-shot.js";
import { resolveTrialParams } from "../../src/pruning/params.js";
import { pqiRiseStop, sapMethod } from "../../src/pruning/sap.js";
import { runPruningRounds, weightDecayLoss, type RoundRecord } from "../../src/pruning/schedule-rounds.js";
import { createOptimizer } from "../../src/training/optimizers.js";
import { crossEntropyLoss, trainEpoch } from "../../src/training/train.js";
import { TrialPruningContext } from "../../src/trial/trial-context.js";
import { runTrial } from "../../src/trial/run-trial.js";
import { fakeHooks, syntheticTask, trialRequest } from "../helpers.js";

const task = syntheticTask();
let data: Dataset;

beforeAll(async () => {
  await selectBackend("wasm");
  data = await loadDataset({ source: task.dataset, split: task.split, seed: task.seed, maxTrainExamples: 0 });
});

/** A pretrained 8-16-3 net and a context around it (initial weights = the same build). */
async function pretrainedContext(hooks = fakeHooks(), budget = { maxSteps: 0, maxWallMs: 0 }): Promise<{ net: Net; ctx: TrialPruningContext }> {
  const build = (): Net => buildModel("mlp", { hidden: [16] }, data.inputShape, data.numClasses, 3);
  const net = build();
  const opt = createOptimizer("adam", 0.01);
  for (let e = 0; e < 2; e++) await trainEpoch(net, splitOf(data, "train"), { optimizer: opt, batchSize: 32, rng: new Rng(e) });
  opt.dispose();
  const ctx = new TrialPruningContext({
    net,
    data,
    settings: { epochs: 1, learningRate: 0.01, batchSize: 32 },
    rng: new Rng(1),
    shuffleRng: new Rng(2),
    hooks,
    budget,
    startedAt: performance.now(),
    initialWeights: async () => {
      const fresh = build();
      const w = await fresh.getWeights();
      fresh.dispose();
      return w;
    },
  });
  return { net, ctx };
}

/** Counts entries that are masked out but non-zero in the net. */
async function revived(net: Net, masks: Masks): Promise<number> {
  let n = 0;
  for (const [name, mask] of masks) {
    const w = await net.param(name).variable.data();
    const m = await mask.data();
    for (let i = 0; i < w.length; i++) if (m[i] === 0 && w[i] !== 0) n++;
  }
  return n;
}

const roundsOf = (details: Readonly<Record<string, unknown>>): Record<string, number>[] => details["rounds"] as Record<string, number>[];

describe("lottery-ticket and one-shot", () => {
  it.each(["lottery-ticket", "one-shot"])("%s leaves (1-P)^t of the weights after round t, one progress step per round", async (method) => {
    const hooks = fakeHooks();
    const params = { method, [`${method}.rate`]: 0.3, [`${method}.rounds`]: 3, [`${method}.roundEpochs`]: 1, "finetune.learningRate": 0.01 };
    const out = await runTrial(trialRequest(params), hooks, {
      pretrained: new InMemoryPretrainedStore(),
    });
    expect(out.kind).toBe("completed");
    if (out.kind !== "completed") return;
    const rounds = roundsOf(out.details);
    expect(rounds.map((r) => r["round"])).toEqual([0, 1, 2, 3]);
    rounds.forEach((r, t) => expect(Math.abs((r["remaining"] ?? 0) - 0.7 ** t)).toBeLessThan(0.01));
    expect(out.metrics["sparsity"]).toBeCloseTo(1 - 0.343, 1);
    expect(Math.abs((out.metrics["sparsity"] ?? 0) - (1 - (rounds[3]?.["remaining"] ?? 0)))).toBeLessThan(0.01);
    expect(hooks.calls.map((c) => [c.step, c.phase])).toEqual([
      [1, "prune"],
      [2, "prune"],
      [3, "prune"],
    ]);
    for (const k of ["val_accuracy", "sparsity", "remaining", "pqi_05_1", "pqi_1_2", "gini"]) expect(hooks.calls[0]?.metrics[k], k).toBeTypeOf("number");
    expect(out.lastStep).toBe(3);
    expect(out.metrics["accuracy"]).toBeGreaterThan(0.5);
  });

  it("one-shot ranks by the dense trained magnitudes; lottery-ticket by the retrained ones", async () => {
    const { net, ctx } = await pretrainedContext();
    const dense = await net.getWeights();
    const os = await oneShotMethod.run(ctx, { rate: 0.3, rounds: 3, roundEpochs: 1, scope: "global", weightDecay: 0 });
    const total = net.prunableParams().reduce((a, p) => a + p.size, 0);
    const rounds = roundsOf(os.details ?? {});
    const pruned = Math.round(total * (1 - (rounds[3]?.["remaining"] ?? 0)));
    // Same pattern as pruning the dense net once to the final sparsity.
    const probe = buildModel("mlp", { hidden: [16] }, data.inputShape, data.numClasses, 3);
    probe.setWeights(dense);
    const oneShotMasks = await computeMagnitudeMasks(probe, pruned / total, "global");
    for (const [name, m] of oneShotMasks) expect(Array.from(await m.data()), name).toEqual(Array.from(await (os.masks?.get(name) as tf.Tensor).data()));
    expect(await revived(net, os.masks as Masks)).toBe(0);
    disposeMasks(oneShotMasks);
    disposeMasks(os.masks);
    probe.dispose();
    net.dispose();
  });

  it("names LT parameters in errors", () => {
    expect(() => resolveTrialParams({ method: "lottery-ticket", "lottery-ticket.rate": 1 })).toThrow(/"lottery-ticket.rate": must be < 1/);
    expect(() => resolveTrialParams({ method: "one-shot", "one-shot.rounds": 0 })).toThrow(/"one-shot.rounds"/);
  });
});

describe("rewinding", () => {
  it("restores the initial weights on unmasked entries (and biases) and zeroes the pruned ones", async () => {
    const { net, ctx } = await pretrainedContext();
    const init = await ctx.initialWeights();
    const r = await runPruningRounds(ctx, {
      rounds: 1,
      epochsFor: () => 0,
      rewind: "init",
      select: (s) => {
        s.keep.forEach((k) => k.forEach((_, i) => (k[i] = i % 2)));
        return { pruned: Math.floor(s.total / 2) };
      },
    });
    const after = await net.getWeights();
    for (const t of after.tensors) {
      const want = init.tensors.find((x) => x.name === t.name)?.data ?? new Float32Array();
      const prunable = net.param(t.name).prunable;
      t.data.forEach((v, i) => expect(v + 0, `${t.name}[${i}]`).toBe(prunable && i % 2 === 0 ? 0 : (want[i] ?? NaN) + 0));
    }
    expect(r.history).toHaveLength(2);
    disposeMasks(r.masks);
    net.dispose();
  });
});

describe("sap", () => {
  it("reports one step per round with val_accuracy, sparsity, remaining and pqi; records PQI and r/c per round", async () => {
    const hooks = fakeHooks();
    const out = await runTrial(trialRequest({ method: "sap", "sap.rounds": 3, "sap.roundEpochs": 1 }), hooks, { pretrained: new InMemoryPretrainedStore() });
    expect(out.kind).toBe("completed");
    if (out.kind !== "completed") return;
    expect(hooks.calls.map((c) => [c.step, c.phase])).toEqual([
      [1, "prune"],
      [2, "prune"],
      [3, "prune"],
    ]);
    for (const c of hooks.calls) for (const k of ["val_accuracy", "sparsity", "remaining", "pqi"]) expect(c.metrics[k], k).toBeTypeOf("number");
    const rounds = roundsOf(out.details);
    expect(rounds).toHaveLength(4);
    for (let t = 1; t < rounds.length; t++) {
      const r = rounds[t] ?? {};
      expect(r["remaining"]).toBeLessThan(rounds[t - 1]?.["remaining"] ?? 0);
      expect(r["c"]).toBe(r["pruned"]);
      expect(r["pqi"]).toBeGreaterThan(0);
    }
    expect(out.metrics["sap_pqi"]).toBe(rounds[3]?.["pqi"]);
    expect(out.metrics["remaining"]).toBe(rounds[3]?.["remaining"]);
  });

  it("prunes faster with (1, 2) than with (0.5, 1) from the same dense net", async () => {
    const store = new InMemoryPretrainedStore();
    const first = async (p: number, q: number): Promise<number> => {
      const out = await runTrial(trialRequest({ method: "sap", "sap.p": p, "sap.q": q, "sap.rounds": 1, "sap.roundEpochs": 1 }), fakeHooks(), { pretrained: store });
      return out.kind === "completed" ? (out.metrics["remaining"] ?? 1) : 1;
    };
    expect(await first(1, 2)).toBeLessThan(await first(0.5, 1));
  });

  it("stops before a round when c_t = 0 (stopRule c-zero)", async () => {
    const hooks = fakeHooks();
    const out = await runTrial(trialRequest({ method: "sap", "sap.gamma": 1e-6, "sap.stopRule": "c-zero", "sap.rounds": 3 }), hooks, { pretrained: new InMemoryPretrainedStore() });
    expect(out).toMatchObject({ kind: "completed", stoppedEarly: false, details: { stopReason: expect.stringContaining("c_t = 0") as unknown } });
    if (out.kind === "completed") expect(out.metrics["sparsity"]).toBe(0);
    expect(hooks.calls).toHaveLength(0);
  });

  it("fires the pqi-rise rule only on an accuracy drop after PQI rose twice", () => {
    const rec = (round: number, valAccuracy: number, pqi: number): RoundRecord => ({ round, remaining: 1, pruned: 0, valAccuracy, epochs: 1, metrics: { pqi } });
    const rising = [rec(0, 0.9, 0.3), rec(1, 0.9, 0.25), rec(2, 0.91, 0.27), rec(3, 0.85, 0.3)];
    expect(pqiRiseStop(rising, 0.01)).toMatch(/fell/);
    expect(pqiRiseStop(rising.slice(0, 3), 0.01)).toBeUndefined();
    expect(pqiRiseStop([...rising.slice(0, 3), rec(3, 0.905, 0.3)], 0.01)).toBeUndefined();
    expect(pqiRiseStop([rec(0, 0.9, 0.3), rec(1, 0.9, 0.35), rec(2, 0.91, 0.33), rec(3, 0.85, 0.34)], 0.01)).toBeUndefined();
  });

  it("restores the previous round when its stop rule fires", async () => {
    const { net, ctx } = await pretrainedContext();
    let calls = 0;
    const r = await runPruningRounds(ctx, {
      rounds: 3,
      epochsFor: () => 1,
      rewind: "none",
      select: (s) => {
        const k = s.keep[0] as Uint8Array;
        const i = k.indexOf(1);
        k[i] = 0;
        return { pruned: 1 };
      },
      stopAfter: () => (++calls === 2 ? "test rule" : undefined),
    });
    expect(r.stopReason).toBe("test rule");
    expect(r.restoredRound).toBe(1);
    expect(r.history).toHaveLength(3);
    const kept = Array.from(await (r.masks?.values().next().value as tf.Tensor).data()).filter((v) => v === 0).length;
    expect(kept).toBe(1);
    disposeMasks(r.masks);
    net.dispose();
  });

  it("rejects p >= q non-retryably, naming sap.p", async () => {
    expect(() => resolveTrialParams({ method: "sap", "sap.p": 1, "sap.q": 1 })).toThrow(/"sap.p": must satisfy sap.p < sap.q/);
    expect(() => resolveTrialParams({ method: "sap", "sap.q": 0.4 })).toThrow(/"sap.q"/);
    const out = await runTrial(trialRequest({ method: "sap", "sap.p": 2 }), fakeHooks(), { pretrained: new InMemoryPretrainedStore() });
    expect(out).toMatchObject({ kind: "failed", retryable: false, error: { name: "InvalidParameterError" } });
  });
});

describe("round boundaries", () => {
  it("obeys stop, abort and the step budget between rounds", async () => {
    const store = new InMemoryPretrainedStore();
    const params = { method: "sap", "sap.rounds": 4, "sap.roundEpochs": 1 };
    const stopHooks = fakeHooks((step) => (step >= 2 ? "stop" : "continue"));
    const stopped = await runTrial(trialRequest(params), stopHooks, { pretrained: store });
    expect(stopped).toMatchObject({ kind: "completed", stoppedEarly: true, lastStep: 2 });
    expect(stopHooks.calls).toHaveLength(2);

    const controller = new AbortController();
    const abortHooks = fakeHooks(() => {
      controller.abort(new Error("SIGTERM"));
      return "continue";
    }, controller);
    expect(await runTrial(trialRequest({ ...params, method: "lottery-ticket" }), abortHooks, { pretrained: store })).toEqual({ kind: "aborted", reason: "SIGTERM" });
    expect(abortHooks.calls).toHaveLength(1);

    const budget = await runTrial(trialRequest({ method: "one-shot", "one-shot.rounds": 4, "one-shot.roundEpochs": 1 }, { budget: { maxSteps: 2, maxWallMs: 0 } }), fakeHooks(), {
      pretrained: store,
    });
    expect(budget).toMatchObject({ kind: "completed", stoppedEarly: false, lastStep: 2, details: { budgetExhausted: true } });
  });
});

describe("iterative magnitude", () => {
  it.each(["global", "layer"])("hits its final sparsity within 1%, one progress step per round (%s)", async (scope) => {
    const hooks = fakeHooks();
    const out = await runTrial(
      trialRequest({ sparsity: 0.85, "magnitude.mode": "iterative", "magnitude.rounds": 3, "magnitude.roundEpochs": 1, "magnitude.scope": scope, "finetune.epochs": 1 }),
      hooks,
      { pretrained: new InMemoryPretrainedStore() },
    );
    expect(out.kind).toBe("completed");
    if (out.kind !== "completed") return;
    expect(Math.abs((out.metrics["sparsity"] ?? 0) - 0.85)).toBeLessThan(0.01);
    expect(hooks.calls.map((c) => c.phase)).toEqual(["prune", "prune", "prune"]);
    const rounds = roundsOf(out.details);
    expect(rounds[1]?.["target"]).toBeCloseTo(0.85 - 0.85 * (2 / 3) ** 3);
    expect(Math.abs(1 - (rounds[1]?.["remaining"] ?? 0) - (rounds[1]?.["target"] ?? 0))).toBeLessThan(0.01);
  });
});

describe("weight decay", () => {
  it("adds (λ/2)·Σ‖W‖² of the kernels to the cross-entropy, and nothing for λ = 0", async () => {
    const { net } = await pretrainedContext();
    expect(weightDecayLoss(0)).toBeUndefined();
    const loss = weightDecayLoss(0.1);
    const x = tf.tensor(splitOf(data, "test").x.subarray(0, 8 * 8), [8, 8]);
    const y = tf.oneHot(tf.tensor1d(Array.from(splitOf(data, "test").y.subarray(0, 8)), "int32"), 3) as tf.Tensor2D;
    const withL2 = (await loss?.(net, x, y).data())?.[0] ?? 0;
    const ce = (await crossEntropyLoss(net, x, y).data())[0] ?? 0;
    let sq = 0;
    for (const p of net.prunableParams()) for (const v of await p.variable.data()) sq += v * v;
    expect(withL2 - ce).toBeCloseTo(0.05 * sq, 3);
    tf.dispose([x, y]);
    net.dispose();
  });
});

describe("masks and memory", () => {
  it("keeps pruned weights zero through the Adam steps of every round", async () => {
    for (const run of [
      (ctx: TrialPruningContext) => sapMethod.run(ctx, sapMethod.parseParams({ own: { rounds: 2, roundEpochs: 1, scope: "neuron" }, common: {} })),
      (ctx: TrialPruningContext) => lotteryTicketMethod.run(ctx, { rate: 0.5, rounds: 2, roundEpochs: 1, scope: "layer", weightDecay: 1e-3 }),
    ]) {
      const { net, ctx } = await pretrainedContext();
      const r = await run(ctx);
      expect(await revived(net, r.masks as Masks)).toBe(0);
      disposeMasks(r.masks);
      net.dispose();
    }
  });

  it("leaves the tensor count flat across trials of every method", async () => {
    const store = new InMemoryPretrainedStore();
    await runTrial(trialRequest({ sparsity: 0.5 }), fakeHooks(), { pretrained: store });
    const before = tf.memory().numTensors;
    const cases: Record<string, PlainParam>[] = [
      { method: "sap", "sap.rounds": 2, "sap.roundEpochs": 1, "sap.stopRule": "pqi-rise" },
      { method: "sap", "sap.rounds": 2, "sap.roundEpochs": 1, "sap.rewind": "none", "sap.scope": "neuron" },
      { method: "lottery-ticket", "lottery-ticket.rounds": 2, "lottery-ticket.roundEpochs": 1, "lottery-ticket.weightDecay": 5e-4 },
      { method: "one-shot", "one-shot.rounds": 2, "one-shot.roundEpochs": 1, "one-shot.scope": "layer" },
      { sparsity: 0.7, "magnitude.mode": "iterative", "magnitude.rounds": 2, "finetune.epochs": 1, "magnitude.weightDecay": 1e-3 },
      { sparsity: 0.7, "magnitude.weightDecay": 1e-3, "finetune.epochs": 1 },
    ];
    for (const params of cases) {
      const out = await runTrial(trialRequest(params, { trialId: String(params["method"]) }), fakeHooks(), { pretrained: store });
      expect(out.kind, JSON.stringify(params)).toBe("completed");
      expect(tf.memory().numTensors, JSON.stringify(params)).toBe(before);
    }
  });
});
