import { silentLogger as silentLog, TrialAssignment } from "@prunesweep/proto";
import { describe, expect, it } from "vitest";
import { until } from "./helpers.js";
import { InMemoryPretrainedStore } from "../src/artifacts/index.js";
import { loadWorkerConfig, type WorkerConfig } from "../src/config.js";
import { IllegalStateError, ShutdownTimeoutError, WebGpuUnavailableError } from "../src/errors.js";
import { Lifecycle, type WorkerState } from "../src/lifecycle.js";
import { InMemoryReportChannel, InMemoryTrialSource, ScriptedTrialExecutor, type FakeCoordinator } from "../src/testing.js";
import { inProcessExecutor, type TrialExecutor } from "../src/trial-executor.js";
import type { TrialLease, TrialSource } from "../src/trial-source.js";
import { Worker } from "../src/worker.js";

/** A valid assignment of a tiny synthetic MLP task. */
function assignment(trialId: string, params: Record<string, number> = { "magnitude.sparsity": 0.5, "finetune.epochs": 1 }, backend = "cpu"): TrialAssignment {
  return TrialAssignment.fromPartial({
    campaignId: "c1",
    trialId,
    attempt: 1,
    coordinatorEndpoint: "coordinator.test:50051",
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, { kind: { $case: "floatValue", value: v } }])),
    task: {
      dataset: { source: { $case: "synthetic", value: { samples: 300, features: 8, classes: 3 } } },
      split: { train: 0.7, validation: 0.1, test: 0.2 },
      model: "mlp",
      modelOptionsJson: JSON.stringify({ hidden: [16] }),
      pretrain: { epochs: 1, optimizer: "adam", learningRate: 0.01, batchSize: 32 },
      backend,
      seed: 3,
    },
  });
}

function config(overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return { ...loadWorkerConfig({ workerId: "w-test" }, {}), heartbeatIntervalMs: 20, trainInThread: false, ...overrides };
}

function setup(o: { config?: Partial<WorkerConfig>; coordinator?: FakeCoordinator; executor?: TrialExecutor } = {}) {
  const source = new InMemoryTrialSource();
  const reports = new InMemoryReportChannel(o.coordinator);
  const executor = o.executor ?? new ScriptedTrialExecutor();
  const worker = new Worker(config(o.config), { source, reports, executor, log: silentLog });
  return { source, reports, executor, worker };
}

describe("worker lifecycle (state machine)", () => {
  it("allows initialized → running → draining → stopped, and failed from running or draining", () => {
    const paths: WorkerState[][] = [
      ["running", "draining", "stopped"],
      ["running", "failed"],
      ["running", "draining", "failed"],
      ["stopped"],
    ];
    for (const path of paths) {
      const l = new Lifecycle();
      for (const s of path) l.to(s);
      expect(l.state).toBe(path.at(-1));
      expect(l.finished).toBe(path.at(-1) === "stopped" || path.at(-1) === "failed");
    }
  });

  it("throws IllegalStateError on every other transition, naming both states", () => {
    const illegal: [WorkerState[], WorkerState][] = [
      [[], "draining"],
      [[], "failed"],
      [["running"], "stopped"],
      [["running"], "running"],
      [["running", "draining"], "running"],
      [["stopped"], "running"],
      [["running", "failed"], "stopped"],
    ];
    for (const [before, next] of illegal) {
      const l = new Lifecycle();
      for (const s of before) l.to(s);
      expect(() => l.to(next)).toThrow(IllegalStateError);
      expect(() => l.to(next)).toThrow(`from ${l.state} to ${next}`);
    }
  });
});

describe("Worker", () => {
  it("runs a leased trial: hello, progress, final report, then acks; stops after maxTrials", async () => {
    const { source, reports, executor, worker } = setup({ config: { maxTrials: 1 } });
    const lease = source.offer(assignment("c1-00000"));
    const states: WorkerState[] = [worker.state];
    const done = worker.run();
    states.push(worker.state);
    await done;
    states.push(worker.state);
    expect(states).toEqual(["initialized", "running", "stopped"]);
    const [session] = reports.sessions;
    expect(session?.ids).toEqual({ campaignId: "c1", trialId: "c1-00000", attempt: 1 });
    expect(session?.endpoint).toBe("coordinator.test:50051");
    expect(session?.steps.map((p) => p.step)).toEqual([1, 2]);
    expect(session?.final?.$case).toBe("result");
    expect(session?.closed).toBe(true);
    expect(lease.settlements).toEqual([{ kind: "ack" }]);
    expect((executor as ScriptedTrialExecutor).closed).toBe(true);
    expect(reports.closed).toBe(true);
    expect(source.isClosed).toBe(true);
  });

  it("throws IllegalStateError when run twice, or run after shutdown", async () => {
    const a = setup();
    void a.worker.run();
    expect(() => a.worker.run()).toThrow(IllegalStateError);
    await a.worker.shutdown();
    expect(a.worker.state).toBe("stopped");
    const b = setup();
    await b.worker.shutdown();
    expect(b.worker.state).toBe("stopped");
    expect(() => b.worker.run()).toThrow(IllegalStateError);
  });

  it("drains on shutdown: no new lease is started, an idle worker stops at once, and shutdown is idempotent", async () => {
    const { source, worker } = setup();
    const done = worker.run();
    const first = worker.shutdown();
    expect(worker.shutdown()).toBe(first);
    expect(worker.state).toBe("draining");
    await first;
    await done;
    expect(worker.state).toBe("stopped");
    expect(source.isClosed).toBe(true);
  });

  it("terminates a trial the coordinator cancels at hello", async () => {
    const { source, worker } = setup({ config: { maxTrials: 1 }, coordinator: { hello: "cancel" } });
    const lease = source.offer(assignment("c1-00001"));
    await worker.run();
    expect(lease.settlements).toEqual([{ kind: "reject" }]);
  });

  it("after the grace period aborts the running trial and gives its lease back once, then stops cleanly", async () => {
    const executor = new ScriptedTrialExecutor({ hold: true });
    const { source, reports, worker } = setup({ executor, config: { shutdownGraceMs: 50, shutdownDeadlineMs: 5_000 } });
    const lease = source.offer(assignment("c1-00002"));
    const done = worker.run();
    await until(() => executor.runs.length === 1);
    const t0 = Date.now();
    await worker.shutdown();
    await done;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(worker.state).toBe("stopped");
    // Given back at the end of the grace period; the aborted outcome's own retry is a no-op.
    expect(lease.settlements).toEqual([{ kind: "retryLater", delayMs: 0 }]);
    expect(reports.sessions[0]?.final).toBeUndefined();
  });

  it("aborts a trial past the assignment's time limit and reports it failed, timed out, non-retryable; the message is terminated", async () => {
    const executor = new ScriptedTrialExecutor({ hold: true });
    const { source, reports, worker } = setup({ executor, config: { maxTrials: 1 } });
    const timed = TrialAssignment.fromPartial({ ...assignment("c1-00009"), budget: { maxSteps: 0, maxWallMs: 150 } });
    const lease = source.offer(timed);
    const t0 = Date.now();
    await worker.run();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(reports.sessions[0]?.final).toEqual({
      $case: "failure",
      value: { errorName: "TrialTimeoutError", message: "trial timed out after 150 ms (budget.trialTimeout)", retryable: false },
    });
    expect(lease.settlements).toEqual([{ kind: "reject" }]);
  });

  it("leaves a trial that ends within its time limit alone", async () => {
    const { source, reports, worker } = setup({ config: { maxTrials: 1 } });
    const lease = source.offer(TrialAssignment.fromPartial({ ...assignment("c1-00010"), budget: { maxSteps: 0, maxWallMs: 60_000 } }));
    await worker.run();
    expect(reports.sessions[0]?.final?.$case).toBe("result");
    expect(lease.settlements).toEqual([{ kind: "ack" }]);
  });

  it("exits with ShutdownTimeoutError when a final report to an unreachable coordinator outlives the deadline", async () => {
    const { source, reports, executor, worker } = setup({ coordinator: { finish: "hang" }, config: { shutdownGraceMs: 30, shutdownDeadlineMs: 150 } });
    const lease = source.offer(assignment("c1-00003"));
    const done = worker.run();
    await until(() => reports.sessions[0]?.final !== undefined);
    const t0 = Date.now();
    const stopping = worker.shutdown();
    await expect(done).rejects.toThrow(ShutdownTimeoutError);
    await expect(stopping).rejects.toThrow(/within 150 ms .*final report of trial c1-00003 to the coordinator at coordinator\.test:50051/);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(worker.state).toBe("failed");
    // The lease was given back at the end of the grace period: another worker reruns the trial.
    expect(lease.settlements).toEqual([{ kind: "retryLater", delayMs: 0 }]);
    expect((executor as ScriptedTrialExecutor).closed).toBe(true);
    expect(reports.closed).toBe(true);
  });

  it("gives back a lease that arrives while draining without starting it", async () => {
    const reports = new InMemoryReportChannel();
    let handOut: ((l: TrialLease) => void) | undefined;
    // A pull still on its way when the worker starts draining.
    const source: TrialSource = { next: () => new Promise((r) => (handOut = r)), close: () => undefined };
    const worker = new Worker(config(), { source, reports, executor: new ScriptedTrialExecutor(), log: silentLog });
    const done = worker.run();
    await until(() => handOut !== undefined);
    const stopping = worker.shutdown();
    const lease = new InMemoryTrialSource().offer(assignment("c1-00004"));
    handOut?.(lease);
    await stopping;
    await done;
    expect(lease.settlements).toEqual([{ kind: "retryLater", delayMs: 0 }]);
    expect(reports.sessions).toHaveLength(0);
  });

  it("runs a task's backend auto on its --backend, and reports a backend that cannot run here as the attempt's failure", async () => {
    const requested: string[] = [];
    const scripted = new ScriptedTrialExecutor();
    const executor: TrialExecutor = {
      backend: (b) => {
        requested.push(b);
        return b === "webgpu" ? Promise.reject(new WebGpuUnavailableError('backend "webgpu" requested but no adapter')) : Promise.resolve(b);
      },
      run: (request, hooks) => scripted.run(request, hooks),
      close: () => scripted.close(),
    };
    const { source, reports, worker } = setup({ executor, config: { backend: "webgpu", maxTrials: 2 } });
    const auto = source.offer(assignment("c1-00006", undefined, "auto"));
    const cpu = source.offer(assignment("c1-00007", undefined, "cpu"));
    await worker.run();
    expect(requested).toEqual(["webgpu", "cpu"]);
    expect(reports.sessions[0]?.final).toEqual({
      $case: "failure",
      value: { errorName: "WebGpuUnavailableError", message: 'backend "webgpu" requested but no adapter', retryable: false },
    });
    expect(auto.settlements).toEqual([{ kind: "reject" }]);
    // Nothing trained for the failed attempt; an explicit task backend is left alone.
    expect(scripted.runs.map((r) => [r.trialId, r.task.backend])).toEqual([["c1-00007", "cpu"]]);
    expect(cpu.settlements).toEqual([{ kind: "ack" }]);
  });

  it("trains a real trial in process with the same fakes around it", async () => {
    const executor = inProcessExecutor(new InMemoryPretrainedStore());
    const { source, reports, worker } = setup({ executor, config: { maxTrials: 1 } });
    const lease = source.offer(assignment("c1-00005"));
    await worker.run();
    const final = reports.sessions[0]?.final;
    expect(final?.$case, JSON.stringify(final)).toBe("result");
    if (final?.$case === "result") expect(final.value.metrics["accuracy"]).toBeGreaterThan(0);
    expect(reports.sessions[0]?.steps.length).toBeGreaterThan(0);
    expect(lease.settlements).toEqual([{ kind: "ack" }]);
  }, 60_000);
});

describe("worker config: shutdown deadline", () => {
  it("defaults to the grace period plus 15 s and must exceed it", () => {
    expect(loadWorkerConfig({}, {}).shutdownDeadlineMs).toBe(45_000);
    expect(loadWorkerConfig({ shutdownGraceMs: "1000" }, {}).shutdownDeadlineMs).toBe(16_000);
    expect(loadWorkerConfig({ shutdownGraceMs: "1000", shutdownDeadlineMs: "2500" }, {}).shutdownDeadlineMs).toBe(2_500);
    expect(() => loadWorkerConfig({ shutdownGraceMs: "5000", shutdownDeadlineMs: "5000" }, {})).toThrow(/--shutdown-deadline-ms: must be above --shutdown-grace-ms \(5000\), got 5000/);
  });
});
