/**
 * Checkpoints of one trial and its resumption (README, "Checkpoints").
 *
 * A trial's state is checkpointed at epoch boundaries of `PruningContext.fineTune`, every
 * `budget.checkpointEvery` epochs (counted over the whole trial), into objects
 * `<campaignId>/<trialId>/call-<n>` (one per fine-tuning call: its latest boundary) and
 * `<campaignId>/<trialId>/index` (which call is the latest). A checkpoint also carries the end
 * states of the calls finished since the previous one.
 *
 * Resuming is a replay: the method runs again from the pretrained net, deterministically
 * (seeded), and each fine-tuning call up to the latest checkpointed one is fast-forwarded,
 * i.e. its end state (weights, masks that change in training, shuffle generator, step counter)
 * is loaded instead of trained; the latest call continues from its boundary with its optimizer
 * state. So whatever a method keeps between calls (masks, round history, rewind targets, the
 * weights before a round, early-exit phases, gates and their export) is rebuilt by its own code,
 * and one mechanism covers every method. Each loaded call is checked against the replay (phase,
 * epochs, parameter names and shapes, the method's generator); on a mismatch the trial trains on
 * from where it is, without the checkpoint.
 */
import { createHash } from "node:crypto";
import type { CheckpointStore } from "../artifacts/checkpoint-store.js";
import { checkpointFromWeights, checkpointToWeights, indexFromWeights, indexToWeights, type CheckpointIndex, type TrialCheckpoint } from "../artifacts/checkpoint-codec.js";
import type { Net } from "../models/net.js";
import type { TrialRequest } from "./types.js";

type Log = (message: string, fields?: Readonly<Record<string, unknown>>) => void;

/** Names and shapes of the net's parameters, in order (a checkpoint fits only this structure). */
export function structureOf(net: Net): string {
  return net
    .params()
    .map((p) => `${p.name}[${p.shape.join(",")}]`)
    .join(";");
}

/** The checkpoint stored as `name`, or undefined when there is none or it cannot be read (logged). */
export async function readCheckpoint(store: CheckpointStore, name: string, log: Log): Promise<TrialCheckpoint | undefined> {
  try {
    const w = await store.get(name);
    return w ? checkpointFromWeights(w) : undefined;
  } catch (err) {
    log("checkpoint unreadable; not using it", { name, error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

/** JSON with sorted object keys, so that equal values hash equally whatever their key order. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** What the trial runs: its parameters and task (the checkpoint interval aside). */
function fingerprintOf(req: TrialRequest): string {
  return createHash("sha256")
    .update(stableJson({ params: req.params, task: req.task }))
    .digest("hex")
    .slice(0, 32);
}

/** Where a resumed trial picked up. */
export interface ResumedFrom {
  readonly call: number;
  readonly phase: string;
  readonly epoch: number;
  /** Epochs of the call: `epoch` < `epochs` when the attempt continued inside the call. */
  readonly epochs: number;
  readonly step: number;
  readonly epochsTrained: number;
}

/** A trial's checkpoints: the resume state read at the start, and the writes. */
export class TrialCheckpoints {
  /** Set while replaying up to the latest checkpoint. */
  private replay: CheckpointIndex | undefined;
  /** End states of finished calls not written yet. */
  private readonly pending = new Map<number, TrialCheckpoint>();
  private writes = 0;
  private bytes = 0;
  private resumedFrom: ResumedFrom | undefined;

  private constructor(
    private readonly store: CheckpointStore | undefined,
    /** Epochs between checkpoints; 0: none. */
    readonly every: number,
    private readonly prefix: string,
    private readonly fingerprint: string,
    private readonly log: Log,
    index: CheckpointIndex | undefined,
  ) {
    this.replay = index;
    this.reportedStep = index?.reportedStep ?? 0;
  }

  /**
   * Progress steps the coordinator has already had for this trial (an earlier attempt
   * reported them before its latest checkpoint): a replay does not report them again.
   */
  readonly reportedStep: number;

  /** No checkpoints (no store, or an interval of 0). */
  static disabled(): TrialCheckpoints {
    return new TrialCheckpoints(undefined, 0, "", "", () => undefined, undefined);
  }

  /** Reads the trial's latest checkpoint, if any (a store failure or a stale one: none). */
  static async open(store: CheckpointStore | undefined, req: TrialRequest, log: Log): Promise<TrialCheckpoints> {
    const every = Math.max(0, Math.floor(req.budget.checkpointEvery ?? 0));
    if (!store || every === 0) return TrialCheckpoints.disabled();
    const prefix = `${req.campaignId}/${req.trialId}/`;
    const fingerprint = fingerprintOf(req);
    let index: CheckpointIndex | undefined;
    try {
      const w = await store.get(`${prefix}index`);
      index = w ? indexFromWeights(w) : undefined;
    } catch (err) {
      log("checkpoint index unreadable; starting from scratch", { error: err instanceof Error ? err.message : String(err) });
    }
    if (index && index.fingerprint !== fingerprint) {
      log("checkpoint is of another trial definition; starting from scratch", { trialId: req.trialId });
      index = undefined;
    }
    if (index) log("resuming from checkpoint", { latestCall: index.latestCall, reportedStep: index.reportedStep, epochsTrained: index.epochsTrained });
    return new TrialCheckpoints(store, every, prefix, fingerprint, log, index);
  }

  /** Whether checkpoints are written. */
  get enabled(): boolean {
    return this.store !== undefined && this.every > 0;
  }

  /**
   * The checkpoint of fine-tuning call `call` while replaying: a complete one to fast-forward
   * the call, or the latest boundary to continue it from. Undefined: train the call.
   */
  async forCall(call: number): Promise<TrialCheckpoint | undefined> {
    const replay = this.replay;
    if (!this.store || !replay || call > replay.latestCall) return undefined;
    const c = await readCheckpoint(this.store, this.name(call), this.log);
    if (c && c.call === call) return c;
    this.log("checkpoint of a fine-tuning call missing; training it", { call });
    return undefined;
  }

  /**
   * `c` has been loaded. The replay is over when it is a boundary inside its call (the call
   * continues from it) or of the latest checkpointed call.
   */
  loaded(c: TrialCheckpoint): void {
    const callDone = c.complete || c.epoch >= c.epochs;
    if (callDone && this.replay && c.call < this.replay.latestCall) return;
    this.resumedFrom = { call: c.call, phase: c.phase, epoch: c.epoch, epochs: c.epochs, step: c.step, epochsTrained: c.epochsTrained };
    this.replay = undefined;
  }

  /** A checkpoint does not match the replay: train on without the rest of it. */
  diverged(call: number, why: string): void {
    this.log("checkpoint does not match the replay; training on without it", { call, why });
    this.replay = undefined;
  }

  /** Whether the boundary after `epochsTrained` epochs (over the trial) gets a checkpoint. */
  due(epochsTrained: number): boolean {
    return this.enabled && epochsTrained > 0 && epochsTrained % this.every === 0;
  }

  /** Keeps the end state of a finished call, written with the next checkpoint. */
  callEnded(c: TrialCheckpoint): void {
    if (this.enabled) this.pending.set(c.call, c);
  }

  /**
   * Writes `c`, the end states of the calls finished since the last write, then the index;
   * `reportedStep`: the progress steps the coordinator has answered so far. A failure is
   * logged, not thrown: the trial goes on and the previous checkpoint stays.
   */
  async write(c: TrialCheckpoint, reportedStep: number): Promise<void> {
    const store = this.store;
    if (!store || !this.enabled) return;
    try {
      for (const [call, p] of [...this.pending].sort((a, b) => a[0] - b[0])) {
        if (call === c.call) continue;
        await this.put(store, this.name(call), checkpointToWeights(p));
        this.pending.delete(call);
      }
      await this.put(store, this.name(c.call), checkpointToWeights(c));
      this.pending.delete(c.call);
      await this.put(store, `${this.prefix}index`, indexToWeights({ fingerprint: this.fingerprint, latestCall: c.call, reportedStep, epochsTrained: c.epochsTrained }));
      this.writes++;
      this.log("checkpoint written", { call: c.call, phase: c.phase, epoch: c.epoch, step: c.step, epochsTrained: c.epochsTrained });
    } catch (err) {
      this.log("checkpoint write failed; continuing", { call: c.call, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Deletes the trial's checkpoints (it has ended); failures are logged. */
  async clear(): Promise<void> {
    this.pending.clear();
    if (!this.store || !this.enabled) return;
    await this.store.deletePrefix(this.prefix).catch((err: unknown) => this.log("deleting checkpoints failed", { error: err instanceof Error ? err.message : String(err) }));
  }

  /** For the trial details. */
  summary(): Record<string, unknown> {
    return { every: this.every, writes: this.writes, bytesWritten: this.bytes, ...(this.resumedFrom && { resumedFrom: this.resumedFrom }) };
  }

  private name(call: number): string {
    return `${this.prefix}call-${call}`;
  }

  private async put(store: CheckpointStore, name: string, w: ReturnType<typeof checkpointToWeights>): Promise<void> {
    await store.put(name, w);
    this.bytes += w.tensors.reduce((a, t) => a + t.data.length * 4, 0);
  }
}
