/** Shared fixtures of the worker unit tests. */
import type { PlainParam } from "@prunesweep/proto";
import type { StepDecision, TrialHooks, TrialRequest, WorkerTask } from "../src/trial/types.js";

/** A tiny synthetic task: 8 features, 3 classes, an 8-16-3 MLP, 2 pretrain epochs. */
export function syntheticTask(overrides: Partial<WorkerTask> = {}): WorkerTask {
  return {
    dataset: { kind: "synthetic", samples: 600, features: 8, classes: 3 },
    split: { train: 0.7, validation: 0.1, test: 0.2 },
    model: "mlp",
    modelOptions: { hidden: [16] },
    exits: { positions: [], every: 0 },
    pretrain: { epochs: 2, optimizer: "adam", learningRate: 0.01, batchSize: 32 },
    backend: "wasm",
    seed: 7,
    maxTrainExamples: 0,
    ...overrides,
  };
}

/** A trial request on {@link syntheticTask}. */
export function trialRequest(params: Record<string, PlainParam>, overrides: Partial<TrialRequest> = {}): TrialRequest {
  return {
    campaignId: "c1",
    trialId: "t1",
    attempt: 1,
    params,
    task: syntheticTask(),
    budget: { maxSteps: 0, maxWallMs: 0 },
    ...overrides,
  };
}

/** Recorded progress calls. */
export interface ProgressCall {
  readonly step: number;
  readonly phase: string;
  readonly metrics: Readonly<Record<string, number>>;
}

/** Hooks that record progress and answer with `decide(step)`. */
export function fakeHooks(
  decide: (step: number) => StepDecision = () => "continue",
  controller = new AbortController(),
): TrialHooks & { calls: ProgressCall[]; logs: string[]; controller: AbortController } {
  const calls: ProgressCall[] = [];
  const logs: string[] = [];
  return {
    signal: controller.signal,
    controller,
    calls,
    logs,
    progress(step, phase, metrics) {
      calls.push({ step, phase, metrics });
      return Promise.resolve(decide(step));
    },
    log(message) {
      logs.push(message);
    },
  };
}

/** Resolves once `pred` holds (polled every 2 ms); throws after `ms`. */
export async function until(pred: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`condition not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
