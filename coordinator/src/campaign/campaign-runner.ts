import type { CampaignSpec } from "../domain/campaign-spec.js";
import type { CampaignEvent } from "../domain/events.js";
import type { Metrics } from "../domain/trial.js";
import type { EarlyStopper, StopDecision } from "../early-stopping/index.js";
import type { Logger } from "../logger.js";
import type { Sampler } from "../samplers/sampler.js";
import type { CampaignStore } from "../store/campaign-store.js";
import type { CampaignContext } from "./context.js";
import { DispatchLoop } from "./dispatch-loop.js";
import type { TrialDispatcher } from "./dispatcher.js";
import { CampaignEventLog } from "./event-log.js";
import { InvalidRetryError } from "../errors.js";
import { CampaignQueryView, type ReadonlyCampaign } from "./readonly-campaign.js";
import { SamplerDriver } from "./sampler-replay.js";
import { CampaignSnapshotter, type RestorePoint, type SnapshotPolicy } from "./snapshots.js";
import { CampaignState } from "./state.js";
import { commit, step } from "./step.js";
import { WorkerProtocol, type FailureReport, type HelloAnswer, type ResultReport, type WorkerReports } from "./worker-reports.js";

/** What a runner needs from its coordinator. */
export interface RunnerDeps {
  readonly store: CampaignStore;
  readonly dispatcher: TrialDispatcher;
  readonly sampler: Sampler;
  readonly stopper: EarlyStopper;
  readonly log: Logger;
  /** Clock (epoch milliseconds). @default Date.now */
  readonly now?: () => number;
  /** Snapshots of the campaign state (resume without replaying the whole log); none when undefined. */
  readonly snapshots?: SnapshotPolicy;
}

/**
 * Drives one campaign, composed of its parts: the event log (durability with retry), the
 * dispatch loop (parallelism, publishing with retry, wall-clock budget, staleness), the
 * sampler driver (ask/tell and replay after a restart) and the worker protocol
 * (hello/progress/result/failure). Outside `campaign/`, the campaign is read through
 * {@link CampaignRunner.view} and changed only through the {@link WorkerReports} methods,
 * {@link CampaignRunner.cancel} and the lifecycle calls.
 *
 * Every change is a synchronous step (see step.ts), and an event is appended to the store
 * before its effect is acknowledged to anyone (a worker, a dispatcher), so the store's log is
 * always at least as new as what the outside world has seen.
 */
export class CampaignRunner implements WorkerReports {
  readonly campaignId: string;
  readonly spec: CampaignSpec;
  /** The read-only view of this campaign. */
  readonly view: ReadonlyCampaign;
  /** Resolves when the campaign reaches completed or cancelled (a retry makes a new promise). */
  private finishedNow: Promise<void>;
  private readonly c: CampaignContext;
  private readonly loop: DispatchLoop;
  private readonly protocol: WorkerProtocol;
  private readonly sampler: SamplerDriver;
  private readonly snapshotter: CampaignSnapshotter | undefined;
  private finishedResolve!: () => void;

  private constructor(campaignId: string, spec: CampaignSpec, deps: RunnerDeps) {
    this.campaignId = campaignId;
    this.spec = spec;
    this.finishedNow = new Promise((r) => (this.finishedResolve = r));
    const state = new CampaignState(campaignId);
    const events = new CampaignEventLog(state, deps.store, deps.log);
    this.c = { campaignId, spec, state, events, log: deps.log, now: deps.now ?? Date.now };
    this.sampler = new SamplerDriver(deps.sampler, spec, state);
    events.onEvent((e) => this.sampler.tellIfFinal(e));
    this.loop = new DispatchLoop(this.c, this.sampler, deps.dispatcher, () => this.finishedResolve());
    this.protocol = new WorkerProtocol(this.c, this.loop, this.sampler, deps.stopper);
    this.view = new CampaignQueryView(spec, state, events, () => this.finishedNow);
    this.snapshotter = deps.snapshots && new CampaignSnapshotter(campaignId, state, events, deps.snapshots, deps.log);
  }

  /** Resolves when the campaign reaches completed or cancelled. */
  get finished(): Promise<void> {
    return this.finishedNow;
  }

  /** Creates a new campaign: records CampaignCreated. Call `start()` to dispatch. */
  static async create(campaignId: string, spec: CampaignSpec, specYaml: string, deps: RunnerDeps): Promise<CampaignRunner> {
    const r = new CampaignRunner(campaignId, spec, deps);
    await r.c.events.record({ type: "CampaignCreated", eventId: `${campaignId}:created`, campaignId, name: spec.name, specYaml, at: r.c.now() });
    return r;
  }

  /**
   * Rebuilds a campaign from its event log. The sampler is replayed (ask per created trial,
   * tell per final trial) so it reaches the state it had; trials still in flight stay in
   * flight and are re-dispatched idempotently (msgID = trialId) by `start()`.
   */
  static restore(campaignId: string, spec: CampaignSpec, events: readonly CampaignEvent[], deps: RunnerDeps): CampaignRunner {
    return CampaignRunner.resume(campaignId, spec, { snapshot: undefined, position: 0, events: events.map((event) => ({ position: 0, event })) }, deps);
  }

  /**
   * Like {@link restore}, from a snapshot (when the point has one) and the events after it;
   * the events replayed count towards the next snapshot, so a long replay is followed by one.
   */
  static resume(campaignId: string, spec: CampaignSpec, point: RestorePoint, deps: RunnerDeps): CampaignRunner {
    const r = new CampaignRunner(campaignId, spec, deps);
    if (point.snapshot) r.c.state.loadSnapshot(point.snapshot);
    let position = point.position;
    for (const e of point.events) {
      r.c.state.apply(e.event);
      if (e.position > position) position = e.position;
    }
    r.c.events.restoredAt(position);
    r.sampler.replay();
    if (r.c.state.status !== "running") r.finishedResolve();
    r.snapshotter?.count(point.events.length);
    return r;
  }

  /** Starts dispatching; re-dispatches trials still in flight after a restore. */
  start(): Promise<void> {
    return commit(() =>
      this.loop.start(
        (reason) => void this.cancel(reason),
        () => void this.failTimedOutTrials(),
      ),
    );
  }

  hello(trialId: string, attempt: number, workerId: string, backend: string): Promise<HelloAnswer> {
    return commit(() => this.protocol.hello(trialId, attempt, workerId, backend));
  }

  progress(trialId: string, attempt: number, stepNo: number, phase: string, metrics: Metrics): Promise<StopDecision> {
    return commit(() => this.protocol.progress(trialId, attempt, stepNo, phase, metrics));
  }

  result(r: ResultReport): Promise<void> {
    return commit(() => this.protocol.result(r));
  }

  failure(f: FailureReport): Promise<void> {
    return commit(() => this.protocol.failure(f));
  }

  seen(trialId: string): void {
    this.loop.seen(trialId);
  }

  /**
   * Records running trials with no worker message for `staleAfterMs` as failed attempts
   * (back to waiting). Returns the ids marked stale.
   */
  failStaleTrials(staleAfterMs: number): Promise<string[]> {
    return commit(() => this.loop.failStale(staleAfterMs));
  }

  /**
   * Fails running trials past `budget.trialTimeout` plus a grace (see DispatchLoop.failTimedOut);
   * runs every second by itself while the campaign has a time limit. Returns the ids failed.
   */
  failTimedOutTrials(): Promise<string[]> {
    return commit(() => this.loop.failTimedOut());
  }

  /**
   * Runs failed trials again in this campaign: `numbers` (creation indices), or every failed
   * trial when undefined. Each goes back to waiting with a fresh set of attempts and is
   * published anew; a completed campaign runs again until they are final. Returns the ids.
   * @throws InvalidRetryError for a cancelled campaign, an unknown number, a trial that is not
   * failed, or nothing to retry.
   */
  retry(numbers?: readonly number[]): Promise<string[]> {
    return commit(() => {
      const { state } = this.c;
      if (state.status === "cancelled") throw new InvalidRetryError(`campaign ${this.campaignId} was cancelled; only a running or completed campaign can retry trials`);
      const trials = state.snapshots();
      const chosen = numbers === undefined ? trials.filter((t) => t.state === "failed") : numbers.map((n) => trials[n] ?? this.noTrial(n, trials.length));
      const notFailed = chosen.filter((t) => t.state !== "failed");
      if (notFailed.length > 0) {
        throw new InvalidRetryError(`only failed trials can be retried: ${notFailed.map((t) => `trial ${t.number} is ${t.state}`).join(", ")}`);
      }
      if (chosen.length === 0) throw new InvalidRetryError(`campaign ${this.campaignId} has no failed trial to retry`);
      if (state.status === "completed") this.finishedNow = new Promise((r) => (this.finishedResolve = r));
      return this.loop.retry(
        chosen.map((t) => t.id),
        () => void this.failTimedOutTrials(),
      );
    });
  }

  private noTrial(n: number, count: number): never {
    throw new InvalidRetryError(`no trial ${n} in campaign ${this.campaignId} (trials 0 … ${count - 1})`);
  }

  /** Cancels the campaign: trials not yet final become cancelled; nothing more is dispatched. */
  cancel(reason: string): Promise<void> {
    return commit(() => {
      const { campaignId, state, events } = this.c;
      if (state.status !== "running") return step(undefined);
      const d = events.record({ type: "CampaignCancelled", eventId: `${campaignId}:cancelled`, campaignId, reason, at: this.c.now() });
      this.loop.stopTimers();
      return step(undefined, d.then(() => this.finishedResolve()));
    });
  }

  /**
   * Stops dispatching and timers (coordinator shutdown); reports are still recorded. The
   * campaign stays resumable from its log.
   */
  close(): void {
    this.loop.close();
  }

  /** Resolves when every event recorded so far is durable (and the snapshot being written, if any, is written). */
  async flush(): Promise<void> {
    await this.c.events.flush();
    await this.snapshotter?.settled();
  }
}
