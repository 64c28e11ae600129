export {
  ParamValue,
  Direction,
  Objective,
  TrialState,
} from "./gen/prunesweep/v1/common.js";
export {
  TrialAssignment,
  TaskSpec,
  DatasetSpec,
  DataSplit,
  PretrainConfig,
  ExitsSpec,
  TrialBudget,
  IdxDataset,
  SyntheticDataset,
} from "./gen/prunesweep/v1/assignment.js";
export {
  TrialReportService,
  TrialReportClient,
  WorkerMessage,
  CoordinatorMessage,
  Hello,
  Progress,
  Heartbeat,
  Result,
  Failure,
  Ack,
  Decision,
  DecisionKind,
  Cancel,
} from "./gen/prunesweep/v1/trial_report.js";
export type { TrialReportServer } from "./gen/prunesweep/v1/trial_report.js";
export {
  CampaignsService,
  CampaignsClient,
  Campaign,
  Trial,
  TrialProgressPoint,
  TrialCounts,
  SubmitCampaignRequest,
  GetCampaignRequest,
  ListCampaignsRequest,
  ListCampaignsResponse,
  ListTrialsRequest,
  ListTrialsResponse,
  GetParetoFrontRequest,
  ParetoFront,
  CancelCampaignRequest,
} from "./gen/prunesweep/v1/campaigns.js";
export type { CampaignsServer } from "./gen/prunesweep/v1/campaigns.js";
export {
  TRIALS_STREAM,
  TRIALS_SUBJECT_PREFIX,
  TRIALS_CONSUMER,
  EVENTS_STREAM,
  EVENTS_SUBJECT_PREFIX,
  CAMPAIGNS_BUCKET,
  ARTIFACTS_BUCKET,
  SNAPSHOTS_BUCKET,
  ARTIFACT_CLAIMS_BUCKET,
  CHECKPOINTS_BUCKET,
  BLOBS_BUCKET,
  trialSubject,
  eventSubject,
  maxDeliveriesAdvisory,
} from "./subjects.js";
export { toParamValue, fromParamValue, fromParamMap, toParamMap } from "./params.js";
export type { PlainParam } from "./params.js";
export { boundViolation, ruleViolation, withDefaults } from "./catalogue/param-rules.js";
export type { ParamRule, ParamRelation, RuleViolation, RuleValue, ParamValues } from "./catalogue/param-rules.js";
export {
  COMMON_PARAMS,
  DEFAULT_METHOD,
  METHOD_CATALOG,
  METHOD_NAMES,
  findMethod,
  findParamRule,
  isMethodName,
  methodEntry,
  relationViolation,
} from "./catalogue/methods.js";
export type { MethodCatalogEntry, MethodEntry, MethodName } from "./catalogue/methods.js";
export {
  DEFAULT_MAX_ACCURACY_DROP,
  DEFAULT_TAU_GRID_ENTROPY,
  DEFAULT_TAU_GRID_MAX_SOFTMAX,
  EXIT_CRITERIA,
  IMPORTED_MODEL,
  MODEL_CATALOG,
  MODEL_NAMES,
  exitOptionsSchema,
  exitOptionsShape,
  findModel,
  modelOptionsSchema,
} from "./catalogue/models.js";
export type { ExitOptions, ModelCatalogEntry, ModelEntry, ModelInput, ModelName, ModelOptions, ModelStructure } from "./catalogue/models.js";
export { LATENCY_BATCH_SIZES, METRIC_CATALOG, findMetric } from "./catalogue/metrics.js";
export type { MetricCatalogEntry, MetricDirection, MetricWhen } from "./catalogue/metrics.js";
export { OPTIMIZER_NAMES, SCHEDULE_NAMES } from "./catalogue/recipe.js";
export type { OptimizerName, ScheduleName } from "./catalogue/recipe.js";
export { ARTIFACT_KEEP, BACKEND_NAMES, PRETRAIN_OPTIMIZERS, TASK_DEFAULTS, hasOwnTestSet, isBackendName } from "./catalogue/task.js";
export type { ArtifactsConfig, BackendName, BlobRef, DatasetFilesRef, ModelFileRef, TaskConfig } from "./catalogue/task.js";
export { createLogger, silentLogger } from "./logger.js";
export type { Logger, LogLevel } from "./logger.js";
export type { DatasetSource, ImagesSource, NatsOptions, Normalization, TestDatasetSource } from "./shared-types.js";
export { DEFAULT_NATS_REPLICAS, DEFAULT_NATS_URL, createWithReplicas, natsOptionsFrom, natsReplicasFrom, natsServers, replicasRefusal, useNativeObjectStoreDigests } from "./nats-settings.js";
export type { NatsFlags } from "./nats-settings.js";
export { CIFAR10_FILES, CIFAR10_RECORD_BYTES, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, datasetFileProblems } from "./dataset-files.js";
export type { DatasetFileProblem } from "./dataset-files.js";
export {
  ModelImportError,
  SUPPORTED_ACTIVATIONS,
  SUPPORTED_LAYER_CLASSES,
  exitPositionOf,
  planFilterGroups,
  planKernels,
  planLayers,
  readModelTopology,
} from "./catalogue/tfjs-topology.js";
export type { ModelPlan, PlanActivation, PlanBlock, PlanFilterGroup, PlanLayer, PlanLayerConfig, PlanNode, PlanShardGroup, PlanWeight } from "./catalogue/tfjs-topology.js";
export { loadModelFiles } from "./catalogue/tfjs-files.js";
export type { ImportedModelFiles } from "./catalogue/tfjs-files.js";
export { NatsBlobStore, blobRefsOf, readBlobFiles, sha256Hex } from "./blob-store.js";
export type { BlobFile, BlobStoreOptions } from "./blob-store.js";
