/** Where a worker's trials train: in this thread, or in a long-lived worker_thread. */
import type { CheckpointStore } from "./artifacts/checkpoint-store.js";
import type { BlobCache } from "./artifacts/blob-cache.js";
import type { PretrainedStore } from "./artifacts/pretrained-store.js";
import type { SelectionLog } from "./backend/select-backend.js";
import type { TrialHooks, TrialOutcome, TrialRequest } from "./trial/types.js";
import type { TrialThread } from "./trial-thread/trial-thread.js";

/**
 * Runs trial attempts, one at a time. `run` never throws: failures come back as outcomes, and
 * an aborted `hooks.signal` ends the attempt at its next step boundary as `aborted`.
 */
export interface TrialExecutor {
  /**
   * The tfjs backend a trial asking for `requested` gets here (named in the hello report); the
   * first selection per preference is reported to `log` as one line.
   * @throws BackendUnavailableError when an explicit backend cannot run here.
   */
  backend(requested: TrialRequest["task"]["backend"], log?: SelectionLog): Promise<string>;
  run(request: TrialRequest, hooks: TrialHooks): Promise<TrialOutcome>;
  /** Releases the executor (stops a training thread). */
  close(): Promise<void>;
}

/** Optional stores a trial may use: checkpoints, and the blob cache (imported models). */
export interface TrialStores {
  readonly checkpoints?: CheckpointStore;
  readonly blobs?: BlobCache;
}

/**
 * Trains in this thread (tests, benchmarks, `PRUNESWEEP_TRAIN_IN_THREAD=0`). TensorFlow.js and
 * the trial code are imported at the first call, so that a worker training in a thread never
 * loads them in its main thread.
 */
export function inProcessExecutor(pretrained: PretrainedStore, stores: TrialStores = {}): TrialExecutor {
  return {
    backend: async (requested, log) => (await (await import("./backend/select-backend.js")).selectBackend(requested, log)).backend,
    run: async (request, hooks) => (await import("./trial/run-trial.js")).runTrial(request, hooks, { pretrained, ...stores }),
    close: () => Promise.resolve(),
  };
}

/**
 * Trains in `thread`, so heartbeats and keepalives never wait for a kernel; the backend is
 * selected there too ({@link TrialThread.backend}).
 */
export function threadExecutor(thread: TrialThread, pretrained: PretrainedStore, stores: TrialStores = {}): TrialExecutor {
  return {
    backend: (requested, log) => thread.backend(requested, log),
    run: (request, hooks) => thread.run(request, hooks, { pretrained, ...stores }),
    close: () => thread.close(),
  };
}
