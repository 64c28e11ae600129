export { Worker, WORKER_VERSION } from "./worker.js";
export type { WorkerDeps } from "./worker.js";
export type { WorkerState } from "./lifecycle.js";
export type { TrialSource, TrialLease } from "./trial-source.js";
export type { ReportChannel, ReportSession, AttemptIds, FinalReport } from "./report-channel.js";
export { inProcessExecutor, threadExecutor } from "./trial-executor.js";
export type { TrialExecutor } from "./trial-executor.js";
export { workerMain, WORKER_USAGE } from "./main.js";
export { loadWorkerConfig, DEFAULT_WORKER_CONFIG } from "./config.js";
export type { WorkerConfig, WorkerFlags } from "./config.js";
export {
  WorkerError,
  InvalidAssignmentError,
  ReportRejectedError,
  ReportSessionClosedError,
  ShutdownTimeoutError,
  IllegalStateError,
  UnreachableError,
} from "./errors.js";
export { decodeAssignment, MAX_ASSIGNMENT_BYTES } from "./transport/convert.js";
export { runTrial } from "./trial/run-trial.js";
export type { TrialRequest, TrialHooks, TrialOutcome, WorkerTask, DatasetSource } from "./trial/types.js";
export { CachedPretrainedStore, InMemoryPretrainedStore, encodeWeights, decodeWeights } from "./artifacts/index.js";
export { pretrainKey } from "./trial/pretrain-key.js";
export type { PretrainedStore, PretrainedResult, PretrainedSource, GetOrCreateOptions, SerializedWeights } from "./artifacts/index.js";
export { NatsPretrainedStore, DEFAULT_ARTIFACT_STORE_OPTIONS } from "./transport/nats-artifact-store.js";
export type { NatsArtifactStoreOptions } from "./transport/nats-artifact-store.js";
export { PRUNING_METHOD_NAMES } from "./pruning/registry.js";
export { NatsTrialSource, connectWorkerNats } from "./transport/nats-trial-source.js";
export type { WorkerNatsOptions } from "./transport/nats-trial-source.js";
export { GrpcReportChannel } from "./transport/report-client.js";
export type { GrpcReportChannelOptions } from "./transport/report-client.js";
export { ReportOutbox } from "./transport/report-outbox.js";
export type { ReportOutboxOptions, OpenReportStream, ReportStream, ReportStreamEvents, StreamBreak } from "./transport/report-outbox.js";
export { TrialThread } from "./trial-thread/trial-thread.js";
