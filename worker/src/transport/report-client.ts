import { credentials, Metadata, status, type ChannelCredentials, type ClientDuplexStream, type ServiceError } from "@grpc/grpc-js";
import {
  DecisionKind,
  TrialReportClient,
  type CoordinatorMessage,
  type Logger,
  type WorkerMessage,
} from "@prunesweep/proto";

/**
 * Keepalive and reconnect settings; the keepalive values match the coordinator's server
 * (`SERVER_CHANNEL_OPTIONS`: 30 s ping, 10 s timeout, pings allowed without calls), all
 * options from grpc-js's supported list.
 */
const CHANNEL_OPTIONS = {
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.initial_reconnect_backoff_ms": 200,
  "grpc.max_reconnect_backoff_ms": 5_000,
};

/**
 * One gRPC channel per coordinator endpoint, shared by every report session of a worker
 * (a channel per trial would mean a DNS resolution and an HTTP/2 connection per trial).
 */
export class ReportClientPool {
  private readonly clients = new Map<string, TrialReportClient>();

  get(endpoint: string, creds: ChannelCredentials = credentials.createInsecure()): TrialReportClient {
    let c = this.clients.get(endpoint);
    if (!c) {
      c = new TrialReportClient(endpoint, creds, CHANNEL_OPTIONS);
      this.clients.set(endpoint, c);
    }
    return c;
  }

  /** Closes every channel. */
  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

export interface ReportClientOptions {
  readonly endpoint: string;
  /** Shared channels; a private channel (closed with the session) when omitted. */
  readonly pool?: ReportClientPool;
  /** Channel credentials; insecure when omitted. */
  readonly credentials?: ChannelCredentials;
  /** Bearer token sent as `authorization` metadata on every call. */
  readonly token?: string;
  readonly log: Logger;
  /** Longest wait for an early-stopping decision before training goes on. @default 10000 */
  readonly decisionTimeoutMs?: number;
}

/** The coordinator refused the report for good (unknown trial, bad token). */
export class ReportRejectedError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = "ReportRejectedError";
  }
}

type Payload = NonNullable<WorkerMessage["payload"]>;
const FATAL = new Set<number>([status.NOT_FOUND, status.UNAUTHENTICATED, status.PERMISSION_DENIED, status.INVALID_ARGUMENT]);

/**
 * The report stream of one trial attempt. Every message gets a sequence number and stays
 * in an outbox until the coordinator acks it; when the stream breaks (coordinator restart,
 * network), it reconnects with jittered backoff and re-sends the outbox in order. Reports
 * are idempotent on (trial, attempt, seq) at the coordinator, so re-sending is safe.
 */
export class ReportSession {
  private readonly client: TrialReportClient;
  private stream: ClientDuplexStream<WorkerMessage, CoordinatorMessage> | undefined;
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
  /** Set when the coordinator cancelled the trial. */
  cancelledReason: string | undefined;
  /** Called when the coordinator cancels the trial mid-run. */
  onCancel: ((reason: string) => void) | undefined;

  constructor(
    private readonly ids: { readonly campaignId: string; readonly trialId: string; readonly attempt: number },
    private readonly o: ReportClientOptions,
  ) {
    this.client = o.pool
      ? o.pool.get(o.endpoint, o.credentials)
      : new TrialReportClient(o.endpoint, o.credentials ?? credentials.createInsecure(), CHANNEL_OPTIONS);
  }

  /** Announces the attempt; resolves "cancel" when the coordinator says the trial must not run. */
  hello(workerId: string, backend: string, version: string): Promise<"run" | "cancel"> {
    const answer = new Promise<"run" | "cancel">((resolve) => (this.helloAnswer = resolve));
    const acked = this.send({ $case: "hello", value: { workerId, backend, version } });
    void acked.then(
      () => this.helloAnswer?.("run"),
      () => undefined,
    );
    return Promise.race([answer, acked.then(() => "run" as const)]);
  }

  /**
   * Sends progress; resolves with the coordinator's decision. While the coordinator is
   * unreachable the report is buffered and training continues without waiting; a decision
   * that does not come within the timeout counts as "continue".
   */
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

  /** Liveness signal; not retained in the outbox (a newer one supersedes it). */
  heartbeat(): void {
    if (this.closed || this.fatal) return;
    if (!this.stream) {
      if (this.outbox.size > 0 && !this.reconnectTimer) this.scheduleReconnect(undefined);
      return;
    }
    const seq = ++this.seq;
    this.stream.write({ ...this.ids, seq, payload: { $case: "heartbeat", value: {} } });
  }

  /** Sends the final Result or Failure and resolves once the coordinator recorded it. */
  finish(payload: Extract<Payload, { $case: "result" | "failure" }>): Promise<void> {
    return this.send(payload);
  }

  /** Ends the stream and releases the channel. */
  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stream?.end();
    this.stream = undefined;
    if (!this.o.pool) this.client.close();
    for (const w of this.ackWaiters.values()) w.reject(new Error("report session closed"));
    this.ackWaiters.clear();
  }

  private send(payload: Payload): Promise<void> {
    if (this.fatal) return Promise.reject(this.fatal);
    const seq = ++this.seq;
    const msg: WorkerMessage = { ...this.ids, seq, payload };
    this.outbox.set(seq, msg);
    const acked = new Promise<void>((resolve, reject) => this.ackWaiters.set(seq, { resolve, reject }));
    this.ensureStream().write(msg);
    return acked;
  }

  private ensureStream(): ClientDuplexStream<WorkerMessage, CoordinatorMessage> {
    if (this.stream) return this.stream;
    const md = new Metadata();
    if (this.o.token) md.set("authorization", `Bearer ${this.o.token}`);
    const s = this.client.report(md);
    this.stream = s;
    s.on("data", (m: CoordinatorMessage) => this.onMessage(m));
    s.on("error", (err: ServiceError) => this.onBroken(s, err));
    s.on("end", () => this.onBroken(s, undefined));
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

  private onBroken(s: ClientDuplexStream<WorkerMessage, CoordinatorMessage>, err: ServiceError | undefined): void {
    if (this.stream !== s) return;
    this.stream = undefined;
    if (this.closed) return;
    if (err && FATAL.has(err.code)) {
      this.fatal = new ReportRejectedError(`coordinator rejected the report: ${err.details || err.message}`, err.code);
      for (const w of this.ackWaiters.values()) w.reject(this.fatal);
      this.ackWaiters.clear();
      return;
    }
    this.reconnecting = true;
    if (this.outbox.size === 0 && this.ackWaiters.size === 0) return; // nothing to re-send; reopen lazily
    this.scheduleReconnect(err);
  }

  private scheduleReconnect(err: ServiceError | undefined): void {
    if (this.reconnectTimer) return;
    const base = Math.min(10_000, 250 * 2 ** this.reconnectAttempt++);
    const delay = base / 2 + Math.random() * (base / 2); // jitter: not strategy code
    this.o.log.warn("report stream broken; reconnecting", {
      trial: this.ids.trialId,
      delayMs: Math.round(delay),
      pending: this.outbox.size,
      error: err?.details ?? "stream ended",
    });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.closed || this.stream) return;
      const stream = this.ensureStream();
      for (const seq of [...this.outbox.keys()].sort((a, b) => a - b)) stream.write(this.outbox.get(seq) as WorkerMessage);
    }, delay);
  }
}
