import type { CampaignEvent } from "../domain/events.js";
import type { Metrics, TrialSnapshot } from "../domain/trial.js";
import { isFinished } from "../domain/trial.js";
import type { EarlyStopper, StopDecision } from "../early-stopping/index.js";
import type { CampaignView, Sampler } from "../samplers/sampler.js";
import { Rng, seedFrom } from "../domain/rng.js";
import type { CampaignStore } from "../store/campaign-store.js";
import type { CampaignSpec } from "../domain/campaign-spec.js";
import type { TrialDispatcher } from "./dispatcher.js";
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
  private readonly now: () => number;
  private exhausted = false;
  /** Appends not yet durable. */
  private readonly pendingWrites = new Set<Promise<void>>();
  private closed = false;
  private wallTimer: NodeJS.Timeout | undefined;
  private finishedResolve!: () => void;
  /** Resolves when the campaign reaches completed or cancelled. */
  readonly finished: Promise<void>;
  private readonly listeners = new Set<(e: CampaignEvent) => void>();
  /** Last time a worker message arrived per running trial (liveness; not persisted). */
  private readonly lastSeen = new Map<string, number>();

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
    return this.atomically(() => {
        // Trials never started may have been recorded but not published before a crash; the
        // publish is idempotent (msgID = trialId). Started trials still have their message.
        const redispatch = this.state
          .inFlight()
          .filter((t) => t.state === "waiting" && t.attempts === 0)
          .map((t) => this.dispatch(t));
        const now = this.now();
        for (const t of this.state.inFlight()) if (t.state === "running") this.lastSeen.set(t.id, now);
        return Promise.all([...redispatch, this.fill()]);
      }).then(() => undefined);
  }

  /** The read-only view handed to samplers and stoppers. */
  view(): CampaignView {
    const state = this.state;
    return {
      // Built on first read: samplers that ignore the history (random, Sobol) cost nothing.
      get trials() {
        return state.snapshots();
      },
      space: this.spec.space,
      objectives: this.spec.objectives,
      constraints: this.spec.constraints,
      paramConstraints: this.spec.paramConstraints,
    };
  }

  /** A worker starts an attempt. Answers "cancel" when the trial is final or out of retries. */
  async hello(trialId: string, attempt: number, workerId: string, backend: string): Promise<HelloAnswer> {
    const { answer, durable } = this.atomically((): { answer: HelloAnswer; durable: Promise<unknown> } => {
      const t = this.state.trial(trialId);
      if (isFinished(t.state)) return { answer: { kind: "cancel", reason: `trial is already ${t.state}` }, durable: Promise.resolve() };
      if (attempt > this.spec.budget.maxRetries) {
        const d = this.failTrial(t, attempt, `gave up after ${this.spec.budget.maxRetries} deliveries (budget.maxRetries)`, false);
        return { answer: { kind: "cancel", reason: "budget.maxRetries exhausted" }, durable: d };
      }
      const d = this.record({
        type: "TrialStarted",
        eventId: `${trialId}:started:${attempt}`,
        campaignId: this.campaignId,
        trialId,
        attempt,
        workerId,
        backend,
        at: this.now(),
      });
      return { answer: { kind: "run" }, durable: d };
    });
    await durable;
    return answer;
  }

  /** Records a progress report and returns the early-stopping decision for it (once durable). */
  async progress(trialId: string, attempt: number, step: number, phase: string, metrics: Metrics): Promise<StopDecision> {
    const { decision, durable } = this.atomically((): { decision: StopDecision; durable: Promise<unknown> } => {
      const before = this.state.trial(trialId);
      if (isFinished(before.state)) return { decision: "stop", durable: Promise.resolve() };
      const d = this.record({
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
      return { decision: this.deps.stopper.decide(this.view(), this.state.trial(trialId), step), durable: d };
    });
    await durable;
    return decision;
  }

  /**
   * Records a final result; resolves once it is durable (the worker may then ack its
   * message). Non-finite metrics fail the trial (non-retryable). A result for a trial that
   * is already final is a no-op (duplicate or late report).
   */
  async result(r: ResultReport): Promise<void> {
    await this.atomically((): Promise<unknown> => {
      const t = this.state.trial(r.trialId);
      if (isFinished(t.state)) return Promise.resolve();
      const bad = Object.entries(r.metrics).filter(([, v]) => !Number.isFinite(v));
      let d: Promise<unknown>;
      if (bad.length > 0) {
        d = this.failTrial(t, r.attempt, `non-finite metrics: ${bad.map(([k, v]) => `${k}=${v}`).join(", ")}`, false);
      } else {
        d = this.record({
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
      this.lastSeen.delete(r.trialId);
      return Promise.all([d, this.fill()]);
    });
  }

  /** Records a failed attempt; retryable failures go back to waiting while retries remain. */
  async failure(f: FailureReport): Promise<void> {
    await this.atomically((): Promise<unknown> => {
      const t = this.state.trial(f.trialId);
      if (isFinished(t.state)) return Promise.resolve();
      const final = !f.retryable || f.attempt >= this.spec.budget.maxRetries;
      const d = this.failTrial(t, f.attempt, f.error, !final);
      this.lastSeen.delete(f.trialId);
      return Promise.all([d, this.fill()]);
    });
  }

  /** Notes that a worker message for `trialId` arrived (heartbeats included). */
  seen(trialId: string): void {
    this.lastSeen.set(trialId, this.now());
  }

  /**
   * Records running trials with no worker message for `staleAfterMs` as failed attempts
   * (back to waiting): JetStream redelivers their assignment once the lease expires.
   * Returns the ids marked stale.
   */
  async failStaleTrials(staleAfterMs: number): Promise<string[]> {
    const { stale, durable } = this.atomically(() => {
      const ids: string[] = [];
      const writes: Promise<unknown>[] = [];
      const now = this.now();
      for (const t of this.state.inFlight()) {
        if (t.state !== "running") continue;
        const last = this.lastSeen.get(t.id) ?? t.startedAt ?? now;
        if (now - last < staleAfterMs) continue;
        ids.push(t.id);
        this.lastSeen.delete(t.id);
        writes.push(this.failTrial(t, t.attempts, `stale: no report for ${Math.round((now - last) / 1000)} s`, true));
      }
      return { stale: ids, durable: Promise.all(writes) };
    });
    await durable;
    return stale;
  }

  /** Cancels the campaign: trials not yet final become cancelled; nothing more is dispatched. */
  async cancel(reason: string): Promise<void> {
    await this.atomically((): Promise<unknown> => {
      if (this.state.status !== "running") return Promise.resolve();
      const d = this.record({
        type: "CampaignCancelled",
        eventId: `${this.campaignId}:cancelled`,
        campaignId: this.campaignId,
        reason,
        at: this.now(),
      });
      this.stopTimers();
      return d.then(() => this.finishedResolve());
    });
  }

  /**
   * Stops dispatching and timers (coordinator shutdown); reports are still recorded. The
   * campaign stays resumable from its log.
   */
  close(): void {
    this.closed = true;
    this.stopTimers();
  }

  /** Resolves when every event recorded so far is durable. */
  async flush(): Promise<void> {
    await Promise.all([...this.pendingWrites]);
  }

  /**
   * Runs a state change synchronously. Decisions and in-memory state changes happen here,
   * in call order, with no await in between; their durability is awaited by the caller.
   */
  private atomically<T>(change: () => T): T {
    return change();
  }

  private stopTimers(): void {
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.wallTimer = undefined;
  }

  private failTrial(t: TrialSnapshot, attempt: number, error: string, retry: boolean): Promise<void> {
    const d = this.record({
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
    return d;
  }

  private tell(trialId: string): void {
    this.deps.sampler.tell?.(this.state.trial(trialId), this.view());
  }

  /**
   * Creates trials until `parallelism` are in flight or the budget is spent (synchronously,
   * in the queue); each is published once its TrialCreated event is durable. Resolves when
   * those publishes are done.
   */
  private fill(): Promise<unknown> {
    if (this.state.status !== "running" || this.closed) return Promise.resolve();
    const { maxTrials, parallelism } = this.spec.budget;
    const dispatches: Promise<unknown>[] = [];
    while (!this.exhausted && this.state.trialCount < maxTrials && this.state.inFlightCount < parallelism) {
      const number = this.state.trialCount;
      const s = this.deps.sampler.ask(this.view(), this.trialRng(number));
      if (s.kind === "wait") break;
      if (s.kind === "exhausted") {
        this.exhausted = true;
        this.deps.log.info("sampler exhausted the search space", { campaign: this.campaignId, trials: number });
        break;
      }
      const trialId = `${this.campaignId}-${String(number).padStart(5, "0")}`;
      const created = this.record({
        type: "TrialCreated",
        eventId: `${trialId}:created`,
        campaignId: this.campaignId,
        trialId,
        number,
        params: s.params,
        at: this.now(),
      });
      const t = this.state.trial(trialId);
      dispatches.push(created.then(() => this.dispatch(t)));
    }
    const inFlight = this.state.inFlightCount;
    const spent = this.exhausted || this.state.trialCount >= maxTrials;
    if (inFlight === 0 && (spent || this.state.trialCount > 0)) {
      if (!spent) this.deps.log.warn("sampler is waiting with no trial in flight; finishing", { campaign: this.campaignId });
      const d = this.record({ type: "CampaignFinished", eventId: `${this.campaignId}:finished`, campaignId: this.campaignId, at: this.now() });
      this.stopTimers();
      dispatches.push(d.then(() => this.finishedResolve()));
    }
    return Promise.all(dispatches);
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

  /**
   * Applies an event to the in-memory state at once (in queue order) and appends it to the
   * store; resolves when it is durable. Appends are pipelined: effects visible outside (acks,
   * dispatches, decisions) wait for the durability of the events they depend on, so the log
   * only ever reorders causally independent events. A failed append is retried (events are
   * idempotent by eventId) until it succeeds.
   */
  private record(e: CampaignEvent): Promise<void> {
    if (!this.state.apply(e)) return Promise.resolve();
    for (const l of this.listeners) l(e);
    const write = this.appendDurably(e);
    this.pendingWrites.add(write);
    void write.then(() => this.pendingWrites.delete(write));
    return write;
  }

  private async appendDurably(e: CampaignEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.deps.store.append(e);
        return;
      } catch (err) {
        const delay = Math.min(5_000, 100 * 2 ** attempt);
        this.deps.log.warn("event append failed; retrying", { event: e.eventId, delayMs: delay, error: String(err) });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

}
