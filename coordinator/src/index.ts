export { Coordinator, newCampaignId } from "./coordinator.js";
export type { CoordinatorDeps } from "./coordinator.js";
export { CampaignRunner } from "./campaign/campaign-runner.js";
export type { RunnerDeps, HelloAnswer, ResultReport, FailureReport } from "./campaign/campaign-runner.js";
export { CampaignState, assertTransition } from "./campaign/state.js";
export type { CampaignStatus } from "./campaign/state.js";
export type { TrialDispatcher, DispatchRequest } from "./campaign/dispatcher.js";
export { summarizeFront } from "./campaign/front.js";
export { frontCandidates, paretoFront, referencePoint } from "./domain/front.js";
export { parseCampaignSpec, validateCampaignSpec, isFeasible } from "./spec/index.js";
export { createSampler } from "./samplers/index.js";
export { dominates, paretoFrontMask, nonDominatedRanks, crowdingDistance, hypervolume, hypervolumeHistory, kneePoint } from "./pareto/index.js";
export { JetStreamCampaignStore } from "./transport/jetstream-store.js";
export type { FrontSummary } from "./campaign/front.js";
export type { CampaignEvent, CampaignEventType } from "./domain/events.js";
export { isFinished, TRIAL_STATES } from "./domain/trial.js";
export type { TrialState, TrialSnapshot, Params, Metrics, ProgressPoint } from "./domain/trial.js";
export { toLossVector } from "./domain/objectives.js";
export type { ObjectiveSpec, Direction } from "./domain/objectives.js";
export {
  SweepError,
  SpecError,
  CampaignNotFoundError,
  TrialNotFoundError,
  TrialAlreadyFinishedError,
  InvalidSearchSpaceError,
  UnreachableError,
} from "./errors.js";
export type { SpecIssue } from "./errors.js";
export { InMemoryCampaignStore } from "./store/campaign-store.js";
export type { CampaignStore } from "./store/campaign-store.js";
export { NatsTrialDispatcher, ensureTrialQueue, DEFAULT_TRIAL_QUEUE_OPTIONS } from "./transport/nats-dispatcher.js";
export type { TrialQueueOptions } from "./transport/nats-dispatcher.js";
export { connectNats } from "./transport/nats-connection.js";
export type { NatsOptions } from "./transport/nats-connection.js";
export { startGrpcServer } from "./transport/grpc-server.js";
export type { GrpcServerOptions, RunningGrpcServer } from "./transport/grpc-server.js";
export { startNatsServer, findNatsServer, freePort, NatsServerNotFoundError } from "./cli/nats-server.js";
export type { LocalNatsServer, NatsServerOptions } from "./cli/nats-server.js";
export { runLocal } from "./cli/run-local.js";
export type { RunLocalOptions, WorkerCommand } from "./cli/run-local.js";
export { buildResults, writeResults, trialsCsv, paretoTable } from "./cli/results.js";
export type { ResultsFile } from "./cli/results.js";
export { Rng, seedFrom } from "./domain/rng.js";
export type { Sampler, Suggestion, CampaignView } from "./samplers/sampler.js";
export type { CampaignSpec, TaskConfig, ParamSpec, ParamDistribution, MetricConstraint, ParamConstraint, BudgetConfig } from "./domain/campaign-spec.js";
export { createLogger, silentLogger } from "./logger.js";
export type { Logger, LogLevel } from "./logger.js";
export { loadCoordinatorConfig, ConfigError, DEFAULT_COORDINATOR_PORT, DEFAULT_HTTP_PORT } from "./config.js";
export type { CoordinatorConfig, CoordinatorFlags } from "./config.js";
export { startCoordinatorService } from "./service.js";
export type { CoordinatorService } from "./service.js";
export { bearerTokenAuthorizer, serverCredentials } from "./transport/grpc-security.js";
export { startHttpServer } from "./http/http-server.js";
export { GrpcCampaignsClient, CoordinatorCallError } from "./transport/campaigns-client.js";
export { loadResultsFile, ResultsFileError } from "./report/campaign-data.js";
export { writeReport, buildReport } from "./report/html-report.js";
export { exportCampaign } from "./report/exports.js";
export { extractPareto } from "./report/pareto-extract.js";
export { toOptunaJournal, replayOptunaJournal, OptunaJournalError } from "./report/optuna-journal.js";
