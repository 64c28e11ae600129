import type { CampaignEvent } from "../domain/events.js";
import type { ProgressPoint, TrialSnapshot, TrialState } from "../domain/trial.js";
import { isFinished } from "../domain/trial.js";
import { TrialAlreadyFinishedError, TrialNotFoundError } from "../errors.js";

/** Status of a campaign. */
export type CampaignStatus = "running" | "completed" | "cancelled";

/**
 * Everything a {@link CampaignState} holds, as plain data: what a campaign snapshot stores
 * (snapshot-codec.ts). `openSeen` keeps the event ids applied to trials not yet final, so
 * that events replayed after a snapshot are recognised as duplicates exactly as they would be
 * by a state folded from the whole log.
 */
export interface StateSnapshot {
  readonly campaignId: string;
  readonly name: string;
  readonly specYaml: string;
  readonly status: CampaignStatus;
  readonly createdAt: number;
  readonly finishedAt?: number;
  readonly cancelReason?: string;
  readonly eventCount: number;
  /** Campaign-level event ids applied. */
  readonly seen: readonly string[];
  /** Per trial not final: the event ids applied to it. */
  readonly openSeen: readonly (readonly [string, readonly string[]])[];
  /** Every trial, in creation order. */
  readonly trials: readonly TrialSnapshot[];
}

interface MutableTrial {
  id: string;
  number: number;
  state: TrialState;
  params: TrialSnapshot["params"];
  metrics: TrialSnapshot["metrics"];
  /** Frozen; replaced (copy on write) when a point is added, so snapshots share it. */
  progress: readonly ProgressPoint[];
  attempts: number;
  retries: number;
  error?: string;
  details?: unknown;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  wallMs?: number;
  workerId?: string;
  backend?: string;
  snapshot?: TrialSnapshot;
  /** Event ids applied to this trial; dropped once it is final (final trials ignore events). */
  seen?: Set<string>;
}

const NO_PROGRESS: readonly ProgressPoint[] = Object.freeze([]);

const ALLOWED: Record<TrialState, readonly TrialState[]> = {
  waiting: ["running", "failed", "cancelled", "completed", "stopped_early"],
  running: ["running", "waiting", "completed", "stopped_early", "failed", "cancelled"],
  completed: [],
  stopped_early: [],
  failed: [],
  cancelled: [],
};

/**
 * Validates a trial state transition; the single place that knows the state machine.
 * @throws TrialAlreadyFinishedError when the trial is already final.
 */
function assertTransition(trialId: string, from: TrialState, to: TrialState): void {
  if (!ALLOWED[from].includes(to)) {
    if (isFinished(from)) throw new TrialAlreadyFinishedError(`trial ${trialId} is already ${from}; cannot become ${to}`);
    throw new RangeError(`trial ${trialId}: illegal transition ${from} -> ${to}`);
  }
}

/**
 * The state of one campaign, built by folding its events. `apply` is deterministic and
 * idempotent per `eventId`; events that would change a final trial are ignored (duplicates
 * and late reports are no-ops), so replaying a log that contains them is safe.
 */
export class CampaignState {
  readonly campaignId: string;
  name = "";
  specYaml = "";
  status: CampaignStatus = "running";
  createdAt = 0;
  finishedAt: number | undefined;
  cancelReason: string | undefined;
  /** Retry rounds recorded (TrialsRetried events). */
  retryRounds = 0;
  private readonly trials = new Map<string, MutableTrial>();
  private readonly order: MutableTrial[] = [];
  private readonly seen = new Set<string>();
  /** Snapshots by creation index, refreshed lazily for the trials in `dirty`. */
  private readonly snapArr: TrialSnapshot[] = [];
  private readonly dirty = new Set<number>();
  private snapshotCache: readonly TrialSnapshot[] | undefined;
  /** Trials not final, by id (kept incrementally: O(1) per change, O(in flight) per read). */
  private readonly open = new Map<string, MutableTrial>();
  private readonly stateCounts: Record<TrialState, number> = {
    waiting: 0,
    running: 0,
    completed: 0,
    stopped_early: 0,
    failed: 0,
    cancelled: 0,
  };
  /** Number of events applied (including ignored duplicates). */
  eventCount = 0;

  constructor(campaignId: string) {
    this.campaignId = campaignId;
  }

  /**
   * Applies one event; returns false when it was a duplicate or a no-op. Duplicates are
   * recognised by event id: campaign-level ids are kept; a trial keeps its ids only while it
   * is not final (a final trial ignores every later event), so memory stays flat per
   * finished trial.
   */
  apply(e: CampaignEvent): boolean {
    this.eventCount++;
    switch (e.type) {
      case "CampaignCreated":
        if (this.seen.has(e.eventId)) return false;
        this.seen.add(e.eventId);
        this.name = e.name;
        this.specYaml = e.specYaml;
        this.createdAt = e.at;
        return true;
      case "CampaignCancelled":
        if (this.status !== "running") return false;
        this.status = "cancelled";
        this.cancelReason = e.reason;
        this.finishedAt = e.at;
        for (const t of this.order) if (!isFinished(t.state)) this.set(t, "cancelled", e.at);
        return true;
      case "TrialsRetried":
        return this.applyRetry(e);
      case "CampaignFinished":
        if (this.status !== "running") return false;
        this.status = "completed";
        this.finishedAt = e.at;
        return true;
      case "TrialCreated": {
        if (this.lookup(e.trialId)) return false;
        const t: MutableTrial = {
          id: e.trialId,
          number: e.number,
          state: "waiting",
          params: e.params,
          metrics: {},
          progress: NO_PROGRESS,
          attempts: 0,
          retries: 0,
          createdAt: e.at,
        };
        this.trials.set(e.trialId, t);
        this.order.push(t);
        this.open.set(t.id, t);
        this.stateCounts.waiting++;
        this.dirty.add(this.order.length - 1);
        this.snapshotCache = undefined;
        return true;
      }
      default:
        return this.applyTrialEvent(e);
    }
  }

  private applyTrialEvent(
    e: Extract<CampaignEvent, { type: "TrialStarted" | "TrialProgress" | "TrialCompleted" | "TrialFailed" }>,
  ): boolean {
    const t = this.lookup(e.trialId);
    if (!t) return false;
    if (isFinished(t.state)) return false;
    if (t.seen?.has(e.eventId)) return false;
    (t.seen ??= new Set()).add(e.eventId);
    switch (e.type) {
      case "TrialStarted":
        t.attempts = Math.max(t.attempts, e.attempt);
        t.workerId = e.workerId;
        t.backend = e.backend;
        t.startedAt ??= e.at;
        this.set(t, "running", e.at);
        return true;
      case "TrialProgress":
        if (t.progress.some((p) => p.step === e.step && p.phase === e.phase)) return false;
        t.progress = Object.freeze([...t.progress, { step: e.step, phase: e.phase, metrics: e.metrics }]);
        t.metrics = e.metrics;
        if (t.state === "waiting") this.set(t, "running", e.at);
        else this.touch(t);
        return true;
      case "TrialCompleted":
        t.attempts = Math.max(t.attempts, e.attempt);
        t.metrics = e.metrics;
        t.details = e.details;
        t.wallMs = e.wallMs;
        this.set(t, e.stoppedEarly ? "stopped_early" : "completed", e.at);
        return true;
      case "TrialFailed":
        t.attempts = Math.max(t.attempts, e.attempt);
        t.error = e.error;
        this.set(t, e.final ? "failed" : "waiting", e.at);
        return true;
    }
  }

  /** Failed trials back to waiting with fresh attempts; a completed campaign runs again. */
  private applyRetry(e: Extract<CampaignEvent, { type: "TrialsRetried" }>): boolean {
    if (this.seen.has(e.eventId) || this.status === "cancelled") return false;
    this.seen.add(e.eventId);
    this.retryRounds = Math.max(this.retryRounds, e.round);
    if (this.status === "completed") {
      this.status = "running";
      this.finishedAt = undefined;
    }
    for (const id of e.trialIds) {
      const t = this.trials.get(id);
      if (!t || t.state !== "failed") continue;
      this.stateCounts.failed--;
      this.stateCounts.waiting++;
      t.state = "waiting";
      t.attempts = 0;
      t.retries++;
      t.progress = NO_PROGRESS;
      t.metrics = {};
      t.error = undefined;
      t.finishedAt = undefined;
      t.seen = new Set();
      this.open.set(t.id, t);
      this.touch(t);
    }
    return true;
  }

  private set(t: MutableTrial, to: TrialState, at: number): void {
    assertTransition(t.id, t.state, to);
    this.stateCounts[t.state]--;
    this.stateCounts[to]++;
    t.state = to;
    if (isFinished(to)) this.open.delete(t.id);
    if (isFinished(to)) {
      t.finishedAt = at;
      t.seen = undefined;
    }
    this.touch(t);
  }

  private touch(t: MutableTrial): void {
    t.snapshot = undefined;
    this.dirty.add(t.number < this.order.length && this.order[t.number] === t ? t.number : this.order.indexOf(t));
    this.snapshotCache = undefined;
  }

  /**
   * The whole state as plain data, at this instant: O(trials changed since the last call) plus
   * one array copy, so it can be taken synchronously between two events; the trial snapshots
   * are frozen and shared, so later events do not change what it holds.
   */
  toSnapshot(): StateSnapshot {
    return {
      campaignId: this.campaignId,
      name: this.name,
      specYaml: this.specYaml,
      status: this.status,
      createdAt: this.createdAt,
      ...(this.finishedAt !== undefined && { finishedAt: this.finishedAt }),
      ...(this.cancelReason !== undefined && { cancelReason: this.cancelReason }),
      eventCount: this.eventCount,
      seen: [...this.seen],
      openSeen: [...this.open.values()].map((t) => [t.id, [...(t.seen ?? [])]] as const),
      trials: this.snapshots(),
    };
  }

  /**
   * Loads a snapshot taken by {@link toSnapshot} into this fresh state; events applied after
   * it continue as if every event before had been applied.
   * @throws RangeError when the state is not fresh or the snapshot is of another campaign.
   */
  loadSnapshot(s: StateSnapshot): void {
    if (this.eventCount > 0 || this.order.length > 0) throw new RangeError(`campaign ${this.campaignId}: a snapshot loads into a fresh state only`);
    if (s.campaignId !== this.campaignId) throw new RangeError(`snapshot of campaign ${s.campaignId} cannot load into campaign ${this.campaignId}`);
    this.name = s.name;
    this.specYaml = s.specYaml;
    this.status = s.status;
    this.createdAt = s.createdAt;
    this.finishedAt = s.finishedAt;
    this.cancelReason = s.cancelReason;
    this.eventCount = s.eventCount;
    for (const id of s.seen) this.seen.add(id);
    const openSeen = new Map(s.openSeen);
    for (const snap of s.trials) {
      // One literal with every field (absent ones undefined): one hidden class for all trials.
      const t: MutableTrial = {
        id: snap.id,
        number: snap.number,
        state: snap.state,
        params: snap.params,
        metrics: snap.metrics,
        progress: Object.isFrozen(snap.progress) ? snap.progress : Object.freeze([...snap.progress]),
        attempts: snap.attempts,
        retries: snap.retries ?? 0,
        error: snap.error,
        details: snap.details,
        createdAt: snap.createdAt,
        startedAt: snap.startedAt,
        finishedAt: snap.finishedAt,
        wallMs: snap.wallMs,
        workerId: snap.workerId,
        backend: snap.backend,
        snapshot: undefined,
        seen: undefined,
      };
      if (t.number !== this.order.length) throw new RangeError(`snapshot of campaign ${this.campaignId}: trial ${t.id} has number ${t.number} at position ${this.order.length}`);
      // Found by number (see lookup) when its id ends with it; the map holds the others only.
      if (this.numberInId(t.id) !== t.number) this.trials.set(t.id, t);
      this.order.push(t);
      this.stateCounts[t.state]++;
      if (!isFinished(t.state)) {
        this.open.set(t.id, t);
        const ids = openSeen.get(t.id);
        if (ids && ids.length > 0) t.seen = new Set(ids);
      }
      // A frozen snapshot (as decoded) is the trial's snapshot as is: no copy of a million trials.
      if (Object.isFrozen(snap) && snap.progress === t.progress) this.snapArr[this.order.length - 1] = t.snapshot = snap;
      else this.dirty.add(this.order.length - 1);
    }
    this.snapshotCache = undefined;
  }

  /**
   * The trial with this id: from the map, else, for an id ending in `-<digits>`, the trial
   * created with that number if it has this id (trials loaded from a snapshot are found this
   * way, which spares a million-entry map at resume).
   */
  private lookup(trialId: string): MutableTrial | undefined {
    const t = this.trials.get(trialId);
    if (t) return t;
    const n = this.numberInId(trialId);
    const c = n === undefined ? undefined : this.order[n];
    return c?.id === trialId ? c : undefined;
  }

  /** The number at the end of `<anything>-<1 to 9 digits>`, else undefined (a hand-written scan: a million calls at resume). */
  private numberInId(trialId: string): number | undefined {
    let n = 0;
    let scale = 1;
    let i = trialId.length - 1;
    for (; i >= 0; i--) {
      const c = trialId.charCodeAt(i);
      if (c < 48 || c > 57) break;
      if (scale === 1e9) return undefined;
      n += (c - 48) * scale;
      scale *= 10;
    }
    return scale > 1 && i > 0 && trialId.charCodeAt(i) === 45 ? n : undefined;
  }

  /** Frozen snapshot of one trial. @throws TrialNotFoundError */
  trial(trialId: string): TrialSnapshot {
    const t = this.lookup(trialId);
    if (!t) throw new TrialNotFoundError(`trial ${trialId} not found in campaign ${this.campaignId}`);
    return this.snapshotOf(t);
  }

  hasTrial(trialId: string): boolean {
    return this.lookup(trialId) !== undefined;
  }

  /** Frozen snapshots of every trial, in creation order. Cached until the next change. */
  snapshots(): readonly TrialSnapshot[] {
    if (!this.snapshotCache) {
      for (const i of this.dirty) this.snapArr[i] = this.snapshotOf(this.order[i] as MutableTrial);
      this.dirty.clear();
      this.snapshotCache = Object.freeze(this.snapArr.slice());
    }
    return this.snapshotCache;
  }

  get trialCount(): number {
    return this.order.length;
  }

  /** Trials that are not final (waiting or running). */
  inFlight(): readonly TrialSnapshot[] {
    return [...this.open.values()].map((t) => this.snapshotOf(t));
  }

  /** Number of trials not final (O(1)). */
  get inFlightCount(): number {
    return this.open.size;
  }

  counts(): Record<TrialState, number> {
    return { ...this.stateCounts };
  }

  private snapshotOf(t: MutableTrial): TrialSnapshot {
    if (!t.snapshot) {
      const s: TrialSnapshot = {
        id: t.id,
        number: t.number,
        state: t.state,
        params: t.params,
        metrics: t.metrics,
        progress: t.progress,
        attempts: t.attempts,
        ...(t.retries > 0 && { retries: t.retries }),
        createdAt: t.createdAt,
        ...(t.error !== undefined && { error: t.error }),
        ...(t.details !== undefined && { details: t.details }),
        ...(t.startedAt !== undefined && { startedAt: t.startedAt }),
        ...(t.finishedAt !== undefined && { finishedAt: t.finishedAt }),
        ...(t.wallMs !== undefined && { wallMs: t.wallMs }),
        ...(t.workerId !== undefined && { workerId: t.workerId }),
        ...(t.backend !== undefined && { backend: t.backend }),
      };
      t.snapshot = Object.freeze(s);
    }
    return t.snapshot;
  }
}
