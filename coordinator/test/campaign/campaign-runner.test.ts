import { describe, expect, it } from "vitest";
import { CampaignRunner, type RunnerDeps } from "../../src/campaign/campaign-runner.js";
import { TRIAL_TIMEOUT_GRACE_MS } from "../../src/campaign/dispatch-loop.js";
import { RecordingTrialDispatcher } from "../../src/testing.js";
import { NoEarlyStopper } from "../../src/early-stopping/index.js";
import { silentLogger } from "../../src/logger.js";
import { createSampler } from "../../src/samplers/index.js";
import { parseCampaignSpec } from "../../src/spec/index.js";
import { InMemoryCampaignStore } from "../../src/store/campaign-store.js";

const SPEC = `
name: unit
seed: 3
task: { dataset: { synthetic: { samples: 100, features: 4, classes: 2 } }, model: mlp }
objectives: [{ metric: accuracy, direction: maximize }, { metric: nonzero_params, direction: minimize }]
space: { sparsity: { min: 0.1, max: 0.9 } }
budget: { maxTrials: 4, parallelism: 2, maxRetries: 2 }
`;

async function makeRunner(store = new InMemoryCampaignStore(), dispatcher = new RecordingTrialDispatcher()) {
  const spec = parseCampaignSpec(SPEC, "unit.yaml");
  const deps: RunnerDeps = {
    store,
    dispatcher,
    sampler: createSampler(spec.sampler, spec, spec.seed),
    stopper: new NoEarlyStopper(),
    log: silentLogger,
  };
  const runner = await CampaignRunner.create("unit-000001", spec, SPEC, deps);
  await runner.start();
  return { runner, store, dispatcher, spec, deps };
}

const ok = (trialId: string, accuracy: number) => ({
  trialId,
  attempt: 1,
  metrics: { accuracy, nonzero_params: 100 },
  details: {},
  wallMs: 5,
  stoppedEarly: false,
  lastStep: 2,
});

describe("CampaignRunner", () => {
  it("keeps at most `parallelism` trials in flight and dispatches the next one on each result", async () => {
    const { runner, dispatcher } = await makeRunner();
    expect(dispatcher.sent).toHaveLength(2);
    await runner.result(ok(dispatcher.sent[0]!.trialId, 0.9));
    expect(dispatcher.sent).toHaveLength(3);
    expect(runner.view.inFlight()).toHaveLength(2);
  });

  it("treats a duplicate or late result as a no-op", async () => {
    const { runner, dispatcher, store } = await makeRunner();
    const id = dispatcher.sent[0]!.trialId;
    await runner.result(ok(id, 0.9));
    await runner.result(ok(id, 0.1));
    await runner.result({ ...ok(id, 0.2), attempt: 3 });
    expect(runner.view.trial(id).metrics["accuracy"]).toBe(0.9);
    const finals = (await store.load(runner.campaignId)).filter((e) => e.type === "TrialCompleted");
    expect(finals).toHaveLength(1);
  });

  it("fails a trial with non-finite metrics as non-retryable and keeps it off the front", async () => {
    const { runner, dispatcher } = await makeRunner();
    const id = dispatcher.sent[0]!.trialId;
    await runner.result({ ...ok(id, Number.NaN) });
    const t = runner.view.trial(id);
    expect(t.state).toBe("failed");
    expect(t.error).toContain("non-finite");
  });

  it("retries retryable failures up to budget.maxRetries, then records the trial failed", async () => {
    const { runner, dispatcher } = await makeRunner();
    const id = dispatcher.sent[0]!.trialId;
    expect(await runner.hello(id, 1, "w", "wasm")).toEqual({ kind: "run" });
    await runner.failure({ trialId: id, attempt: 1, error: "boom", retryable: true });
    expect(runner.view.trial(id).state).toBe("waiting");
    await runner.failure({ trialId: id, attempt: 2, error: "boom", retryable: true });
    expect(runner.view.trial(id).state).toBe("failed");
    // A further delivery is told to cancel.
    expect((await runner.hello(id, 3, "w", "wasm")).kind).toBe("cancel");
  });

  it("cancels an attempt beyond maxRetries at hello", async () => {
    const { runner, dispatcher } = await makeRunner();
    const id = dispatcher.sent[0]!.trialId;
    expect((await runner.hello(id, 3, "w", "wasm")).kind).toBe("cancel");
    expect(runner.view.trial(id).state).toBe("failed");
  });

  /** A started runner of `yaml` on a clock the test moves (`clock.now`). */
  async function clockedRunner(campaignId: string, yaml: string) {
    const clock = { now: 1_000 };
    const spec = parseCampaignSpec(yaml, "unit.yaml");
    const dispatcher = new RecordingTrialDispatcher();
    const runner = await CampaignRunner.create(campaignId, spec, yaml, {
      store: new InMemoryCampaignStore(),
      dispatcher,
      sampler: createSampler(spec.sampler, spec, spec.seed),
      stopper: new NoEarlyStopper(),
      log: silentLogger,
      now: () => clock.now,
    });
    await runner.start();
    return { clock, spec, dispatcher, runner };
  }

  it("re-queues running trials that go silent", async () => {
    const { clock, dispatcher, runner } = await clockedRunner("unit-000002", SPEC);
    const id = dispatcher.sent[0]!.trialId;
    await runner.hello(id, 1, "w", "wasm");
    clock.now += 5_000;
    expect(await runner.failStaleTrials(10_000)).toEqual([]);
    clock.now += 10_000;
    expect(await runner.failStaleTrials(10_000)).toEqual([id]);
    expect(runner.view.trial(id).state).toBe("waiting");
    expect(runner.view.trial(id).error).toContain("stale");
  });

  it("fails for good an attempt past budget.trialTimeout plus the grace, then cancels its redelivery", async () => {
    const { clock, spec, dispatcher, runner } = await clockedRunner("unit-000003", SPEC.replace("maxRetries: 2 }", "maxRetries: 2, trialTimeout: 3s }"));
    expect(spec.budget.trialTimeoutMs).toBe(3_000);
    const [a, b] = dispatcher.sent.map((r) => r.trialId) as [string, string];
    await runner.hello(a, 1, "w1", "wasm");
    clock.now += 2_000;
    await runner.hello(b, 1, "w2", "wasm");
    clock.now += 3_000 + TRIAL_TIMEOUT_GRACE_MS - 1_000; // a: limit + grace passed; b: not yet
    expect(await runner.failTimedOutTrials()).toEqual([a]);
    expect(runner.view.trial(a)).toMatchObject({ state: "failed", error: expect.stringMatching(/^timed out: no result within budget.trialTimeout \(3000 ms\)/) as unknown });
    expect(runner.view.trial(b).state).toBe("running");
    // The freed slot is filled, and a redelivery of the timed-out trial is answered "cancel".
    expect(dispatcher.sent).toHaveLength(3);
    expect(await runner.hello(a, 2, "w3", "wasm")).toEqual({ kind: "cancel", reason: "trial is already failed" });
    // A late result of the timed-out attempt is a no-op.
    await runner.result(ok(a, 0.9));
    expect(runner.view.trial(a).state).toBe("failed");
    clock.now += 2_000;
    expect(await runner.failTimedOutTrials()).toEqual([b]);
  });

  it("retries failed trials in the same campaign: fresh attempts, a new publish id, the campaign reopened and finished again", async () => {
    const { runner, store, dispatcher, spec, deps } = await makeRunner();
    for (let i = 0; i < 4; i++) {
      const r = dispatcher.sent[i]!;
      await runner.hello(r.trialId, 1, "w", "wasm");
      if (i % 2 === 0) await runner.failure({ trialId: r.trialId, attempt: 1, error: "InvalidTaskError: bad", retryable: false });
      else await runner.result(ok(r.trialId, 0.8));
    }
    await runner.finished;
    expect(runner.view.status).toBe("completed");
    await expect(runner.retry([1])).rejects.toThrow("only failed trials can be retried: trial 1 is completed");
    await expect(runner.retry([9])).rejects.toThrow("no trial 9 in campaign unit-000001 (trials 0 … 3)");

    const [t0, , t2] = runner.view.trials().map((t) => t.id) as [string, string, string];
    expect(await runner.retry()).toEqual([t0, t2]);
    expect(runner.view.status).toBe("running");
    expect(runner.view.trial(t0)).toMatchObject({ state: "waiting", attempts: 0, retries: 1 });
    expect(runner.view.trial(t0).error).toBeUndefined();
    expect(dispatcher.sent.slice(4).map((r) => r.dedupeId)).toEqual([`${t0}:retry1`, `${t2}:retry1`]);
    let finished = false;
    void runner.view.finished.then(() => (finished = true));
    for (const id of [t0, t2]) {
      await runner.hello(id, 1, "w", "wasm");
      await runner.result(ok(id, 0.9));
    }
    await runner.view.finished;
    expect(finished).toBe(true);
    expect(runner.view.counts()).toMatchObject({ completed: 4, failed: 0 });
    // The log holds both rounds without an id clash, and replays to the same state.
    const events = await store.load("unit-000001");
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const restored = CampaignRunner.restore("unit-000001", spec, events, deps);
    expect(restored.view.trials().map((t) => [t.state, t.retries ?? 0])).toEqual([
      ["completed", 1],
      ["completed", 0],
      ["completed", 1],
      ["completed", 0],
    ]);
  });

  it("restores from its log with the same trials and sampler state, and finishes the budget", async () => {
    const { runner, store, dispatcher, deps } = await makeRunner();
    await runner.result(ok(dispatcher.sent[0]!.trialId, 0.8));
    const events = await store.load(runner.campaignId);
    const spec = parseCampaignSpec(SPEC, "unit.yaml");
    const d2 = new RecordingTrialDispatcher();
    const restored = await CampaignRunner.restore(runner.campaignId, spec, events, {
      ...deps,
      dispatcher: d2,
      sampler: createSampler(spec.sampler, spec, spec.seed),
    });
    await restored.start();
    expect(restored.view.trials().map((t) => t.params)).toEqual(runner.view.trials().map((t) => t.params));
    // Never-started waiting trials are published again (idempotent by msgID).
    expect(d2.sent.map((r) => r.trialId).sort()).toEqual(restored.view.inFlight().map((t) => t.id).sort());
    for (const t of restored.view.inFlight()) await restored.result(ok(t.id, 0.7));
    for (;;) {
      const open = restored.view.inFlight();
      if (open.length === 0) break;
      for (const t of open) await restored.result(ok(t.id, 0.6));
    }
    await restored.finished;
    expect(restored.view.trialCount).toBe(4);
    // The original run would have suggested the same 4th trial.
    await runner.result(ok(dispatcher.sent[1]!.trialId, 0.7));
    await runner.result(ok(dispatcher.sent[2]!.trialId, 0.7));
    expect(restored.view.trials().map((t) => t.params)).toEqual(runner.view.trials().map((t) => t.params));
  });
});
