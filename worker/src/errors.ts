/**
 * Worker error classes and the single retryability table.
 *
 * Errors cross process boundaries by `name` (never `instanceof`), so {@link isRetryable}
 * decides from the name alone: a redelivered trial on another worker would fail the same way
 * for every name in {@link NON_RETRYABLE_ERRORS}, so those are reported as final failures
 * (`term`); everything else (I/O hiccups, out-of-memory, bugs that may be transient) is
 * retryable (`nak`).
 */

/** Serialized error: crosses process boundaries by name, never by instanceof. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
}

/** Base class of every error the worker throws on purpose. `name` is the subclass name. */
export class WorkerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** NATS cannot hold what the worker's settings ask for (--nats-replicas above the cluster's size). */
export class NatsSetupError extends WorkerError {}

/** A dataset could not be found, read or parsed (missing file, bad magic, truncated data). */
export class DatasetError extends WorkerError {}

/** The task asks for a model name that no builder is registered for. */
export class UnknownModelError extends WorkerError {
  constructor(
    readonly model: string,
    readonly validNames: readonly string[],
  ) {
    super(`unknown model "${model}"; valid models: ${validNames.join(", ")}`);
  }
}

/** The trial asks for a pruning method that is not registered on this worker. */
export class UnknownPruningMethodError extends WorkerError {
  constructor(
    readonly method: string,
    readonly validNames: readonly string[],
  ) {
    super(`unknown pruning method "${method}" (parameter "method"); valid methods: ${validNames.join(", ")}`);
  }
}

/** A trial parameter is unknown, of the wrong type or out of range. `param` names it. */
export class InvalidParameterError extends WorkerError {
  constructor(
    readonly param: string,
    detail: string,
  ) {
    super(`invalid parameter "${param}": ${detail}`);
  }
}

/** The task (dataset split, model options, pretrain config, exits) is invalid. */
export class InvalidTaskError extends WorkerError {}

/** Training produced a NaN or infinite loss (diverged); rerunning would diverge again. */
export class NonFiniteLossError extends WorkerError {}

/**
 * A requested tfjs backend is not installed on this worker. Retryable on purpose: another
 * worker of a mixed fleet may have it.
 */
export class BackendUnavailableError extends WorkerError {}

/**
 * `backend: webgpu` was asked for and this worker has no usable WebGPU adapter (or lacks the
 * `webgpu` / `@tensorflow/tfjs-backend-webgpu` packages). Not retryable: the message names
 * what is missing, and a GPU task redelivered to the same GPU-less pool would only repeat it.
 */
export class WebGpuUnavailableError extends BackendUnavailableError {}

/** Stored weights do not fit the model (names or shapes differ), or an artifact is corrupt. */
export class WeightsMismatchError extends WorkerError {}

/**
 * Control flow, not a failure: the trial's AbortSignal fired. {@link runTrial} turns it into
 * `{ kind: "aborted" }`.
 */
export class TrialAbortedError extends WorkerError {}

/** The coordinator refused a report for good (unknown trial, bad token). `code`: the gRPC status. */
export class ReportRejectedError extends WorkerError {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

/** A report session was closed while reports were still waiting for an acknowledgement. */
export class ReportSessionClosedError extends WorkerError {}

/** NATS or the coordinator could not be reached in time. */
export class UnreachableError extends WorkerError {}

/** A message on the trial subject is not a valid assignment (terminated, never retried). */
export class InvalidAssignmentError extends WorkerError {}

/** A lifecycle call in a state that does not allow it (e.g. `run()` twice). */
export class IllegalStateError extends WorkerError {}

/**
 * Shutdown did not finish within `shutdownDeadlineMs` (a final report to an unreachable
 * coordinator, a trial that ignores its abort): the worker exits anyway, with a non-zero status.
 */
export class ShutdownTimeoutError extends WorkerError {}

/**
 * The attempt ran past its time limit (`budget.trialTimeout`, sent as `budget.maxWallMs`):
 * aborted and failed for good, since another attempt would take as long.
 */
export class TrialTimeoutError extends WorkerError {}

/**
 * Names of the errors that must not be retried: the same assignment would fail the same way
 * on any worker.
 */
const NON_RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  "DatasetError",
  "UnknownModelError",
  "UnknownPruningMethodError",
  "InvalidParameterError",
  "InvalidTaskError",
  "NonFiniteLossError",
  "WebGpuUnavailableError",
  "TrialTimeoutError",
]);

/**
 * Whether a failed trial attempt may be retried (redelivered). Decided by the error's `name`
 * so that it also works for errors serialized in another process.
 * Unknown errors are retryable.
 */
export function isRetryable(err: unknown): boolean {
  const name = err instanceof Error ? err.name : typeof err === "object" && err !== null ? (err as { name?: unknown }).name : undefined;
  return typeof name !== "string" || !NON_RETRYABLE_ERRORS.has(name);
}

/** Converts anything thrown into the `{ name, message }` form that crosses process boundaries. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: "Error", message: String(err) };
}

/** Throws {@link TrialAbortedError} when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    const text = reason instanceof Error ? reason.message : reason === undefined ? "aborted" : String(reason);
    throw new TrialAbortedError(text);
  }
}
