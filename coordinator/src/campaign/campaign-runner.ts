import type { CampaignEvent } from "../domain/events.js";
import type { Metrics, TrialSnapshot } from "../domain/trial.js";
import { isFinished } from "../domain/trial.js";
import type { EarlyStopper, StopDecision } from "../early-stopping/index.js";
import type { CampaignView, Sampler } from "../samplers/sampler.js";
import { Rng, seedFrom } from "../samplers/rng.js";
import type { CampaignStore } from "../store/campaign-store.js";
import type { CampaignSpec } from "../spec/types.js";
import type { TrialDispatcher } from "./dispatcher.js";
import { SerialQueue } from "./serial-queue.js";
import { CampaignState } from "./state.js";
import type { Logger } from "../logger.js";

export interface RunnerDeps {
  readonly store: CampaignStore;
  readonly dispatcher: TrialDispatcher;
  readonly sampler: Sampler;
  readonly stopper: EarlyStopper;
  readonly log: Logger;
  readonly now?: () => number;
}

/** What the coordinator tells a worker that says hello for an attempt. */
export type HelloAnswer = { readonly kind: "run" } | { readonly kind: "cancel"; readonly reason: string };

/** A final report of a worker. */
export interface ResultReport {
  readonly trialId: string;
  readonly attempt: number;
  readonly metrics: Metrics;
  readonly details: unknown;
  readonly wallMs: number;
  readonly stoppedEarly: boolean;
  readonly lastStep: number;
}

export interface FailureReport {
  readonly trialId: string;
  readonly attempt: number;
  readonly error: string;
  readonly retryable: boolean;
}

/**
 * Drives one campaign: asks the sampler, records events, dispatches trials (at most
 * `budget.parallelism` in flight), records the workers' reports, consults the early stopper,
 * and finishes when the budget is spent and every trial is final.
 *
 * Every mutation goes through one serial queue, and an event is appended to the store
 * before its effect is acknowledged to anyone (a worker, a dispatcher), so the store's log
 * is always at least as new as what the outside world has seen.
 */
export class CampaignRunner {
  readonly campaignId: string;
  readonly spec: CampaignSpec;
  readonly state: CampaignState;
  private readonly deps: RunnerDeps;
  private readonly queue = new SerialQueue();
  private readonly now: () => number;
  private exhausted = false;
  private wallTimer: NodeJS.Timeout | undefined;
  private finishedResolve!: () => void;
  /** Resolves when the campaign reaches completed or cancelled. */
  readonly finished: Promise<void>;
  private readonly listeners = new Set<(e: CampaignEvent) => void>();

  private constructor(campaignId: string, spec: CampaignSpec, deps: RunnerDeps) {
    this.campaignId = campaignId;
    this.spec = spec;
    this.deps = deps;
    this.now = deps.now ?? Date.now;
    this.state = new CampaignState(campaignId);
    this.finished = new Promise((r) => (this.finishedResolve = r));
  }

  /** Creates a new campaign: records CampaignCreated. Call `start()` to dispatch. */
  static async create(campaignId: string, spec: CampaignSpec, specYaml: string, deps: RunnerDeps): Promise<CampaignRunner> {
    const r = new CampaignRunner(campaignId, spec, deps);
    await r.record({
      type: "CampaignCreated",
      eventId: `${campaignId}:created`,
      campaignId,
      name: spec.name,
      specYaml,
      at: r.now(),
    });
    return r;
  }

  /**
   * Rebuilds a campaign from its event log. The sampler is replayed (ask per created trial,
   * tell per final trial) so it reaches the state it had; trials still in flight stay in
   * flight and are re-dispatched idempotently (msgID = trialId).
   */
  static async restore(
    campaignId: string,
    spec: CampaignSpec,
    events: readonly CampaignEvent[],
    deps: RunnerDeps,
  ): Promise<CampaignRunner> {
    const r = new CampaignRunner(campaignId, spec, deps);
    for (const e of events) r.state.apply(e);
    r.replaySampler();
    if (r.state.status !== "running") r.finishedResolve();
    return Promise.resolve(r);
  }

  /** Subscribes to applied events (dashboards, progress output). Returns an unsubscribe function. */
  onEvent(listener: (e: CampaignEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts dispatching; re-dispatches trials still in flight after a restore. */
  start(): Promise<void> {
    if (this.spec.budget.maxWallMinutes > 0 && this.state.status === "running") {
      const left = this.state.createdAt + this.spec.budget.maxWallMinutes * 60_000 - this.now();
      this.wallTimer = setTimeout(() => void this.cancel("budget.maxWallMinutes reached"), Math.max(0, left));
      this.wallTimer.unref();
    }
    return this.queue.run(async () => {
      for (const t of this.state.inFlight()) await this.dispatch(t);
      await this.fill();
    });
  }

  /** The read-only view handed to samplers and stoppers. */
  view(): CampaignView {
    return {
      trials: this.state.snapshots(),
      space: this.spec.space,
      objectives: this.spec.objectives,
      constraints: this.spec.constraints,
      paramConstraints: this.spec.paramConstraints,
    };
  }

  /** A worker starts an attempt. Answers "cancel" when the trial is final or out of retries. */
  hello(trialId: string, attempt: number, workerId: string, backend: string): Promise<HelloAnswer> {
    return this.queue.run(async () => {
      const t = this.state.trial(trialId);
      if (isFinished(t.state)) return { kind: "cancel", reason: `trial is already ${t.state}` };
      if (attempt > this.spec.budget.maxRetries) {
        await this.failTrial(t, attempt, `gave up after ${this.spec.budget.maxRetries} deliveries (budget.maxRetries)`, false);
        return { kind: "cancel", reason: "budget.maxRetries exhausted" };
      }
      await this.record({
        type: "TrialStarted",
        eventId: `${trialId}:started:${attempt}`,
        campaignId: this.campaignId,
        trialId,
        attempt,
        workerId,
        backend,
        at: this.now(),
      });
      return { kind: "run" };
    });
  }

  /** Records a progress report and returns the early-stopping decision for it. */
  progress(trialId: string, attempt: number, step: number, phase: string, metrics: Metrics): Promise<StopDecision> {
    return this.queue.run(async () => {
      const before = this.state.trial(trialId);
      if (isFinished(before.state)) return "stop";
      await this.record({
        type: "TrialProgress",
        eventId: `${trialId}:progress:${attempt}:${phase}:${step}`,
        campaignId: this.campaignId,
        trialId,
        attempt,
        step,
        phase,
        metrics,
        at: this.now(),
      });
      const t = this.state.trial(trialId);
      return this.deps.stopper.decide(this.view(), t, step);
    });
  }

  /**
   * Records a final result. Non-finite metrics fail the trial (non-retryable). A result for a
   * trial that is already final is a no-op (duplicate or late report).
   */
  result(r: ResultReport): Promise<void> {
    return this.queue.run(async () => {
      const t = this.state.trial(r.trialId);
      if (isFinished(t.state)) return;
      const bad = Object.entries(r.metrics).filter(([, v]) => !Number.isFinite(v));
      if (bad.length > 0) {
        await this.failTrial(t, r.attempt, `non-finite metrics: ${bad.map(([k, v]) => `${k}=${v}`).join(", ")}`, false);
      } else {
        await this.record({
          type: "TrialCompleted",
          eventId: `${r.trialId}:final`,
          campaignId: this.campaignId,
          trialId: r.trialId,
          attempt: r.attempt,
          metrics: r.metrics,
          details: r.details,
          wallMs: r.wallMs,
          stoppedEarly: r.stoppedEarly,
          lastStep: r.lastStep,
          at: this.now(),
        });
        this.tell(r.trialId);
      }
      await this.fill();
    });
  }

  /** Records a failed attempt; retryable failures go back to waiting while retries remain. */
  failure(f: FailureReport): Promise<void> {
    return this.queue.run(async () => {
      const t = this.state.trial(f.trialId);
      if (isFinished(t.state)) return;
      const final = !f.retryable || f.attempt >= this.spec.budget.maxRetries;
      await this.failTrial(t, f.attempt, f.error, !final);
      await this.fill();
    });
  }

  /** Cancels the campaign: trials not yet final become cancelled; nothing more is dispatched. */
  cancel(reason: string): Promise<void> {
    return this.queue.run(async () => {
      if (this.state.status !== "running") return;
      await this.record({
        type: "CampaignCancelled",
        eventId: `${this.campaignId}:cancelled`,
        campaignId: this.campaignId,
        reason,
        at: this.now(),
      });
      this.stopTimers();
      this.finishedResolve();
    });
  }

  /** Stops timers; the campaign stays resumable from its log. */
  close(): void {
    this.stopTimers();
  }

  private stopTimers(): void {
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.wallTimer = undefined;
  }

  private async failTrial(t: TrialSnapshot, attempt: number, error: string, retry: boolean): Promise<void> {
    await this.record({
      type: "TrialFailed",
      eventId: retry ? `${t.id}:failed:${attempt}` : `${t.id}:final`,
      campaignId: this.campaignId,
      trialId: t.id,
      attempt,
      error,
      retryable: retry,
      final: !retry,
      at: this.now(),
    });
    if (!retry) this.tell(t.id);
  }

  private tell(trialId: string): void {
    this.deps.sampler.tell?.(this.state.trial(trialId), this.view());
  }

  /** Creates and dispatches trials until `parallelism` are in flight or the budget is spent. */
  private async fill(): Promise<void> {
    if (this.state.status !== "running") return;
    const { maxTrials, parallelism } = this.spec.budget;
    while (!this.exhausted && this.state.trialCount < maxTrials && this.state.inFlight().length < parallelism) {
      const number = this.state.trialCount;
      const s = this.deps.sampler.ask(this.view(), this.trialRng(number));
      if (s.kind === "wait") break;
      if (s.kind === "exhausted") {
        this.exhausted = true;
        this.deps.log.info("sampler exhausted the search space", { campaign: this.campaignId, trials: number });
        break;
      }
      const trialId = `${this.campaignId}-${String(number).padStart(5, "0")}`;
      await this.record({
        type: "TrialCreated",
        eventId: `${trialId}:created`,
        campaignId: this.campaignId,
        trialId,
        number,
        params: s.params,
        at: this.now(),
      });
      await this.dispatch(this.state.trial(trialId));
    }
    const inFlight = this.state.inFlight().length;
    const spent = this.exhausted || this.state.trialCount >= maxTrials;
    if (inFlight === 0 && (spent || this.state.trialCount > 0)) {
      if (!spent) this.deps.log.warn("sampler is waiting with no trial in flight; finishing", { campaign: this.campaignId });
      await this.record({ type: "CampaignFinished", eventId: `${this.campaignId}:finished`, campaignId: this.campaignId, at: this.now() });
      this.stopTimers();
      this.finishedResolve();
    }
  }

  private async dispatch(t: TrialSnapshot): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.dispatcher.dispatch({ campaignId: this.campaignId, trialId: t.id, params: t.params, spec: this.spec });
        return;
      } catch (err) {
        const delay = Math.min(10_000, 200 * 2 ** attempt);
        this.deps.log.warn("dispatch failed; retrying", { trial: t.id, delayMs: delay, error: String(err) });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private trialRng(number: number): Rng {
    return new Rng(seedFrom(this.spec.name, this.spec.seed * 1_000_003 + number));
  }

  private replaySampler(): void {
    const snaps = this.state.snapshots();
    const replayTrials: TrialSnapshot[] = [];
    for (const t of snaps) {
      // Re-asking keeps stateful samplers (grid cursor, GA queue) in step with the log.
      this.deps.sampler.ask({ ...this.view(), trials: replayTrials }, this.trialRng(t.number));
      replayTrials.push({ ...t, state: "waiting", metrics: {} });
    }
    for (const t of snaps) if (isFinished(t.state)) this.deps.sampler.tell?.(t, this.view());
  }

  private async record(e: CampaignEvent): Promise<void> {
    await this.deps.store.append(e);
    if (this.state.apply(e)) for (const l of this.listeners) l(e);
  }
}
