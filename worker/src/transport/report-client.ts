/**
 * The gRPC side of reporting: one channel per coordinator endpoint, and a report stream per
 * attempt. The session logic (outbox, acks, reconnects) is transport-free, in report-outbox.ts.
 */
import { credentials, Metadata, status, type ChannelCredentials, type ServiceError } from "@grpc/grpc-js";
import { TrialReportClient, type CoordinatorMessage, type Logger } from "@prunesweep/proto";
import type { AttemptIds, ReportChannel, ReportSession } from "../report-channel.js";
import { ReportOutbox, type OpenReportStream } from "./report-outbox.js";

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

/** Statuses after which re-sending cannot succeed. */
const FATAL = new Set<number>([status.NOT_FOUND, status.UNAUTHENTICATED, status.PERMISSION_DENIED, status.INVALID_ARGUMENT]);

/**
 * One gRPC channel per coordinator endpoint, shared by every report session of a worker
 * (a channel per trial would mean a DNS resolution and an HTTP/2 connection per trial).
 */
class ReportClientPool {
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

/** How a {@link GrpcReportChannel} reaches and authenticates to the coordinator. */
export interface GrpcReportChannelOptions {
  /** Channel credentials (TLS, mTLS); insecure when omitted. */
  readonly credentials?: ChannelCredentials;
  /** Bearer token sent as `authorization` metadata on every call. */
  readonly token?: string;
  readonly log: Logger;
  /** Longest wait for an early-stopping decision before training goes on. @default 10000 */
  readonly decisionTimeoutMs?: number;
}

/** Report streams over gRPC (`TrialReport.Report`), on channels shared per endpoint. */
export class GrpcReportChannel implements ReportChannel {
  private readonly pool = new ReportClientPool();

  constructor(private readonly o: GrpcReportChannelOptions) {}

  open(ids: AttemptIds, endpoint: string): ReportSession {
    const client = this.pool.get(endpoint, this.o.credentials);
    return new ReportOutbox(ids, reportStreams(client, this.o.token), {
      log: this.o.log,
      ...(this.o.decisionTimeoutMs !== undefined && { decisionTimeoutMs: this.o.decisionTimeoutMs }),
    });
  }

  close(): void {
    this.pool.close();
  }
}

/** Opens `Report` calls on `client`, with the bearer token when there is one. */
function reportStreams(client: TrialReportClient, token: string | undefined): OpenReportStream {
  return (events) => {
    const md = new Metadata();
    if (token) md.set("authorization", `Bearer ${token}`);
    const call = client.report(md);
    call.on("data", (m: CoordinatorMessage) => events.message(m));
    call.on("error", (err: ServiceError) => events.broken({ fatal: FATAL.has(err.code), code: err.code, details: err.details || err.message }));
    call.on("end", () => events.broken(undefined));
    return { write: (m) => call.write(m), end: () => call.end() };
  };
}
