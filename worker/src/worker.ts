import { credentials, type ChannelCredentials } from "@grpc/grpc-js";
import { readFileSync } from "node:fs";
import type { Logger } from "@prunesweep/proto";
import type { WorkerConfig } from "./config.js";
import type { PretrainedStore } from "./artifacts/index.js";
import { selectBackend } from "./backend/select-backend.js";
import { isRetryable, serializeError } from "./errors.js";
import { runTrial } from "./trial/run-trial.js";
import { TrialThread } from "./trial-thread/trial-thread.js";
import type { TrialOutcome, TrialRequest } from "./trial/types.js";
import { decodeAssignment } from "./transport/convert.js";
import type { NatsTrialSource, TrialLease } from "./transport/nats-trial-source.js";
import { ReportClientPool, ReportSession } from "./transport/report-client.js";

export const WORKER_VERSION = "0.1.0";

/** Lifecycle of a worker (explicit state machine). */
export type WorkerState = "initialized" | "running" | "draining" | "stopped" | "failed";

/** Delay before a retryable failure is redelivered. */
const RETRY_DELAY_MS = 2_000;
/** A coordinator that does not answer hello within this time: give the assignment back. */
const HELLO_TIMEOUT_MS = 120_000;

/**
 * Pulls one assignment at a time and runs it: hello → train (with progress and heartbeats)
 * → final report → JetStream ack only after the coordinator acknowledged the final report.
 * Holds only the lifecycle and the pull loop; training lives in trial/, transports in
 * transport/.
 */
export class Worker {
  private _state: WorkerState = "initialized";
  private current: AbortController | undefined;
  private stopping: Promise<void> | undefined;
  private loopDone: Promise<void> | undefined;
  private trialsRun = 0;
  private readonly channelCredentials: ChannelCredentials;
  /** Training runs here, off the main event loop, unless `config.trainInThread` is false. */
  private readonly thread: TrialThread | undefined;
  private readonly clients = new ReportClientPool();

  constructor(
    private readonly config: WorkerConfig,
    private readonly source: NatsTrialSource,
    private readonly pretrained: PretrainedStore,
    private readonly log: Logger,
  ) {
    this.channelCredentials = config.tlsCaFile
      ? credentials.createSsl(
          readFileSync(config.tlsCaFile),
          config.tlsKeyFile ? readFileSync(config.tlsKeyFile) : null,
          config.tlsCertFile ? readFileSync(config.tlsCertFile) : null,
        )
      : credentials.createInsecure();
    this.thread = config.trainInThread ? new TrialThread() : undefined;
  }

  get state(): WorkerState {
    return this._state;
  }

  /** Starts the pull loop; resolves when the worker has stopped. */
  run(): Promise<void> {
    if (this._state !== "initialized") throw new Error(`worker cannot run from state ${this._state}`);
    this._state = "running";
    this.loopDone = this.loop().then(
      () => {
        this._state = "stopped";
      },
      (err: unknown) => {
        this._state = "failed";
        throw err;
      },
    );
    return this.loopDone;
  }

  /**
   * Graceful stop: stop pulling; abort the running trial at its next step boundary unless
   * it finishes within `shutdownGraceMs`; the aborted assignment is nak'ed for immediate
   * redelivery. Idempotent: every call returns the same promise.
   */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      if (this._state === "running") this._state = "draining";
      this.source.close();
      const running = this.current;
      if (running) {
        const timer = setTimeout(() => running.abort(new Error("worker shutting down")), this.config.shutdownGraceMs);
        timer.unref();
      }
      await this.loopDone?.catch(() => undefined);
      await this.thread?.close();
      this.clients.close();
      this._state = "stopped";
    })();
    return this.stopping;
  }

  private async loop(): Promise<void> {
    while (this._state === "running") {
      const lease = await this.source.next();
      if (!lease) continue;
      await this.handle(lease);
      this.trialsRun++;
      if (this.config.maxTrials > 0 && this.trialsRun >= this.config.maxTrials) {
        this.log.info("max trials reached; stopping", { trials: this.trialsRun });
        this._state = "draining";
      }
    }
  }

  private async handle(lease: TrialLease): Promise<void> {
    let decoded;
    try {
      decoded = decodeAssignment(lease.data, lease.deliveryCount);
    } catch (err) {
      this.log.error("invalid assignment terminated", { seq: lease.streamSequence, error: String(err) });
      lease.reject();
      return;
    }
    const { request } = decoded;
    const endpoint = this.config.coordinatorOverride ?? decoded.endpoint;
    const session = new ReportSession(
      { campaignId: request.campaignId, trialId: request.trialId, attempt: request.attempt },
      {
        endpoint,
        pool: this.clients,
        credentials: this.channelCredentials,
        log: this.log,
        ...(this.config.authToken !== undefined && { token: this.config.authToken }),
      },
    );
    const abort = new AbortController();
    this.current = abort;
    session.onCancel = (reason) => abort.abort(new Error(`cancelled by coordinator: ${reason}`));
    const beat = setInterval(() => {
      lease.heartbeat();
      session.heartbeat();
    }, this.config.heartbeatIntervalMs);
    try {
      await this.runLeased(lease, request, session, abort);
    } catch (err) {
      // Coordinator unreachable for good, or rejected us: let another attempt try later.
      this.log.error("trial attempt abandoned", { trial: request.trialId, error: err instanceof Error ? err.message : String(err) });
      lease.retryLater(RETRY_DELAY_MS);
    } finally {
      clearInterval(beat);
      session.close();
      this.current = undefined;
    }
  }

  private async runLeased(lease: TrialLease, assigned: TrialRequest, session: ReportSession, abort: AbortController): Promise<void> {
    // The worker's --backend decides what a task's "auto" means here.
    const request: TrialRequest =
      assigned.task.backend === "auto" && this.config.backend !== "auto" ? { ...assigned, task: { ...assigned.task, backend: this.config.backend } } : assigned;
    // A backend that cannot run here is this attempt's failure, reported like any other.
    const selection = await selectBackend(request.task.backend, (msg, fields) => this.log.info(msg, fields)).then(
      (s) => ({ backend: s.backend, error: undefined }),
      (error: unknown) => ({ backend: request.task.backend, error }),
    );
    const backend = selection.backend;
    let helloTimer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([
      session.hello(this.config.workerId, backend, WORKER_VERSION),
      new Promise<never>((_, reject) => {
        helloTimer = setTimeout(() => reject(new Error(`coordinator did not answer hello within ${HELLO_TIMEOUT_MS} ms`)), HELLO_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(helloTimer));
    if (answer === "cancel") {
      this.log.info("coordinator cancelled the trial; terminating its message", { trial: request.trialId, reason: session.cancelledReason });
      lease.reject();
      return;
    }
    this.log.info("trial started", { trial: request.trialId, attempt: request.attempt, backend });
    const hooks = {
      signal: abort.signal,
      progress: (step: number, phase: string, metrics: Readonly<Record<string, number>>) => session.progress(step, phase, metrics),
      log: (message: string, fields?: Readonly<Record<string, unknown>>) => this.log.debug(message, { trial: request.trialId, ...fields }),
    };
    const outcome: TrialOutcome =
      selection.error !== undefined
        ? { kind: "failed", error: serializeError(selection.error), retryable: isRetryable(selection.error) }
        : this.thread
          ? await this.thread.run(request, hooks, { pretrained: this.pretrained })
          : await runTrial(request, hooks, { pretrained: this.pretrained });
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
        this.log.info("trial finished", { trial: request.trialId, stoppedEarly: outcome.stoppedEarly, metrics: outcome.metrics });
        return;
      case "failed":
        await session.finish({
          $case: "failure",
          value: { errorName: outcome.error.name, message: outcome.error.message, retryable: outcome.retryable },
        });
        if (outcome.retryable) lease.retryLater(RETRY_DELAY_MS);
        else lease.reject();
        this.log.warn("trial failed", { trial: request.trialId, retryable: outcome.retryable, error: outcome.error.message });
        return;
      case "aborted":
        if (session.cancelledReason !== undefined) {
          lease.reject();
        } else {
          lease.retryLater(0);
          this.log.info("trial aborted; redelivering", { trial: request.trialId, reason: outcome.reason });
        }
        return;
    }
  }
}
