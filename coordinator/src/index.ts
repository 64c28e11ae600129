/**
 * The coordinator as a library: campaigns, their transports and their results. The
 * `prunesweep` command line lives behind its own entry, `@prunesweep/coordinator/cli`.
 */
export { Coordinator } from "./coordinator.js";
export type { CoordinatorDeps } from "./coordinator.js";
export type { ReadonlyCampaign } from "./campaign/readonly-campaign.js";
export type { WorkerReports, HelloAnswer, ResultReport, FailureReport } from "./campaign/worker-reports.js";
export { CampaignState } from "./campaign/state.js";
export type { CampaignStatus } from "./campaign/state.js";
export type { TrialDispatcher, DispatchRequest } from "./campaign/dispatcher.js";
export { InMemoryCampaignStore } from "./store/campaign-store.js";
export type { CampaignStore } from "./store/campaign-store.js";
export type { CampaignEvent, CampaignEventType } from "./domain/events.js";
export { isFinished, TRIAL_STATES } from "./domain/trial.js";
export type { TrialState, TrialSnapshot, Params, Metrics, ProgressPoint } from "./domain/trial.js";
export type { ObjectiveSpec, Direction } from "./domain/objectives.js";
export { Rng, seedFrom } from "./domain/rng.js";
export type { CampaignSpec, TaskConfig, ParamSpec, ParamDistribution, MetricConstraint, ParamConstraint, BudgetConfig } from "./domain/campaign-spec.js";
export { parseCampaignSpec, validateCampaignSpec, isFeasible } from "./spec/index.js";
export { createSampler } from "./samplers/index.js";
export type { Sampler, Suggestion, SamplerView } from "./samplers/sampler.js";
export { dominates, paretoFrontMask, nonDominatedRanks, crowdingDistance, hypervolume, hypervolumeHistory, kneePoint } from "./pareto/index.js";
export { summaryOf, CampaignSummary } from "./results/campaign-summary.js";
export type { CampaignDefinition } from "./results/campaign-summary.js";
export type { FrontSummary } from "./results/front.js";
export { buildResultsFile, loadResultsFile, resultsSummary, ResultsFileError } from "./results/results-file.js";
export type { ResultsFile, ResultsTrial } from "./results/results-file.js";
export { writeReport, buildReport } from "./report/html-report.js";
export { exportCampaign } from "./report/exports.js";
export { extractPareto } from "./report/pareto-extract.js";
export { toOptunaJournal, replayOptunaJournal, OptunaJournalError } from "./report/optuna-journal.js";
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
export { createLogger, silentLogger } from "./logger.js";
export type { Logger, LogLevel } from "./logger.js";
export { loadCoordinatorConfig, ConfigError, DEFAULT_TRIAL_QUEUE_OPTIONS } from "./config.js";
export type { CoordinatorConfig, CoordinatorFlags, TrialQueueOptions } from "./config.js";
export { startCoordinatorService } from "./service.js";
export type { CoordinatorService } from "./service.js";
export { JetStreamCampaignStore } from "./transport/jetstream-store.js";
export { NatsTrialDispatcher } from "./transport/nats-dispatcher.js";
export { connectNats } from "./transport/nats-connection.js";
export type { NatsOptions } from "./transport/nats-connection.js";
export { startGrpcServer } from "./transport/grpc-server.js";
export type { GrpcServerOptions, RunningGrpcServer } from "./transport/grpc-server.js";
export { bearerTokenAuthorizer, serverCredentials } from "./transport/grpc-security.js";
export { startHttpServer } from "./http/http-server.js";
export type { RunningHttpServer, HttpServerOptions } from "./http/http-server.js";
export { GrpcCampaignsClient, CoordinatorCallError } from "./transport/campaigns-client.js";
