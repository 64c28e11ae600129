/**
 * How a worker reports to the coordinator (a gRPC stream per attempt in production). The
 * worker holds one channel; each attempt opens a session on it.
 */
import type { WorkerMessage } from "@prunesweep/proto";

/** The attempt a report session belongs to. */
export interface AttemptIds {
  readonly campaignId: string;
  readonly trialId: string;
  readonly attempt: number;
}

type Payload = NonNullable<WorkerMessage["payload"]>;

/** The last report of an attempt: its result or its failure. */
export type FinalReport = Extract<Payload, { $case: "result" | "failure" }>;

/**
 * The reports of one attempt, in protocol order: `hello`, then `progress` per step and
 * `heartbeat`s, then one `finish`; `close` at the end whatever happened. Reports survive a
 * broken connection (they are re-sent until acknowledged).
 */
export interface ReportSession {
  /** Announces the attempt; "cancel" when the coordinator says the trial must not run. */
  hello(workerId: string, backend: string, version: string): Promise<"run" | "cancel">;
  /**
   * Sends progress; resolves with the coordinator's early-stopping decision, or "continue"
   * when none comes in time (training never waits on an unreachable coordinator).
   */
  progress(step: number, phase: string, metrics: Readonly<Record<string, number>>): Promise<"continue" | "stop">;
  /** Liveness signal; a newer one supersedes it, so it is not re-sent. */
  heartbeat(): void;
  /** Sends the final report; resolves once the coordinator has recorded it. */
  finish(report: FinalReport): Promise<void>;
  /** Ends the session; pending reports are given up (their promises reject). */
  close(): void;
  /** Set when the coordinator cancelled the trial. */
  readonly cancelledReason: string | undefined;
  /** Called when the coordinator cancels the trial mid-run. */
  onCancel: ((reason: string) => void) | undefined;
}

/** Opens report sessions; owned by the worker, closed when it stops. */
export interface ReportChannel {
  /** A session for `ids`, reporting to the coordinator at `endpoint` (host:port). */
  open(ids: AttemptIds, endpoint: string): ReportSession;
  /** Releases every connection. */
  close(): void;
}
