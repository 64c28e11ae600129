import type { TrialSnapshot } from "../domain/trial.js";
import type { CampaignContext } from "./context.js";
import type { TrialDispatcher } from "./dispatcher.js";
import { retryUntilDone } from "./retry.js";
import type { SamplerDriver } from "./sampler-replay.js";
import { step, type Step } from "./step.js";
import { trialEventPrefix } from "./trial-events.js";
import { trialFailed } from "./trial-failed.js";

/** Backoff of a failed publish: 200 ms doubling up to 10 s. */
const DISPATCH_BACKOFF = { firstMs: 200, maxMs: 10_000 } as const;
/**
 * What the coordinator adds to `budget.trialTimeout` before it fails a running attempt
 * itself: the worker aborts at the limit and reports, so this only catches silent ones.
 */
export const TRIAL_TIMEOUT_GRACE_MS = 5_000;
/** How often running attempts are checked against `budget.trialTimeout`. */
const TIMEOUT_CHECK_MS = 1_000;

/**
 * Keeps a campaign's trials flowing: creates trials until `budget.parallelism` are in flight
 * or the budget is spent, publishes each once its creation is durable (retrying until the
 * dispatcher takes it), finishes the campaign when nothing is left to run, enforces the
 * wall-clock budget, and re-queues running trials whose worker went silent.
 */
export class DispatchLoop {
  private exhausted = false;
  private closed = false;
  private wallTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  /** Last time a worker message arrived per running trial (liveness; not persisted). */
  private readonly lastSeen = new Map<string, number>();
  /** When the current attempt of each running trial started here (its hello; not persisted). */
  private readonly attemptStarted = new Map<string, number>();

  constructor(
    private readonly c: CampaignContext,
    private readonly sampler: SamplerDriver,
    private readonly dispatcher: TrialDispatcher,
    /** Called once the CampaignFinished event is durable. */
    private readonly onFinished: () => void,
  ) {}

  /**
   * Arms the wall-clock budget (`cancel` is called when it runs out), publishes again the
   * trials recorded but never started (a crash may have come between record and publish; the
   * publish is idempotent by trial id), and fills the pipeline.
   */
  start(cancel: (reason: string) => void, expire: () => void): Step<void> {
    const { spec, state } = this.c;
    if (spec.budget.maxWallMinutes > 0 && state.status === "running") {
      const left = state.createdAt + spec.budget.maxWallMinutes * 60_000 - this.c.now();
      this.wallTimer = setTimeout(() => cancel("budget.maxWallMinutes reached"), Math.max(0, left));
      this.wallTimer.unref();
    }
    if (state.status === "running") this.armTimeLimit(expire);
    const redispatch = state
      .inFlight()
      .filter((t) => t.state === "waiting" && t.attempts === 0)
      .map((t) => this.dispatch(t));
    const now = this.c.now();
    for (const t of state.inFlight()) {
      if (t.state !== "running") continue;
      this.lastSeen.set(t.id, now);
      this.attemptStarted.set(t.id, now);
    }
    return step(undefined, Promise.all([...redispatch, this.fill()]));
  }

  /**
   * Creates trials until `parallelism` are in flight or the budget is spent; each is
   * published once its TrialCreated event is durable. Records CampaignFinished when no trial
   * is left in flight and none can be created. Resolves when those writes and publishes are done.
   */
  fill(): Promise<unknown> {
    const { campaignId, spec, state, events, log } = this.c;
    if (state.status !== "running" || this.closed) return Promise.resolve();
    const { maxTrials, parallelism } = spec.budget;
    const pending: Promise<unknown>[] = [];
    while (!this.exhausted && state.trialCount < maxTrials && state.inFlightCount < parallelism) {
      const number = state.trialCount;
      const s = this.sampler.ask(number);
      if (s.kind === "wait") break;
      if (s.kind === "exhausted") {
        this.exhausted = true;
        log.info("sampler exhausted the search space", { campaign: campaignId, trials: number });
        break;
      }
      const trialId = `${campaignId}-${String(number).padStart(5, "0")}`;
      const created = events.record({ type: "TrialCreated", eventId: `${trialId}:created`, campaignId, trialId, number, params: s.params, at: this.c.now() });
      const t = state.trial(trialId);
      pending.push(created.then(() => this.dispatch(t)));
    }
    const spent = this.exhausted || state.trialCount >= maxTrials;
    if (state.inFlightCount === 0 && (spent || state.trialCount > 0)) {
      if (!spent) log.warn("sampler is waiting with no trial in flight; finishing", { campaign: campaignId });
      const round = state.retryRounds > 0 ? `:${state.retryRounds}` : "";
      const d = events.record({ type: "CampaignFinished", eventId: `${campaignId}:finished${round}`, campaignId, at: this.c.now() });
      this.stopTimers();
      pending.push(d.then(() => this.onFinished()));
    }
    return Promise.all(pending);
  }

  /** Notes that a worker message for `trialId` arrived (heartbeats included). */
  seen(trialId: string): void {
    this.lastSeen.set(trialId, this.c.now());
  }

  /** Notes that an attempt of `trialId` started (its hello was answered "run"). */
  started(trialId: string): void {
    this.attemptStarted.set(trialId, this.c.now());
    this.lastSeen.set(trialId, this.c.now());
  }

  /** Forgets the liveness of a trial whose attempt ended. */
  forget(trialId: string): void {
    this.lastSeen.delete(trialId);
    this.attemptStarted.delete(trialId);
  }

  /**
   * Fails, for good, the running trials whose attempt started more than `budget.trialTimeout`
   * plus {@link TRIAL_TIMEOUT_GRACE_MS} ago with no final report, and fills the freed slots. A
   * worker still holding such a trial is told to cancel it at its next message, and the next
   * delivery of its assignment is answered "cancel": either way the worker terminates the
   * message, so it is not redelivered. The step's value is the ids failed.
   */
  failTimedOut(): Step<string[]> {
    const { campaignId, spec, state, events } = this.c;
    const limitMs = spec.budget.trialTimeoutMs;
    const now = this.c.now();
    const ids: string[] = [];
    const writes: Promise<unknown>[] = [];
    if (limitMs <= 0 || state.status !== "running") return step(ids);
    for (const t of state.inFlight()) {
      const since = this.attemptStarted.get(t.id);
      if (t.state !== "running" || since === undefined || now - since <= limitMs + TRIAL_TIMEOUT_GRACE_MS) continue;
      ids.push(t.id);
      this.forget(t.id);
      const error = `timed out: no result within budget.trialTimeout (${limitMs} ms) plus a grace of ${TRIAL_TIMEOUT_GRACE_MS} ms`;
      writes.push(events.record(trialFailed(campaignId, t, t.attempts, error, false, now)));
    }
    if (ids.length > 0) writes.push(this.fill());
    return step(ids, Promise.all(writes));
  }

  /**
   * Records running trials with no worker message for `staleAfterMs` as failed attempts
   * (back to waiting): JetStream redelivers their assignment once the lease expires.
   * The step's value is the ids marked stale.
   */
  failStale(staleAfterMs: number): Step<string[]> {
    const { campaignId, state, events } = this.c;
    const ids: string[] = [];
    const writes: Promise<unknown>[] = [];
    const now = this.c.now();
    for (const t of state.inFlight()) {
      if (t.state !== "running") continue;
      const last = this.lastSeen.get(t.id) ?? t.startedAt ?? now;
      if (now - last < staleAfterMs) continue;
      ids.push(t.id);
      this.lastSeen.delete(t.id);
      writes.push(events.record(trialFailed(campaignId, t, t.attempts, `stale: no report for ${Math.round((now - last) / 1000)} s`, true, now)));
    }
    return step(ids, Promise.all(writes));
  }

  /**
   * Runs the given failed trials again (see the TrialsRetried event): records the retry,
   * re-arms the time limit of a campaign that had finished, and publishes each trial anew.
   * The step's value is the ids retried.
   */
  retry(trialIds: readonly string[], expire: () => void): Step<string[]> {
    const { campaignId, state, events } = this.c;
    const round = state.retryRounds + 1;
    const d = events.record({ type: "TrialsRetried", eventId: `${campaignId}:retry:${round}`, campaignId, trialIds, round, at: this.c.now() });
    this.armTimeLimit(expire);
    const trials = trialIds.map((id) => state.trial(id));
    return step([...trialIds], d.then(() => Promise.all(trials.map((t) => this.dispatch(t)))));
  }

  /** Checks running attempts against `budget.trialTimeout` every second (when it is set). */
  private armTimeLimit(expire: () => void): void {
    const limitMs = this.c.spec.budget.trialTimeoutMs;
    if (limitMs <= 0 || this.timeoutTimer) return;
    this.timeoutTimer = setInterval(expire, Math.min(TIMEOUT_CHECK_MS, limitMs));
    this.timeoutTimer.unref();
  }

  /** Stops the wall-clock and time-limit timers. */
  stopTimers(): void {
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.wallTimer = undefined;
    if (this.timeoutTimer) clearInterval(this.timeoutTimer);
    this.timeoutTimer = undefined;
  }

  /** Stops creating and publishing trials (coordinator shutdown) and the timers. */
  close(): void {
    this.closed = true;
    this.stopTimers();
  }

  private dispatch(t: TrialSnapshot): Promise<void> {
    const { campaignId, spec, log } = this.c;
    return retryUntilDone(
      () => this.dispatcher.dispatch({ campaignId, trialId: t.id, dedupeId: trialEventPrefix(t), params: t.params, spec }),
      DISPATCH_BACKOFF,
      log,
      "dispatch failed; retrying",
      { trial: t.id },
    );
  }
}
