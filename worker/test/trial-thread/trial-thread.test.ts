import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InMemoryCheckpointStore } from "../../src/artifacts/checkpoint-store.js";
import { InMemoryPretrainedStore } from "../../src/artifacts/index.js";
import { TrialThread } from "../../src/trial-thread/trial-thread.js";
import type { StepDecision } from "../../src/trial/types.js";
import { syntheticTask, trialRequest } from "../helpers.js";

// The thread runs compiled code: `npm test` builds first.
const ENTRY = new URL("../../dist/trial-thread/entry.js", import.meta.url);

describe.skipIf(!existsSync(ENTRY))("TrialThread", () => {
  it("trains off the main event loop: timers keep firing while a trial runs", async () => {
    const thread = new TrialThread(ENTRY);
    const store = new InMemoryPretrainedStore();
    const lags: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      lags.push(now - last - 20);
      last = now;
    }, 20);
    const steps: number[] = [];
    const outcome = await thread.run(
      trialRequest(
        { sparsity: 0.5, "finetune.epochs": 3 },
        { task: syntheticTask({ dataset: { kind: "synthetic", samples: 3000, features: 32, classes: 4 }, modelOptions: { hidden: [128, 64] } }) },
      ),
      {
        signal: new AbortController().signal,
        progress: (step): Promise<StepDecision> => {
          steps.push(step);
          return Promise.resolve("continue");
        },
        log: () => undefined,
      },
      { pretrained: store },
    );
    clearInterval(timer);
    await thread.close();
    expect(outcome.kind).toBe("completed");
    expect(steps).toEqual([1, 2, 3]);
    // The pretrained weights were stored through the main thread's store.
    expect(store.size).toBe(1);
    lags.sort((a, b) => a - b);
    expect(lags.length).toBeGreaterThan(5);
    expect(lags[Math.floor(lags.length * 0.9)]).toBeLessThan(100);
  });

  it("aborts the trial when the signal fires and reports a stop decision as stopped early", async () => {
    const thread = new TrialThread(ENTRY);
    const ac = new AbortController();
    const aborted = await thread.run(trialRequest({ sparsity: 0.5, "finetune.epochs": 5 }), {
      signal: ac.signal,
      progress: () => {
        ac.abort(new Error("test abort"));
        return Promise.resolve("continue");
      },
      log: () => undefined,
    }, { pretrained: new InMemoryPretrainedStore() });
    expect(aborted.kind).toBe("aborted");
    const stopped = await thread.run(trialRequest({ sparsity: 0.5, "finetune.epochs": 5 }), {
      signal: new AbortController().signal,
      progress: () => Promise.resolve("stop"),
      log: () => undefined,
    }, { pretrained: new InMemoryPretrainedStore() });
    expect(stopped.kind === "completed" && stopped.stoppedEarly).toBe(true);
    await thread.close();
  });

  it("checkpoints through the main thread's store, and a second run resumes from it", async () => {
    const thread = new TrialThread(ENTRY);
    const pretrained = new InMemoryPretrainedStore();
    const checkpoints = new InMemoryCheckpointStore();
    const request = trialRequest({ sparsity: 0.5, "finetune.epochs": 4 }, { budget: { maxSteps: 0, maxWallMs: 0, checkpointEvery: 1 } });
    const ac = new AbortController();
    const first = await thread.run(request, {
      signal: ac.signal,
      progress: (step) => {
        if (step === 2) ac.abort(new Error("test abort"));
        return Promise.resolve("continue");
      },
      log: () => undefined,
    }, { pretrained, checkpoints });
    expect(first.kind).toBe("aborted");
    expect([...checkpoints.objects.keys()].sort()).toEqual(["c1/t1/call-0", "c1/t1/index"]);
    const steps: number[] = [];
    const second = await thread.run(request, {
      signal: new AbortController().signal,
      progress: (step) => {
        steps.push(step);
        return Promise.resolve("continue");
      },
      log: () => undefined,
    }, { pretrained, checkpoints });
    await thread.close();
    expect(second.kind).toBe("completed");
    expect(second.kind === "completed" && second.details["checkpoint"]).toMatchObject({ resumedFrom: { call: 0, epoch: 2, step: 2 } });
    // Step 2 again: its checkpoint was written before its report (whose answer the abort may have lost).
    expect(steps).toEqual([2, 3, 4]);
    expect(checkpoints.objects.size).toBe(0);
  });

  it("ends a thread whose trial does not stop after its abort, and runs the next trial on a fresh one", async () => {
    const thread = new TrialThread(ENTRY);
    const ac = new AbortController();
    const t0 = Date.now();
    // The trial waits forever for its first early-stopping decision: stuck, it never reaches a step boundary.
    const stuck = await thread.run(trialRequest({ sparsity: 0.5, "finetune.epochs": 5 }), {
      signal: ac.signal,
      progress: () => {
        setTimeout(() => ac.abort(new Error("trial timed out")), 50);
        return new Promise<StepDecision>(() => undefined);
      },
      log: () => undefined,
    }, { pretrained: new InMemoryPretrainedStore() });
    expect(stuck).toEqual({ kind: "aborted", reason: "trial timed out; the trial did not stop within 5000 ms, so its training thread was ended" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(5_000);
    const next = await thread.run(trialRequest({ sparsity: 0.5, "finetune.epochs": 1 }), {
      signal: new AbortController().signal,
      progress: () => Promise.resolve("continue"),
      log: () => undefined,
    }, { pretrained: new InMemoryPretrainedStore() });
    expect(next.kind).toBe("completed");
    await thread.close();
  }, 60_000);

  it("selects the backend in the thread, once per preference, and reports the selection line once", async () => {
    const thread = new TrialThread(ENTRY);
    const lines: string[] = [];
    const log = (msg: string, fields: Readonly<Record<string, unknown>>): void => {
      lines.push(`${msg}: ${String(fields["backend"])}`);
    };
    const warm = thread.backend("cpu"); // as a worker warms its thread at start-up, without a log
    expect(await thread.backend("cpu", log)).toBe("cpu");
    expect(await warm).toBe("cpu");
    expect(await thread.backend("cpu", log)).toBe("cpu");
    expect(lines).toEqual(["tfjs backend selected: cpu"]);
    await thread.close();
  });

});
