/**
 * Trial checkpoints and resumption: a trial aborted after some progress steps and run again on
 * the same checkpoint store gives the result of a trial that never stopped, for every method's
 * loop (one-shot fine-tuning, prune rounds with rewinding, early-exit phases, gates and their
 * export), and does not train the checkpointed epochs again.
 */
import type { PlainParam } from "@prunesweep/proto";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { checkpointFromWeights, checkpointToWeights } from "../../src/artifacts/checkpoint-codec.js";
import { InMemoryCheckpointStore } from "../../src/artifacts/checkpoint-store.js";
import { InMemoryPretrainedStore } from "../../src/artifacts/pretrained-store.js";
import { runTrial } from "../../src/trial/run-trial.js";
import type { TrialOutcome, WorkerTask } from "../../src/trial/types.js";
import { fakeHooks, syntheticTask, trialRequest, type ProgressCall } from "../helpers.js";

const pretrained = new InMemoryPretrainedStore();

type Completed = Extract<TrialOutcome, { kind: "completed" }>;

/** Metrics that measure time, which no two runs share. */
const timed = (k: string): boolean => /wall|latency|_ms/.test(k);

function untimed(m: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).filter(([k]) => !timed(k)));
}

function completed(o: TrialOutcome): Completed {
  if (o.kind !== "completed") throw new Error(`trial did not complete: ${JSON.stringify(o)}`);
  return o;
}

interface Case {
  readonly name: string;
  readonly params: Record<string, PlainParam>;
  readonly task?: WorkerTask;
  /** Progress steps the first attempt runs before it is aborted... */
  readonly abortAfter?: number;
  /** ...or checkpoints it writes (an abort inside a prune round: rounds report no epochs). */
  readonly abortAfterWrites?: number;
  readonly every?: number;
  /** The second attempt continues inside a fine-tuning call (with its optimizer state). */
  readonly midCall?: boolean;
}

const CASES: readonly Case[] = [
  { name: "magnitude one-shot", params: { sparsity: 0.7, "finetune.epochs": 4 }, abortAfter: 2, midCall: true },
  { name: "magnitude one-shot, a checkpoint every 2 epochs, aborted between", params: { sparsity: 0.7, "finetune.epochs": 5 }, abortAfter: 3, every: 2 },
  { name: "magnitude iterative", params: { sparsity: 0.8, "magnitude.mode": "iterative", "magnitude.rounds": 3, "magnitude.roundEpochs": 2, "finetune.epochs": 2 }, abortAfter: 2 },
  { name: "sap (rewind to w_init, pqi-rise restore)", params: { method: "sap", "sap.rounds": 4, "sap.roundEpochs": 2, "sap.rewind": "init", "sap.stopRule": "both" }, abortAfter: 2 },
  { name: "lottery ticket", params: { method: "lottery-ticket", "lottery-ticket.rounds": 3, "lottery-ticket.roundEpochs": 2 }, abortAfter: 1 },
  { name: "sap, aborted inside a round", params: { method: "sap", "sap.rounds": 3, "sap.roundEpochs": 3, "sap.rewind": "init" }, abortAfterWrites: 5, midCall: true },
  { name: "lottery ticket, aborted inside a round", params: { method: "lottery-ticket", "lottery-ticket.rounds": 3, "lottery-ticket.roundEpochs": 3 }, abortAfterWrites: 4, midCall: true },
  {
    name: "early-exit ordered, aborted while training the exits",
    params: { method: "early-exit", "early-exit.approach": "ordered", "early-exit.iterations": 2, "early-exit.fraction": 0.4, "early-exit.epochsPerIteration": 1, "early-exit.exitEpochs": 3 },
    task: syntheticTask({ modelOptions: { hidden: [16, 12, 8] }, exits: { positions: [], every: 1 } }),
    abortAfterWrites: 3,
    midCall: true,
  },
  {
    name: "early-exit ordered (phases)",
    params: { method: "early-exit", "early-exit.approach": "ordered", "early-exit.iterations": 2, "early-exit.fraction": 0.4, "early-exit.epochsPerIteration": 1, "early-exit.exitEpochs": 2 },
    task: syntheticTask({ modelOptions: { hidden: [16, 12, 8] }, exits: { positions: [], every: 1 } }),
    abortAfter: 3,
  },
  {
    name: "layerprune (a layer removed, then two fine-tuning calls, the second at 0.1x)",
    params: { method: "layerprune", "layerprune.k": 1, "layerprune.criterion": "random", "finetune.epochs": 4 },
    task: syntheticTask({ model: "deep-mlp", modelOptions: { width: 12, depth: 4 } }),
    abortAfter: 3,
    midCall: true,
  },
  {
    name: "layerprune by filters, aborted in the first call",
    params: { method: "layerprune", "layerprune.unit": "filter", "layerprune.filterFraction": 0.3, "finetune.epochs": 4 },
    task: syntheticTask({ model: "deep-mlp", modelOptions: { width: 12, depth: 4 } }),
    abortAfter: 1,
    midCall: true,
  },
  {
    name: "gates, aborted after the export",
    params: { method: "gates", "gates.epochs": 3, "gates.lambdaNeuron": 0.05, "gates.gateLrMult": 10, "gates.tau": 0.05, "gates.postExportEpochs": 3, "finetune.learningRate": 0.01 },
    task: syntheticTask({ model: "deep-mlp", modelOptions: { width: 12, depth: 3 } }),
    abortAfter: 4,
  },
  {
    name: "gates, aborted while training the gates",
    params: { method: "gates", "gates.epochs": 4, "gates.lambdaNeuron": 0.05, "gates.gateLrMult": 10, "gates.tau": 0.05, "gates.pruneInterval": "steps", "gates.pruneSteps": 3 },
    task: syntheticTask({ model: "deep-mlp", modelOptions: { width: 12, depth: 3 } }),
    abortAfter: 2,
    midCall: true,
  },
];

describe("trial checkpoints", () => {
  beforeAll(async () => {
    // Pretrain both tasks once (shared by reference runs and resumed runs alike).
    for (const task of [syntheticTask(), ...CASES.flatMap((c) => (c.task ? [c.task] : []))]) {
      await runTrial(trialRequest({ sparsity: 0.5, "finetune.epochs": 0 }, { task, trialId: "warm" }), fakeHooks(), { pretrained });
    }
  }, 120_000);

  for (const c of CASES) {
    it(`${c.name}: the resumed trial equals the uninterrupted one`, async () => {
      const budget = { maxSteps: 0, maxWallMs: 0, checkpointEvery: c.every ?? 1 };
      const request = trialRequest(c.params, { budget, ...(c.task && { task: c.task }) });

      const referenceHooks = fakeHooks();
      const reference = { ...completed(await runTrial(request, referenceHooks, { pretrained, checkpoints: new InMemoryCheckpointStore() })), calls: referenceHooks.calls };

      const store = new InMemoryCheckpointStore();
      const tensorsBefore = tf.memory().numTensors;
      const first = fakeHooks((step) => {
        if (c.abortAfter !== undefined && step >= c.abortAfter) first.controller.abort(new Error("SIGKILL stand-in"));
        return "continue";
      });
      let writes = 0;
      const log = first.log.bind(first);
      first.log = (message, fields) => {
        log(message, fields);
        if (message === "checkpoint written" && ++writes === c.abortAfterWrites) first.controller.abort(new Error("SIGKILL stand-in"));
      };
      const aborted = await runTrial(request, first, { pretrained, checkpoints: store });
      expect(aborted.kind).toBe("aborted");
      expect(store.objects.size).toBeGreaterThan(0);

      const second = fakeHooks();
      const resumed = completed(await runTrial({ ...request, attempt: 2 }, second, { pretrained, checkpoints: store }));
      const ck = resumed.details["checkpoint"] as { resumedFrom?: { step: number; epochsTrained: number; epoch: number; epochs: number } };
      expect(ck.resumedFrom, "resumed from a checkpoint").toBeDefined();
      if (c.midCall) expect(ck.resumedFrom?.epoch).toBeLessThan(ck.resumedFrom?.epochs ?? 0);

      // Same result, bit for bit (the CPU backends here are deterministic).
      expect(untimed(resumed.metrics)).toEqual(untimed(reference.metrics));
      expect(resumed.lastStep).toBe(reference.lastStep);
      // Epochs: none lost, none trained twice beyond the interval; the reference's total.
      expect(resumed.details["epochsTrained"]).toBe(reference.details["epochsTrained"]);
      expect(Number(resumed.details["epochsThisAttempt"]) + (ck.resumedFrom?.epochsTrained ?? 0)).toBe(reference.details["epochsTrained"]);
      // The second attempt reports the steps after the checkpoint, each as the reference did; the
      // checkpointed epoch's own step again when the checkpoint preceded its report.
      const after = ck.resumedFrom?.step ?? 0;
      const untimedCalls = (calls: readonly ProgressCall[]) => calls.map((p) => ({ ...p, metrics: untimed(p.metrics) }));
      const firstStep = second.calls[0]?.step ?? 0;
      expect([after, after + 1]).toContain(firstStep);
      expect(untimedCalls(second.calls)).toEqual(untimedCalls(reference.calls.filter((p) => p.step >= firstStep)));
      // Checkpoints are deleted once the trial has completed; neither attempt leaks a tensor.
      expect(store.objects.size).toBe(0);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    }, 120_000);
  }

  it("a checkpoint that does not match the replay is not used: the call trains, with the same result", async () => {
    const budget = { maxSteps: 0, maxWallMs: 0, checkpointEvery: 1 };
    const request = trialRequest({ method: "sap", "sap.rounds": 3, "sap.roundEpochs": 1 }, { budget, trialId: "tampered" });
    const reference = completed(await runTrial(request, fakeHooks(), { pretrained, checkpoints: new InMemoryCheckpointStore() }));
    const store = new InMemoryCheckpointStore();
    const first = fakeHooks((step) => {
      if (step >= 2) first.controller.abort(new Error("stop"));
      return "continue";
    });
    expect((await runTrial(request, first, { pretrained, checkpoints: store })).kind).toBe("aborted");
    // Round 1's record claims another parameter layout.
    const name = "c1/tampered/call-0";
    const record = checkpointFromWeights(store.objects.get(name)!);
    store.objects.set(name, checkpointToWeights({ ...record, structure: `${record.structure};extra[1]` }));
    const second = fakeHooks();
    const resumed = completed(await runTrial(request, second, { pretrained, checkpoints: store }));
    expect(second.logs).toContain("checkpoint does not match the replay; training on without it");
    expect(resumed.details["checkpoint"]).not.toHaveProperty("resumedFrom");
    expect(untimed(resumed.metrics)).toEqual(untimed(reference.metrics));
  }, 120_000);

  it("ignores the checkpoints of another definition of the same trial id", async () => {
    const budget = { maxSteps: 0, maxWallMs: 0, checkpointEvery: 1 };
    const store = new InMemoryCheckpointStore();
    const first = fakeHooks((step) => {
      if (step >= 2) first.controller.abort(new Error("stop"));
      return "continue";
    });
    await runTrial(trialRequest({ sparsity: 0.5, "finetune.epochs": 3 }, { budget, trialId: "redefined" }), first, { pretrained, checkpoints: store });
    const second = fakeHooks();
    const other = completed(await runTrial(trialRequest({ sparsity: 0.6, "finetune.epochs": 3 }, { budget, trialId: "redefined" }), second, { pretrained, checkpoints: store }));
    expect(second.logs).toContain("checkpoint is of another trial definition; starting from scratch");
    expect(second.calls.map((c) => c.step)).toEqual([1, 2, 3]);
    expect(other.details["epochsThisAttempt"]).toBe(3);
  }, 120_000);
});
