export { Worker, WORKER_VERSION } from "./worker.js";
export type { WorkerState } from "./worker.js";
export { workerMain, WORKER_USAGE } from "./main.js";
export { loadWorkerConfig, DEFAULT_WORKER_CONFIG } from "./config.js";
export type { WorkerConfig, WorkerFlags } from "./config.js";
export { decodeAssignment, InvalidAssignmentError, MAX_ASSIGNMENT_BYTES } from "./transport/convert.js";
export { runTrial } from "./trial/run-trial.js";
export type { TrialRequest, TrialHooks, TrialOutcome, WorkerTask, DatasetSource } from "./trial/types.js";
