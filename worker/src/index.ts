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
export { InMemoryCheckpointStore, type CheckpointStore } from "./artifacts/checkpoint-store.js";
export { NatsCheckpointStore, CHECKPOINT_TTL_MS } from "./transport/nats-checkpoint-store.js";
export type { NatsCheckpointStoreOptions } from "./transport/nats-checkpoint-store.js";
export type { NatsArtifactStoreOptions } from "./transport/nats-artifact-store.js";
export { NatsTrialSource, connectWorkerNats } from "./transport/nats-trial-source.js";
export type { WorkerNatsOptions } from "./transport/nats-trial-source.js";
export { GrpcReportChannel } from "./transport/report-client.js";
export type { GrpcReportChannelOptions } from "./transport/report-client.js";
export { ReportOutbox } from "./transport/report-outbox.js";
export type { ReportOutboxOptions, OpenReportStream, ReportStream, ReportStreamEvents, StreamBreak } from "./transport/report-outbox.js";
export { TrialThread } from "./trial-thread/trial-thread.js";
export { selectBackend, describeTiers, AUTO_TIERS } from "./backend/select-backend.js";
export type { BackendPreference, SelectedBackend, TierAttempt, SelectionLog } from "./backend/select-backend.js";
export { probeWebGpu, vulkanDiagnosis, listVulkanIcds, findLibVulkan, VULKAN_ICD_DIRS } from "./backend/webgpu.js";
export type { WebGpuAdapter } from "./backend/webgpu.js";
export { loadGpuEnvironment } from "./config.js";
export type { GpuEnvironment } from "./config.js";
// Training primitives, for benchmarks (bench/gpu) that time the worker's own training loop.
export { buildModel } from "./models/registry.js";
export { loadDataset } from "./data/load-dataset.js";
export { splitOf } from "./data/types.js";
export { Rng } from "./data/rng.js";
export { trainEpoch } from "./training/train.js";
export { createOptimizer } from "./training/optimizers.js";
export { evaluateAccuracy } from "./metrics/accuracy.js";
export { ensureWasmConvTraining } from "./backend/wasm-conv-grad.js";
// The system BLAS behind the wasm-blas tier, for bench/compute's sgemm peak.
export { loadBlas } from "./backend/blas/library.js";
export type { BlasLibrary } from "./backend/blas/library.js";
