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
  /**
   * Numbers of the trials whose ids do not end in `-<number>` (the others are found by the
   * number in their id). Absent in older snapshots: then every id is read at load.
   */
  readonly irregular?: readonly number[];
  /** Every trial, in creation order: as objects, or read in place from a decoded snapshot. */
  readonly trials: readonly TrialSnapshot[] | TrialTable;
}

/**
 * The trials of a decoded snapshot, read in place (snapshot-codec.ts): a trial's id, number
 * and state without building it, its frozen snapshot when asked for. A {@link CampaignState}
 * loaded from one builds the trials not final at once and the others when they are first
 * read (a million finished trials cost no object until then).
 */
export interface TrialTable {
  readonly length: number;
  id(i: number): string;
  number(i: number): number;
  state(i: number): TrialState;
  /** Frozen snapshots (progress frozen too) of trials `from` to `to` (exclusive), built on each call. */
  snapshots(from: number, to: number): TrialSnapshot[];
}

/** Whether `trials` is a {@link TrialTable} rather than an array. */
export function isTrialTable(trials: StateSnapshot["trials"]): trials is TrialTable {
  return !Array.isArray(trials);
}

/** An array of trial snapshots as a {@link TrialTable}. */
function arrayTable(trials: readonly TrialSnapshot[]): TrialTable {
  const at = (i: number): TrialSnapshot => {
    const t = trials[i];
    if (!t) throw new RangeError(`no trial ${i} of ${trials.length}`);
    return t;
  };
  return {
    length: trials.length,
    id: (i) => at(i).id,
    number: (i) => at(i).number,
    state: (i) => at(i).state,
    snapshots: (from, to) => trials.slice(from, to),
  };
}

interface MutableTrial {
  id: string;
  number: number;
  state: TrialState;
  params: TrialSnapshot["params"];
  metrics: TrialSnapshot["metrics"];
  /**
   * Frozen once a snapshot holds it (snapshotOf freezes it), then replaced (copy on write) when
   * a point is added, so snapshots share it; points are appended in place until then (a trial
   * replayed with n points: O(n), not O(n^2)).
   */
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
  /** The progress points' steps (stepKey), built on the first point after a load; dropped once final. */
  steps?: Set<string>;
}

const NO_PROGRESS: readonly ProgressPoint[] = Object.freeze([]);

const stepKey = (phase: string, step: number): string => `${phase}\u0000${step}`;

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
  /** Trials by creation index; undefined for a finished trial loaded from a snapshot and not yet changed (see `held`). */
  private readonly order: (MutableTrial | undefined)[] = [];
  private readonly seen = new Set<string>();
  /** Numbers of the trials whose ids do not end in `-<number>` (StateSnapshot.irregular). */
  private readonly irregular: number[] = [];
  /** Snapshots by creation index, refreshed lazily for the trials in `dirty`; undefined for a trial still `held`. */
  private readonly snapArr: (TrialSnapshot | undefined)[] = [];
  /**
   * The snapshot's trials after a load from a decoded snapshot, until each is read: a trial
   * i below `heldFrom` with neither `order[i]` nor `snapArr[i]` is still only in this table.
   */
  private held: TrialTable | undefined;
  private heldFrom = 0;
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
        // Every trial not final is in `open` (in creation order, retried ones after).
        for (const t of [...this.open.values()].sort((a, b) => a.number - b.number)) this.set(t, "cancelled", e.at);
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
        if (this.numberInId(e.trialId) !== e.number) this.irregular.push(e.number);
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
        {
          // A point of a step already reported (by another attempt): kept once.
          const steps = (t.steps ??= new Set(t.progress.map((p) => stepKey(p.phase, p.step))));
          const key = stepKey(e.phase, e.step);
          if (steps.has(key)) return false;
          steps.add(key);
        }
        // Appended in place while no snapshot holds the list; copied once after one took it.
        if (Object.isFrozen(t.progress)) t.progress = [...t.progress, { step: e.step, phase: e.phase, metrics: e.metrics }];
        else (t.progress as ProgressPoint[]).push({ step: e.step, phase: e.phase, metrics: e.metrics });
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
      const t = this.lookup(id);
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
      t.steps = undefined;
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
      t.steps = undefined;
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
      irregular: [...this.irregular],
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
    const table = isTrialTable(s.trials) ? s.trials : arrayTable(s.trials);
    const n = table.length;
    // n holes each (a fifth of the time of n pushes of undefined; still fast elements in V8).
    this.order.length = n;
    this.snapArr.length = n;
    this.held = table;
    this.heldFrom = 0;
    const open: number[] = [];
    for (let i = 0; i < n; i++) {
      if (table.number(i) !== i) throw new RangeError(`snapshot of campaign ${this.campaignId}: trial ${table.id(i)} has number ${table.number(i)} at position ${i}`);
      const state = table.state(i);
      if (!(state in ALLOWED)) throw new RangeError(`snapshot of campaign ${this.campaignId}: trial ${i} has state ${String(state)}`);
      this.stateCounts[state]++;
      if (!isFinished(state)) open.push(i);
    }
    if (s.irregular) this.irregular.push(...s.irregular);
    else for (let i = 0; i < n; i++) if (this.numberInId(table.id(i)) !== i) this.irregular.push(i);
    // Found by number (see lookup) when its id ends with it; the map holds the others only.
    for (const i of this.irregular) {
      const t = this.adopt(i);
      this.trials.set(t.id, t);
    }
    const openSeen = new Map(s.openSeen);
    for (const i of open) {
      const t = this.adopt(i);
      this.open.set(t.id, t);
      const ids = openSeen.get(t.id);
      if (ids && ids.length > 0) t.seen = new Set(ids);
    }
    if (n === 0) this.held = undefined;
    this.snapshotCache = undefined;
  }

  /**
   * Builds the snapshots of up to `rows` trials still held in a loaded snapshot's table (in
   * creation order); returns true when none is left. Lets a caller that can wait build them
   * in slices (CampaignSnapshotter) instead of all at once on the first full read.
   */
  materializeSome(rows: number): boolean {
    const table = this.held;
    if (!table) return true;
    const to = Math.min(table.length, this.heldFrom + rows);
    const from = this.heldFrom;
    let i = from;
    while (i < to) {
      // Runs of rows still held, built together.
      while (i < to && (this.order[i] !== undefined || this.snapArr[i] !== undefined)) i++;
      let j = i;
      while (j < to && this.order[j] === undefined && this.snapArr[j] === undefined) j++;
      if (j > i) {
        const snaps = table.snapshots(i, j);
        for (let k = i; k < j; k++) this.fromHeld(k, snaps[k - i] as TrialSnapshot);
      }
      i = j;
    }
    this.heldFrom = to;
    if (to >= table.length) this.held = undefined;
    return this.held === undefined;
  }

  /** The snapshot of held trial i, as the trial's snapshot (frozen) or through a trial object (normalised). */
  private fromHeld(i: number, snap: TrialSnapshot): void {
    if (Object.isFrozen(snap) && Object.isFrozen(snap.progress)) this.snapArr[i] = snap;
    else this.adoptSnapshot(i, snap);
  }

  /** The trial object of trial i (created from its snapshot the first time). */
  private adopt(i: number): MutableTrial {
    const t = this.order[i];
    if (t) return t;
    let snap = this.snapArr[i];
    if (!snap) {
      const table = this.held;
      const got = table && i < table.length ? table.snapshots(i, i + 1)[0] : undefined;
      if (!got) throw new RangeError(`campaign ${this.campaignId}: no trial ${i}`);
      snap = got;
    }
    return this.adoptSnapshot(i, snap);
  }

  private adoptSnapshot(i: number, snap: TrialSnapshot): MutableTrial {
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
      steps: undefined,
    };
    if (t.number !== i) throw new RangeError(`snapshot of campaign ${this.campaignId}: trial ${t.id} has number ${t.number} at position ${i}`);
    this.order[i] = t;
    // A frozen snapshot (as decoded) is the trial's snapshot as is: no copy of a million trials.
    if (Object.isFrozen(snap) && snap.progress === t.progress) this.snapArr[i] = t.snapshot = snap;
    else {
      this.snapArr[i] = undefined;
      this.dirty.add(i);
    }
    return t;
  }

  /** Trial i's id without building it. */
  private idAt(i: number): string | undefined {
    const t = this.order[i] ?? this.snapArr[i];
    if (t) return t.id;
    return this.held && i < this.held.length ? this.held.id(i) : undefined;
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
    if (n === undefined || n >= this.order.length) return undefined;
    const c = this.order[n];
    if (c) return c.id === trialId ? c : undefined;
    return this.idAt(n) === trialId ? this.adopt(n) : undefined;
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
      this.materializeSome(Infinity);
      for (const i of this.dirty) this.snapArr[i] = this.snapshotOf(this.order[i] as MutableTrial);
      this.dirty.clear();
      this.snapshotCache = Object.freeze(this.snapArr.slice() as TrialSnapshot[]);
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
        progress: Object.freeze(t.progress),
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
