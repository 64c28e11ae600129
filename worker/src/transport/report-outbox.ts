/**
 * The transport-independent core of a report session: sequence numbers, the outbox of
 * reports not yet acknowledged, early-stopping decisions, cancellation, and reconnecting with
 * backoff to re-send the outbox in order. The gRPC client (report-client.ts) gives it
 * streams; tests give it in-memory ones.
 */
import { DecisionKind, type CoordinatorMessage, type Logger, type WorkerMessage } from "@prunesweep/proto";
import { ReportRejectedError, ReportSessionClosedError } from "../errors.js";
import type { AttemptIds, FinalReport, ReportSession } from "../report-channel.js";

/** One open report stream, as the outbox writes to it. */
export interface ReportStream {
  write(message: WorkerMessage): void;
  /** Half-closes the stream (no more messages from this side). */
  end(): void;
}

/** Why a stream ended. `fatal`: the coordinator refused for good (unknown trial, bad token). */
export interface StreamBreak {
  readonly fatal: boolean;
  /** The transport's status code (a gRPC status). */
  readonly code: number;
  readonly details: string;
}

/** What a stream tells the outbox. Calls after `broken` are ignored. */
export interface ReportStreamEvents {
  message(m: CoordinatorMessage): void;
  /** The stream is gone: with a reason, or `undefined` when it ended normally. */
  broken(why: StreamBreak | undefined): void;
}

/** Opens a new stream to the coordinator, reporting to `events`. */
export type OpenReportStream = (events: ReportStreamEvents) => ReportStream;

/** Capped exponential backoff between reconnects (each delay jittered to 50–100%). */
interface ReconnectBackoff {
  readonly firstMs: number;
  readonly maxMs: number;
}

export interface ReportOutboxOptions {
  readonly log: Logger;
  /** Longest wait for an early-stopping decision before training goes on. @default 10000 */
  readonly decisionTimeoutMs?: number;
  /** @default 250 ms doubling up to 10 s */
  readonly reconnect?: ReconnectBackoff;
  /** Called once by `close()`, after the stream is ended (e.g. to release a private channel). */
  readonly onClose?: () => void;
}

type Payload = NonNullable<WorkerMessage["payload"]>;

const DEFAULT_BACKOFF: ReconnectBackoff = { firstMs: 250, maxMs: 10_000 };

/**
 * The report session of one attempt. Every message gets a sequence number and stays in the
 * outbox until the coordinator acks it; when the stream breaks (coordinator restart,
 * network), it reconnects with jittered backoff and re-sends the outbox in order. Reports are
 * idempotent on (trial, attempt, seq) at the coordinator, so re-sending is safe.
 */
export class ReportOutbox implements ReportSession {
  private stream: ReportStream | undefined;
  private seq = 0;
  private readonly outbox = new Map<number, WorkerMessage>();
  private readonly ackWaiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly decisionWaiters = new Map<number, (d: "continue" | "stop") => void>();
  private helloAnswer: ((a: "run" | "cancel") => void) | undefined;
  private reconnectAttempt = 0;
  /** True between a broken stream and the first message of the next one. */
  private reconnecting = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private fatal: Error | undefined;
  cancelledReason: string | undefined;
  onCancel: ((reason: string) => void) | undefined;

  constructor(
    private readonly ids: AttemptIds,
    private readonly openStream: OpenReportStream,
    private readonly o: ReportOutboxOptions,
  ) {}

  /** Messages sent and not yet acknowledged. */
  get pending(): number {
    return this.outbox.size;
  }

  hello(workerId: string, backend: string, version: string): Promise<"run" | "cancel"> {
    const answer = new Promise<"run" | "cancel">((resolve) => (this.helloAnswer = resolve));
    const acked = this.send({ $case: "hello", value: { workerId, backend, version } });
    void acked.then(
      () => this.helloAnswer?.("run"),
      () => undefined,
    );
    return Promise.race([answer, acked.then(() => "run" as const)]);
  }

  progress(step: number, phase: string, metrics: Readonly<Record<string, number>>): Promise<"continue" | "stop"> {
    if (this.cancelledReason !== undefined) return Promise.resolve("stop");
    if (this.reconnecting) {
      this.send({ $case: "progress", value: { step, phase, metrics: { ...metrics } } }).catch(() => undefined);
      return Promise.resolve("continue");
    }
    const decision = new Promise<"continue" | "stop">((resolve) => {
      this.decisionWaiters.set(step, resolve);
      setTimeout(() => {
        if (this.decisionWaiters.get(step) === resolve) {
          this.decisionWaiters.delete(step);
          this.o.log.warn("no early-stopping decision in time; continuing", { trial: this.ids.trialId, step });
          resolve("continue");
        }
      }, this.o.decisionTimeoutMs ?? 10_000).unref();
    });
    this.send({ $case: "progress", value: { step, phase, metrics: { ...metrics } } }).catch(() => undefined);
    return decision;
  }

  heartbeat(): void {
    if (this.closed || this.fatal) return;
    if (!this.stream) {
      if (this.outbox.size > 0 && !this.reconnectTimer) this.scheduleReconnect(undefined);
      return;
    }
    const seq = ++this.seq;
    this.stream.write({ ...this.ids, seq, payload: { $case: "heartbeat", value: {} } });
  }

  finish(report: FinalReport): Promise<void> {
    return this.send(report);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stream?.end();
    this.stream = undefined;
    this.o.onClose?.();
    for (const w of this.ackWaiters.values()) w.reject(new ReportSessionClosedError("report session closed"));
    this.ackWaiters.clear();
  }

  private send(payload: Payload): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    if (this.closed) return Promise.reject(new ReportSessionClosedError("report session closed"));
    const seq = ++this.seq;
    const msg: WorkerMessage = { ...this.ids, seq, payload };
    this.outbox.set(seq, msg);
    const acked = new Promise<void>((resolve, reject) => this.ackWaiters.set(seq, { resolve, reject }));
    this.ensureStream().write(msg);
    return acked;
  }

  private ensureStream(): ReportStream {
    if (this.stream) return this.stream;
    let gone = false;
    const s = this.openStream({
      message: (m) => {
        if (!gone) this.onMessage(m);
      },
      broken: (why) => {
        if (gone) return;
        gone = true;
        this.onBroken(s, why);
      },
    });
    this.stream = s;
    return s;
  }

  private onMessage(m: CoordinatorMessage): void {
    this.reconnectAttempt = 0;
    this.reconnecting = false;
    const p = m.payload;
    if (!p) return;
    switch (p.$case) {
      case "ack": {
        this.outbox.delete(p.value.seq);
        const w = this.ackWaiters.get(p.value.seq);
        this.ackWaiters.delete(p.value.seq);
        w?.resolve();
        return;
      }
      case "decision": {
        const w = this.decisionWaiters.get(p.value.step);
        this.decisionWaiters.delete(p.value.step);
        w?.(p.value.kind === DecisionKind.DECISION_KIND_STOP ? "stop" : "continue");
        return;
      }
      case "cancel":
        this.cancelledReason = p.value.reason;
        this.helloAnswer?.("cancel");
        for (const w of this.decisionWaiters.values()) w("stop");
        this.decisionWaiters.clear();
        // Messages waiting for an ack will never get one: the trial is final.
        for (const w of this.ackWaiters.values()) w.resolve();
        this.ackWaiters.clear();
        this.outbox.clear();
        this.onCancel?.(p.value.reason);
        return;
    }
  }

  private onBroken(s: ReportStream, why: StreamBreak | undefined): void {
    if (this.stream !== s) return;
    this.stream = undefined;
    if (this.closed) return;
    if (why?.fatal) {
      this.fatal = new ReportRejectedError(`coordinator rejected the report: ${why.details}`, why.code);
      for (const w of this.ackWaiters.values()) w.reject(this.fatal);
      this.ackWaiters.clear();
      return;
    }
    this.reconnecting = true;
    if (this.outbox.size === 0 && this.ackWaiters.size === 0) return; // nothing to re-send; reopen lazily
    this.scheduleReconnect(why);
  }

  private scheduleReconnect(why: StreamBreak | undefined): void {
    if (this.reconnectTimer) return;
    const backoff = this.o.reconnect ?? DEFAULT_BACKOFF;
    const base = Math.min(backoff.maxMs, backoff.firstMs * 2 ** this.reconnectAttempt++);
    const delay = base / 2 + Math.random() * (base / 2); // jitter: not strategy code
    this.o.log.warn("report stream broken; reconnecting", {
      trial: this.ids.trialId,
      delayMs: Math.round(delay),
      pending: this.outbox.size,
      error: why?.details ?? "stream ended",
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed || this.stream) return;
      const stream = this.ensureStream();
      for (const seq of [...this.outbox.keys()].sort((a, b) => a - b)) stream.write(this.outbox.get(seq) as WorkerMessage);
    }, delay);
  }
}
