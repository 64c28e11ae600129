/**
 * `@prunesweep/worker/testing`: in-memory fakes of the worker's own interfaces (the trial
 * source, the report channel and its streams, the trial executor), for unit tests of the
 * worker's lifecycle and of the report outbox without NATS, gRPC or training.
 */
import { DecisionKind, TrialAssignment, type CoordinatorMessage, type WorkerMessage } from "@prunesweep/proto";
import type { AttemptIds, FinalReport, ReportChannel, ReportSession } from "./report-channel.js";
import type { TrialExecutor } from "./trial-executor.js";
import type { TrialLease, TrialSource } from "./trial-source.js";
import type { OpenReportStream, ReportStream, ReportStreamEvents, StreamBreak } from "./transport/report-outbox.js";
import type { TrialHooks, TrialOutcome, TrialRequest } from "./trial/types.js";

/** How an {@link InMemoryLease} was settled. */
export type Settlement = { readonly kind: "ack" } | { readonly kind: "retryLater"; readonly delayMs: number } | { readonly kind: "reject" };

/** A lease of an {@link InMemoryTrialSource}: records its heartbeats and every settle call. */
export class InMemoryLease implements TrialLease {
  readonly settlements: Settlement[] = [];
  heartbeats = 0;

  constructor(
    readonly data: Uint8Array,
    readonly deliveryCount = 1,
    readonly streamSequence = 1,
    readonly publishedAtMs = Date.now(),
  ) {}

  heartbeat(): void {
    this.heartbeats++;
  }
  ack(): Promise<void> {
    this.settlements.push({ kind: "ack" });
    return Promise.resolve();
  }
  retryLater(delayMs: number): void {
    this.settlements.push({ kind: "retryLater", delayMs });
  }
  reject(): void {
    this.settlements.push({ kind: "reject" });
  }
}

/** A queue of leases: `next()` waits until one is offered or the source is closed. */
export class InMemoryTrialSource implements TrialSource {
  private readonly queue: InMemoryLease[] = [];
  private waiter: ((l: InMemoryLease | null) => void) | undefined;
  private closed = false;

  /** Queues an assignment; returns its lease. */
  offer(assignment: TrialAssignment, deliveryCount = 1): InMemoryLease {
    const lease = new InMemoryLease(TrialAssignment.encode(assignment).finish(), deliveryCount, this.queue.length + 1);
    const w = this.waiter;
    this.waiter = undefined;
    if (w) w(lease);
    else this.queue.push(lease);
    return lease;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  next(): Promise<TrialLease | null> {
    if (this.closed) return Promise.resolve(null);
    const l = this.queue.shift();
    if (l) return Promise.resolve(l);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  close(): void {
    this.closed = true;
    this.waiter?.(null);
    this.waiter = undefined;
  }
}

/** How the coordinator behind an {@link InMemoryReportChannel} answers. */
export interface FakeCoordinator {
  /** @default "run" */
  readonly hello?: "run" | "cancel";
  /** The early-stopping decision at `step`. @default "continue" */
  readonly decide?: (step: number) => "continue" | "stop";
  /** "hang": the final report is never acknowledged (an unreachable coordinator). @default "ack" */
  readonly finish?: "ack" | "hang";
}

/** A report session of an {@link InMemoryReportChannel}: records what the worker reported. */
export class InMemoryReportSession implements ReportSession {
  /** Progress reports, in order. */
  readonly steps: { step: number; phase: string; metrics: Readonly<Record<string, number>> }[] = [];
  final: FinalReport | undefined;
  heartbeats = 0;
  closed = false;
  cancelledReason: string | undefined;
  onCancel: ((reason: string) => void) | undefined;

  constructor(
    readonly ids: AttemptIds,
    readonly endpoint: string,
    private readonly coordinator: FakeCoordinator,
  ) {}

  hello(): Promise<"run" | "cancel"> {
    const a = this.coordinator.hello ?? "run";
    if (a === "cancel") this.cancelledReason = "cancelled by the fake coordinator";
    return Promise.resolve(a);
  }
  progress(step: number, phase: string, metrics: Readonly<Record<string, number>>): Promise<"continue" | "stop"> {
    this.steps.push({ step, phase, metrics });
    return Promise.resolve(this.coordinator.decide?.(step) ?? "continue");
  }
  heartbeat(): void {
    this.heartbeats++;
  }
  finish(report: FinalReport): Promise<void> {
    this.final = report;
    return this.coordinator.finish === "hang" ? new Promise<void>(() => undefined) : Promise.resolve();
  }
  close(): void {
    this.closed = true;
  }
  /** Cancels the trial as the coordinator would mid-run. */
  cancel(reason: string): void {
    this.cancelledReason = reason;
    this.onCancel?.(reason);
  }
}
/** Opens {@link InMemoryReportSession}s answering as `coordinator` says. */
export class InMemoryReportChannel implements ReportChannel {
  readonly sessions: InMemoryReportSession[] = [];
  closed = false;

  constructor(private readonly coordinator: FakeCoordinator = {}) {}

  open(ids: AttemptIds, endpoint: string): ReportSession {
    const s = new InMemoryReportSession(ids, endpoint, this.coordinator);
    this.sessions.push(s);
    return s;
  }

  close(): void {
    this.closed = true;
  }
}

/** One stream of {@link InMemoryReportStreams}: what the worker wrote to it. */
export class InMemoryReportStream implements ReportStream {
  readonly written: WorkerMessage[] = [];
  ended = false;

  constructor(private readonly events: ReportStreamEvents) {}

  write(message: WorkerMessage): void {
    this.written.push(message);
  }
  end(): void {
    this.ended = true;
  }
  /** Delivers a coordinator message to the worker. */
  receive(m: Omit<CoordinatorMessage, "trialId" | "attempt"> & Partial<Pick<CoordinatorMessage, "trialId" | "attempt">>): void {
    this.events.message({ trialId: "", attempt: 0, ...m });
  }
  ack(seq: number, final = false): void {
    this.receive({ payload: { $case: "ack", value: { seq, final } } });
  }
  decide(step: number, kind: "continue" | "stop"): void {
    this.receive({ payload: { $case: "decision", value: { step, kind: kind === "stop" ? DecisionKind.DECISION_KIND_STOP : DecisionKind.DECISION_KIND_CONTINUE } } });
  }
  cancel(reason: string): void {
    this.receive({ payload: { $case: "cancel", value: { reason } } });
  }
  /** Breaks the stream (a restarted coordinator, a lost connection; `fatal`: refused for good). */
  break(why?: StreamBreak): void {
    this.events.broken(why);
  }
}

/** An {@link OpenReportStream} that keeps every stream it opened, for a test to play the coordinator. */
export class InMemoryReportStreams {
  readonly streams: InMemoryReportStream[] = [];
  readonly open: OpenReportStream = (events) => {
    const s = new InMemoryReportStream(events);
    this.streams.push(s);
    return s;
  };

  /** The stream opened last. @throws Error when none was opened. */
  get current(): InMemoryReportStream {
    const s = this.streams.at(-1);
    if (!s) throw new Error("no report stream was opened");
    return s;
  }
}

/**
 * A scripted {@link TrialExecutor}: each run reports `steps` progress steps, obeying a "stop"
 * decision and the abort signal between them, then ends with `outcome`. With `hold`, it waits
 * between steps until the signal aborts it (a long training).
 */
export class ScriptedTrialExecutor implements TrialExecutor {
  readonly runs: TrialRequest[] = [];
  closed = false;

  constructor(
    private readonly script: {
      readonly steps?: number;
      readonly hold?: boolean;
      readonly outcome?: TrialOutcome;
    } = {},
  ) {}

  backend(): Promise<string> {
    return Promise.resolve("cpu");
  }

  async run(request: TrialRequest, hooks: TrialHooks): Promise<TrialOutcome> {
    this.runs.push(request);
    const steps = this.script.steps ?? 2;
    for (let step = 1; step <= steps; step++) {
      if (this.script.hold) await aborted(hooks.signal);
      if (hooks.signal.aborted) return { kind: "aborted", reason: String((hooks.signal.reason as Error | undefined)?.message ?? "aborted") };
      const decision = await hooks.progress(step, "finetune", { val_accuracy: 0.5 + step / 100 });
      if (decision === "stop") return { kind: "completed", metrics: { accuracy: 0.5 }, details: {}, stoppedEarly: true, lastStep: step, wallMs: 1 };
    }
    return this.script.outcome ?? { kind: "completed", metrics: { accuracy: 0.9 }, details: {}, stoppedEarly: false, lastStep: steps, wallMs: 1 };
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
