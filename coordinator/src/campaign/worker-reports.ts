import type { CampaignEvent } from "../domain/events.js";
import type { Metrics } from "../domain/trial.js";
import { isFinished } from "../domain/trial.js";
import type { EarlyStopper, StopDecision } from "../early-stopping/index.js";
import type { CampaignContext } from "./context.js";
import type { DispatchLoop } from "./dispatch-loop.js";
import type { SamplerDriver } from "./sampler-replay.js";
import { step, type Step } from "./step.js";
import { trialEventPrefix } from "./trial-events.js";
import { trialFailed } from "./trial-failed.js";

/** What the coordinator tells a worker that says hello for an attempt. */
export type HelloAnswer = { readonly kind: "run" } | { readonly kind: "cancel"; readonly reason: string };

/** A final report of a worker: the fields of the TrialCompleted event it becomes. */
export type ResultReport = Pick<
  Extract<CampaignEvent, { type: "TrialCompleted" }>,
  "trialId" | "attempt" | "metrics" | "details" | "wallMs" | "stoppedEarly" | "lastStep"
>;

/** A failed attempt, as a worker reports it. */
export interface FailureReport {
  readonly trialId: string;
  readonly attempt: number;
  readonly error: string;
  readonly retryable: boolean;
}

/**
 * What a worker's report stream may do to a campaign, in protocol order: `hello` once per
 * attempt, `progress` per step (answered with the early-stopping decision), then one
 * `result` or `failure`; `seen` for every message (heartbeats included). Each resolves
 * once what it recorded is durable, so the worker may then act on the answer (ack its
 * message, stop training). Reports for a trial that is already final are no-ops.
 */
export interface WorkerReports {
  hello(trialId: string, attempt: number, workerId: string, backend: string): Promise<HelloAnswer>;
  progress(trialId: string, attempt: number, step: number, phase: string, metrics: Metrics): Promise<StopDecision>;
  result(r: ResultReport): Promise<void>;
  failure(f: FailureReport): Promise<void>;
  seen(trialId: string): void;
}

/** The steps behind {@link WorkerReports}: each decides and records synchronously. */
export class WorkerProtocol {
  constructor(
    private readonly c: CampaignContext,
    private readonly loop: DispatchLoop,
    private readonly sampler: SamplerDriver,
    private readonly stopper: EarlyStopper,
  ) {}

  /** Answers "cancel" when the trial is final or the attempt is past `budget.maxRetries`. */
  hello(trialId: string, attempt: number, workerId: string, backend: string): Step<HelloAnswer> {
    const { campaignId, spec, state, events } = this.c;
    const t = state.trial(trialId);
    if (isFinished(t.state)) return step({ kind: "cancel", reason: `trial is already ${t.state}` });
    const { maxRetries } = spec.budget;
    if (attempt > maxRetries) {
      const d = events.record(trialFailed(campaignId, t, attempt, `gave up after ${maxRetries} deliveries (budget.maxRetries)`, false, this.c.now()));
      return step({ kind: "cancel", reason: "budget.maxRetries exhausted" }, d);
    }
    const d = events.record({ type: "TrialStarted", eventId: `${trialEventPrefix(t)}:started:${attempt}`, campaignId, trialId, attempt, workerId, backend, at: this.c.now() });
    this.loop.started(trialId);
    return step({ kind: "run" }, d);
  }

  /** Records a progress report; the value is the early-stopping decision for it. */
  progress(trialId: string, attempt: number, stepNo: number, phase: string, metrics: Metrics): Step<StopDecision> {
    const { campaignId, state, events } = this.c;
    const t = state.trial(trialId);
    if (isFinished(t.state)) return step("stop");
    const d = events.record({
      type: "TrialProgress",
      eventId: `${trialEventPrefix(t)}:progress:${attempt}:${phase}:${stepNo}`,
      campaignId,
      trialId,
      attempt,
      step: stepNo,
      phase,
      metrics,
      at: this.c.now(),
    });
    return step(this.stopper.decide(this.sampler.view(), state.trial(trialId), stepNo), d);
  }

  /**
   * Records a final result and fills the freed slot. Non-finite metrics fail the trial
   * (non-retryable).
   */
  result(r: ResultReport): Step<void> {
    const { campaignId, state, events } = this.c;
    const t = state.trial(r.trialId);
    if (isFinished(t.state)) return step(undefined);
    const bad = Object.entries(r.metrics).filter(([, v]) => !Number.isFinite(v));
    const d =
      bad.length > 0
        ? events.record(trialFailed(campaignId, t, r.attempt, `non-finite metrics: ${bad.map(([k, v]) => `${k}=${v}`).join(", ")}`, false, this.c.now()))
        : events.record({
            type: "TrialCompleted",
            eventId: `${trialEventPrefix(t)}:final`,
            campaignId,
            trialId: r.trialId,
            attempt: r.attempt,
            metrics: r.metrics,
            details: r.details,
            wallMs: r.wallMs,
            stoppedEarly: r.stoppedEarly,
            lastStep: r.lastStep,
            at: this.c.now(),
          });
    this.loop.forget(r.trialId);
    return step(undefined, Promise.all([d, this.loop.fill()]));
  }

  /** Records a failed attempt: back to waiting while retries remain and the error is retryable. */
  failure(f: FailureReport): Step<void> {
    const { campaignId, spec, state, events } = this.c;
    const t = state.trial(f.trialId);
    if (isFinished(t.state)) return step(undefined);
    const final = !f.retryable || f.attempt >= spec.budget.maxRetries;
    const d = events.record(trialFailed(campaignId, t, f.attempt, f.error, !final, this.c.now()));
    this.loop.forget(f.trialId);
    return step(undefined, Promise.all([d, this.loop.fill()]));
  }
}
