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
  ARTIFACT_CLAIMS_BUCKET,
  trialSubject,
  eventSubject,
  maxDeliveriesAdvisory,
} from "./subjects.js";
export { toParamValue, fromParamValue, fromParamMap, toParamMap } from "./params.js";
export type { PlainParam } from "./params.js";
export { COMMON_PARAMS, METHOD_CATALOG, METHOD_NAMES, findMethod, findParamRule } from "./methods.js";
export type { ParamRule, MethodCatalogEntry } from "./methods.js";
export { BACKEND_NAMES, isBackendName } from "./backends.js";
export type { BackendName } from "./backends.js";
export { createLogger, silentLogger } from "./logger.js";
export type { Logger, LogLevel } from "./logger.js";
export type { DatasetSource, NatsOptions } from "./shared-types.js";
export { DEFAULT_NATS_REPLICAS, createWithReplicas, natsServers, replicasRefusal } from "./nats-settings.js";
