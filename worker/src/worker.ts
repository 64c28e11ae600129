import type { Logger } from "@prunesweep/proto";
import type { WorkerConfig } from "./config.js";
import { isRetryable, serializeError, ShutdownTimeoutError, TrialTimeoutError, UnreachableError } from "./errors.js";
import { Lifecycle, type WorkerState } from "./lifecycle.js";
import type { ReportChannel, ReportSession } from "./report-channel.js";
import type { TrialExecutor } from "./trial-executor.js";
import type { TrialLease, TrialSource } from "./trial-source.js";
import type { TrialOutcome, TrialRequest } from "./trial/types.js";
import { decodeAssignment } from "./transport/convert.js";

export const WORKER_VERSION = "0.1.0";

/** Delay before a retryable failure is redelivered. */
const RETRY_DELAY_MS = 2_000;
/** A coordinator that does not answer hello within this time: give the assignment back. */
const HELLO_TIMEOUT_MS = 120_000; // 2 minutes
/** How long a timed-out trial may take to stop after its abort before the worker moves on. */
const TIMEOUT_STOP_WAIT_MS = 10_000;

/** What a worker works with; main.ts builds the production ones (NATS, gRPC, a training thread). */
export interface WorkerDeps {
  readonly source: TrialSource;
  readonly reports: ReportChannel;
  readonly executor: TrialExecutor;
  readonly log: Logger;
}

/** A lease that ignores every settle after the first (ack, retryLater or reject). */
interface HeldLease extends TrialLease {
  readonly settled: boolean;
}

function holdLease(lease: TrialLease): HeldLease {
  let settled = false;
  const once =
    <A extends unknown[], R>(f: (...a: A) => R, otherwise: R) =>
    (...a: A): R => {
      if (settled) return otherwise;
      settled = true;
      return f(...a);
    };
  return {
    data: lease.data,
    deliveryCount: lease.deliveryCount,
    streamSequence: lease.streamSequence,
    publishedAtMs: lease.publishedAtMs,
    get settled() {
      return settled;
    },
    heartbeat: () => {
      if (!settled) lease.heartbeat();
    },
    ack: once(() => lease.ack(), Promise.resolve()),
    retryLater: once((ms: number) => lease.retryLater(ms), undefined),
    reject: once(() => lease.reject(), undefined),
  };
}

/** The attempt a worker is busy with. */
interface Attempt {
  readonly trialId: string;
  readonly endpoint: string;
  readonly lease: HeldLease;
  readonly abort: AbortController;
  stage: "starting" | "training" | "reporting";
}

/**
 * Pulls one assignment at a time and runs it: hello → train (with progress and heartbeats)
 * → final report → JetStream ack only after the coordinator acknowledged the final report.
 * Holds only the lifecycle and the pull loop; training is the executor's, transports are
 * behind {@link TrialSource} and {@link ReportChannel}.
 *
 * Lifecycle (see lifecycle.ts): `run()` once, from initialized; `shutdown()` (SIGTERM) drains:
 * no new lease is taken; after `shutdownGraceMs` the running trial is aborted and its lease
 * given back for immediate redelivery; after `shutdownDeadlineMs` the worker stops waiting
 * (e.g. for a final report to an unreachable coordinator) and fails with
 * {@link ShutdownTimeoutError}.
 */
export class Worker {
  private readonly lifecycle = new Lifecycle();
  private current: Attempt | undefined;
  private stopping: Promise<void> | undefined;
  private trialsRun = 0;
  private settle!: { resolve: () => void; reject: (err: unknown) => void };
  /** Settles when the worker is stopped (resolves) or failed (rejects). */
  private readonly ended = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly config: WorkerConfig,
    private readonly deps: WorkerDeps,
  ) {
    this.ended.catch(() => undefined); // observed by run()/shutdown() callers
  }

  get state(): WorkerState {
    return this.lifecycle.state;
  }

  /**
   * Starts the pull loop; resolves when the worker has stopped, rejects when it failed.
   * @throws IllegalStateError unless the worker is initialized.
   */
  run(): Promise<void> {
    this.lifecycle.to("running");
    this.loop().then(
      () => this.stop(),
      (err: unknown) => this.fail(err),
    );
    return this.ended;
  }

  /**
   * Graceful stop (see the class comment). Idempotent: every call returns the same promise,
   * which resolves when the worker stopped and rejects with {@link ShutdownTimeoutError} when
   * the deadline passed first.
   */
  shutdown(): Promise<void> {
    return (this.stopping ??= this.drain());
  }

  private drain(): Promise<void> {
    if (this.lifecycle.state === "initialized") {
      this.lifecycle.to("stopped");
      this.settle.resolve();
      return this.ended;
    }
    if (this.lifecycle.state === "running") this.lifecycle.to("draining");
    this.deps.source.close();
    const { shutdownGraceMs, shutdownDeadlineMs } = this.config;
    this.timers.push(setTimeout(() => this.graceOver(), shutdownGraceMs));
    this.timers.push(setTimeout(() => this.deadlinePassed(), shutdownDeadlineMs));
    for (const t of this.timers) t.unref();
    return this.ended;
  }

  /** Aborts the running trial and gives its lease back, so that another worker takes it now. */
  private graceOver(): void {
    const a = this.current;
    if (!a) return;
    a.abort.abort(new Error("worker shutting down"));
    if (!a.lease.settled) {
      a.lease.retryLater(0);
      this.deps.log.warn("shutdown grace period over: trial given back for redelivery", { trial: a.trialId, stage: a.stage, graceMs: this.config.shutdownGraceMs });
    }
  }

  private deadlinePassed(): void {
    const a = this.current;
    const waitingFor = !a
      ? "the pull loop"
      : a.stage === "reporting"
        ? `the final report of trial ${a.trialId} to the coordinator at ${a.endpoint}`
        : `trial ${a.trialId} to stop (${a.stage})`;
    const err = new ShutdownTimeoutError(`shutdown did not finish within ${this.config.shutdownDeadlineMs} ms (--shutdown-deadline-ms): still waiting for ${waitingFor}; exiting anyway`);
    this.deps.log.error(err.message, { deadlineMs: this.config.shutdownDeadlineMs });
    this.fail(err);
  }

  /** The loop ended: release everything, then stopped (unless the deadline passed meanwhile). */
  private stop(): void {
    void this.release().then(() => {
      if (this.lifecycle.finished) return;
      this.lifecycle.to("stopped");
      this.clearTimers();
      this.settle.resolve();
    });
  }

  private fail(err: unknown): void {
    if (this.lifecycle.finished) return;
    this.lifecycle.to("failed");
    this.clearTimers();
    void this.release();
    this.settle.reject(err);
  }

  private clearTimers(): void {
    for (const t of this.timers.splice(0)) clearTimeout(t);
  }

  /** Releases the source, the executor and the report channel; every cleanup runs even when one fails. */
  private async release(): Promise<void> {
    this.deps.source.close();
    await this.deps.executor.close().catch((err: unknown) => this.deps.log.warn("closing the trial executor failed", { error: String(err) }));
    this.deps.reports.close();
  }

  private async loop(): Promise<void> {
    while (this.lifecycle.state === "running") {
      const lease = await this.deps.source.next();
      if (!lease) continue;
      if (this.lifecycle.state !== "running") {
        lease.retryLater(0); // drained while this lease was on its way: not started here
        break;
      }
      await this.handle(lease);
      this.trialsRun++;
      if (this.config.maxTrials > 0 && this.trialsRun >= this.config.maxTrials && this.lifecycle.state === "running") {
        this.deps.log.info("max trials reached; stopping", { trials: this.trialsRun });
        this.lifecycle.to("draining");
      }
    }
  }

  private async handle(raw: TrialLease): Promise<void> {
    const lease = holdLease(raw);
    let decoded;
    try {
      decoded = decodeAssignment(lease.data, lease.deliveryCount);
    } catch (err) {
      this.deps.log.error("invalid assignment terminated", { seq: lease.streamSequence, error: String(err) });
      lease.reject();
      return;
    }
    const { request } = decoded;
    const endpoint = this.config.coordinatorOverride ?? decoded.endpoint;
    const session = this.deps.reports.open({ campaignId: request.campaignId, trialId: request.trialId, attempt: request.attempt }, endpoint);
    const attempt: Attempt = { trialId: request.trialId, endpoint, lease, abort: new AbortController(), stage: "starting" };
    this.current = attempt;
    session.onCancel = (reason) => attempt.abort.abort(new Error(`cancelled by coordinator: ${reason}`));
    const beat = setInterval(() => {
      lease.heartbeat();
      session.heartbeat();
    }, this.config.heartbeatIntervalMs);
    try {
      await this.runLeased(attempt, request, session);
    } catch (err) {
      // Coordinator unreachable for good, or rejected us: let another attempt try later.
      this.deps.log.error("trial attempt abandoned", { trial: request.trialId, error: err instanceof Error ? err.message : String(err) });
      lease.retryLater(RETRY_DELAY_MS);
    } finally {
      clearInterval(beat);
      session.close();
      this.current = undefined;
    }
  }

  /**
   * Runs the attempt; past the time limit the assignment carries (`budget.maxWallMs`, 0 =
   * none), aborts it and returns it failed, timed out, non-retryable. The executor stops the
   * trial at its next step or ends its training thread (trial-thread.ts); the worker waits
   * for that at most {@link TIMEOUT_STOP_WAIT_MS}.
   */
  private async runWithinLimit(request: TrialRequest, attempt: Attempt, session: ReportSession): Promise<TrialOutcome> {
    const run = this.deps.executor.run(request, {
      signal: attempt.abort.signal,
      progress: (step, phase, metrics) => session.progress(step, phase, metrics),
      log: (message, fields) => this.deps.log.debug(message, { trial: request.trialId, ...fields }),
    });
    const limitMs = request.budget.maxWallMs;
    if (!(limitMs > 0)) return run;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), limitMs)));
    const first = await Promise.race([run, expired]).finally(() => clearTimeout(timer));
    if (first !== "expired") return first;
    const err = new TrialTimeoutError(`trial timed out after ${formatDuration(limitMs)} (budget.trialTimeout)`);
    this.deps.log.warn("trial timed out; aborting it", { trial: request.trialId, limitMs });
    attempt.abort.abort(err);
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([run, new Promise((resolve) => (wait = setTimeout(resolve, TIMEOUT_STOP_WAIT_MS)))]).finally(() => clearTimeout(wait));
    return { kind: "failed", error: serializeError(err), retryable: false };
  }

  private async runLeased(attempt: Attempt, assigned: TrialRequest, session: ReportSession): Promise<void> {
    const { lease } = attempt;
    const { log } = this.deps;
    // The worker's --backend decides what a task's "auto" means here.
    const request: TrialRequest =
      assigned.task.backend === "auto" && this.config.backend !== "auto" ? { ...assigned, task: { ...assigned.task, backend: this.config.backend } } : assigned;
    // A backend that cannot run here is this attempt's failure, reported like any other.
    const selection = await this.deps.executor.backend(request.task.backend, (msg, fields) => log.info(msg, fields)).then(
      (backend) => ({ backend, error: undefined }),
      (error: unknown) => ({ backend: request.task.backend, error }),
    );
    const backend = selection.backend;
    let helloTimer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      session.hello(this.config.workerId, backend, WORKER_VERSION),
      new Promise<never>((_, reject) => {
        helloTimer = setTimeout(() => reject(new UnreachableError(`coordinator did not answer hello within ${HELLO_TIMEOUT_MS} ms`)), HELLO_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(helloTimer));
    if (answer === "cancel") {
      log.info("coordinator cancelled the trial; terminating its message", { trial: request.trialId, reason: session.cancelledReason });
      lease.reject();
      return;
    }
    log.info("trial started", { trial: request.trialId, attempt: request.attempt, backend });
    attempt.stage = "training";
    const outcome: TrialOutcome =
      selection.error !== undefined
        ? { kind: "failed", error: serializeError(selection.error), retryable: isRetryable(selection.error) }
        : await this.runWithinLimit(request, attempt, session);
    attempt.stage = "reporting";
    switch (outcome.kind) {
      case "completed":
        await session.finish({
          $case: "result",
          value: {
            metrics: { ...outcome.metrics },
            detailsJson: JSON.stringify(outcome.details),
            wallMs: outcome.wallMs,
            stoppedEarly: outcome.stoppedEarly,
            lastStep: outcome.lastStep,
          },
        });
        await lease.ack();
        log.info("trial finished", { trial: request.trialId, stoppedEarly: outcome.stoppedEarly, metrics: outcome.metrics });
        return;
      case "failed":
        await session.finish({
          $case: "failure",
          value: { errorName: outcome.error.name, message: outcome.error.message, retryable: outcome.retryable },
        });
        if (outcome.retryable) lease.retryLater(RETRY_DELAY_MS);
        else lease.reject();
        log.warn("trial failed", { trial: request.trialId, retryable: outcome.retryable, error: outcome.error.message });
        return;
      case "aborted":
        if (session.cancelledReason !== undefined) {
          lease.reject();
        } else {
          lease.retryLater(0);
          log.info("trial aborted; redelivering", { trial: request.trialId, reason: outcome.reason });
        }
        return;
    }
  }
}

/** `90 s`, `500 ms`, `2.5 min`: a time limit as the message shows it. */
function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Number((ms / 1_000).toFixed(3))} s`;
  return `${Number((ms / 60_000).toFixed(2))} min`;
}
