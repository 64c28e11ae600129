import {
  Direction,
  TrialState as ProtoTrialState,
  toParamMap,
  type Campaign,
  type DatasetSpec,
  type ParamValue,
  type TaskSpec,
  type Trial,
  type TrialAssignment,
} from "@prunesweep/proto";
import type { DispatchRequest } from "../campaign/dispatcher.js";
import type { ReadonlyCampaign } from "../campaign/readonly-campaign.js";
import type { ObjectiveSpec } from "../domain/objectives.js";
import type { Params, TrialSnapshot, TrialState } from "../domain/trial.js";
import type { CampaignSpec, DatasetSource, TaskConfig } from "../domain/campaign-spec.js";

/** The only place where generated proto types meet the coordinator's domain types. */

/** The wire form of a dataset source. */
function datasetToProto(d: DatasetSource): DatasetSpec {
  switch (d.kind) {
    case "builtin":
      return { source: { $case: "builtin", value: d.name } };
    case "idx":
      return { source: { $case: "idx", value: { images: d.images, labels: d.labels } } };
    case "cifar10":
      return { source: { $case: "cifar10Dir", value: d.dir } };
    case "synthetic":
      return { source: { $case: "synthetic", value: { samples: d.samples, features: d.features, classes: d.classes } } };
    case "images":
      return { source: { $case: "images", value: { dir: d.dir, size: d.size ? [...d.size] : [], channels: d.channels ?? 0 } } };
    case "npy":
      return { source: { $case: "npy", value: { x: d.x, y: d.y } } };
    case "npz":
      return { source: { $case: "npz", value: { file: d.file, x: d.x, y: d.y } } };
    case "csv":
      return { source: { $case: "csv", value: { file: d.file, label: d.label } } };
  }
}

function taskToProto(task: TaskConfig, seed: number): TaskSpec {
  const dataset = datasetToProto(task.dataset);
  const n = task.normalize;
  return {
    dataset,
    split: { ...task.split },
    model: task.model,
    modelOptionsJson: JSON.stringify(task.modelOptions),
    exits: { positions: [...task.exits.positions], every: task.exits.every },
    pretrain: { ...task.pretrain },
    backend: task.backend,
    seed,
    maxTrainExamples: task.maxTrainExamples,
    artifacts: task.artifacts?.keep ?? "",
    artifactsMaxBytes: task.artifacts?.maxBytes ?? 0,
    ...(task.datasetFiles && { datasetFiles: { cwd: task.datasetFiles.cwd, root: task.datasetFiles.root, blobs: task.datasetFiles.blobs.map((b) => ({ ...b })) } }),
    ...(task.modelFile && { modelFile: { path: task.modelFile.path, blobs: (task.modelFile.blobs ?? []).map((b) => ({ ...b })) } }),
    ...(task.test && { test: datasetToProto(task.test) }),
    ...(n && { normalize: { ...(n.scale !== undefined && { scale: n.scale }), mean: [...n.mean], std: [...n.std] } }),
  };
}

export function objectivesToProto(objectives: readonly ObjectiveSpec[]): { metric: string; direction: Direction }[] {
  return objectives.map((o) => ({
    metric: o.metric,
    direction: o.direction === "maximize" ? Direction.DIRECTION_MAXIMIZE : Direction.DIRECTION_MINIMIZE,
  }));
}

/** Integer-typed parameters of the spec, so they travel as int64. */
function intParams(spec: CampaignSpec): Set<string> {
  return new Set(
    spec.space
      .filter((p) => p.distribution.type === "int" || (p.distribution.type === "fixed" && Number.isInteger(p.distribution.value)))
      .map((p) => p.name),
  );
}

function paramsToProto(params: Params, spec: CampaignSpec): Record<string, ParamValue> {
  return toParamMap(params, intParams(spec));
}

export function assignmentFromRequest(r: DispatchRequest, coordinatorEndpoint: string): TrialAssignment {
  return {
    campaignId: r.campaignId,
    trialId: r.trialId,
    attempt: 1,
    params: paramsToProto(r.params, r.spec),
    task: taskToProto(r.spec.task, r.spec.seed),
    budget: { maxSteps: r.spec.budget.maxSteps, maxWallMs: r.spec.budget.trialTimeoutMs, checkpointEvery: r.spec.budget.checkpointEvery },
    coordinatorEndpoint,
    objectives: objectivesToProto(r.spec.objectives),
  };
}

const STATE_TO_PROTO: Record<TrialState, ProtoTrialState> = {
  waiting: ProtoTrialState.TRIAL_STATE_WAITING,
  running: ProtoTrialState.TRIAL_STATE_RUNNING,
  completed: ProtoTrialState.TRIAL_STATE_COMPLETED,
  stopped_early: ProtoTrialState.TRIAL_STATE_STOPPED_EARLY,
  failed: ProtoTrialState.TRIAL_STATE_FAILED,
  cancelled: ProtoTrialState.TRIAL_STATE_CANCELLED,
};

const PROTO_TO_STATE = new Map<ProtoTrialState, TrialState>(
  Object.entries(STATE_TO_PROTO).map(([k, v]) => [v, k as TrialState]),
);

export function trialStateFromProto(s: ProtoTrialState): TrialState {
  return PROTO_TO_STATE.get(s) ?? "waiting";
}

export function trialToProto(t: TrialSnapshot, spec: CampaignSpec): Trial {
  return {
    id: t.id,
    number: t.number,
    state: STATE_TO_PROTO[t.state],
    params: paramsToProto(t.params, spec),
    metrics: { ...t.metrics },
    attempts: t.attempts,
    error: t.error ?? "",
    detailsJson: t.details === undefined ? "" : JSON.stringify(t.details),
    wallMs: t.wallMs ?? 0,
    createdAtMs: t.createdAt,
    startedAtMs: t.startedAt ?? 0,
    finishedAtMs: t.finishedAt ?? 0,
    workerId: t.workerId ?? "",
    backend: t.backend ?? "",
    progress: t.progress.map((p) => ({ step: p.step, phase: p.phase, metrics: { ...p.metrics } })),
  };
}

export function campaignToProto(campaign: ReadonlyCampaign, hypervolume: number): Campaign {
  const c = campaign.counts();
  const spec = campaign.spec;
  return {
    id: campaign.id,
    name: spec.name,
    state: campaign.status,
    objectives: objectivesToProto(spec.objectives),
    counts: {
      waiting: c.waiting,
      running: c.running,
      completed: c.completed,
      stoppedEarly: c.stopped_early,
      failed: c.failed,
      cancelled: c.cancelled,
    },
    specYaml: campaign.specYaml,
    hypervolume,
    maxTrials: spec.budget.maxTrials,
  };
}
