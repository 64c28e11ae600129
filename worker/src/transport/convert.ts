import { ARTIFACT_KEEP, BACKEND_NAMES, fromParamMap, type ArtifactsConfig, isBackendName, TASK_DEFAULTS, TrialAssignment, type DatasetSpec, type TestDatasetSource } from "@prunesweep/proto";
import { InvalidAssignmentError } from "../errors.js";
import type { DatasetSource, TrialRequest, WorkerTask } from "../trial/types.js";

/** Largest assignment accepted from the queue. */
export const MAX_ASSIGNMENT_BYTES = 1024 * 1024;

/**
 * Decodes and validates a TrialAssignment; the only place the worker meets generated types.
 * @throws InvalidAssignmentError naming what is wrong.
 */
export function decodeAssignment(data: Uint8Array, attempt: number): { request: TrialRequest; endpoint: string } {
  if (data.byteLength > MAX_ASSIGNMENT_BYTES) {
    throw new InvalidAssignmentError(`assignment of ${data.byteLength} bytes exceeds the ${MAX_ASSIGNMENT_BYTES}-byte limit`);
  }
  let a: TrialAssignment;
  try {
    a = TrialAssignment.decode(data);
  } catch (err) {
    throw new InvalidAssignmentError(`not a TrialAssignment: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!a.campaignId || !a.trialId) throw new InvalidAssignmentError("assignment without campaign_id or trial_id");
  if (!a.task) throw new InvalidAssignmentError(`assignment ${a.trialId} has no task`);
  if (!a.coordinatorEndpoint) throw new InvalidAssignmentError(`assignment ${a.trialId} has no coordinator_endpoint`);
  const t = a.task;
  const dataset = datasetFromProto(t.dataset);
  if (!dataset) throw new InvalidAssignmentError(`assignment ${a.trialId} has no dataset`);
  let test: TestDatasetSource | undefined;
  if (t.test) {
    const source = datasetFromProto(t.test);
    if (!source || !isTestSource(source)) {
      throw new InvalidAssignmentError(`assignment ${a.trialId}: the test set must be idx, images, npy, npz or csv data, got ${source?.kind ?? "none"}`);
    }
    test = source;
  }
  let modelOptions: Record<string, unknown> = {};
  if (t.modelOptionsJson) {
    try {
      modelOptions = JSON.parse(t.modelOptionsJson) as Record<string, unknown>;
    } catch {
      throw new InvalidAssignmentError(`assignment ${a.trialId}: model_options_json is not JSON`);
    }
  }
  const backend = t.backend === "" ? TASK_DEFAULTS.backend : t.backend;
  if (!isBackendName(backend)) {
    throw new InvalidAssignmentError(`assignment ${a.trialId}: unknown backend "${backend}"; valid: ${BACKEND_NAMES.join(", ")}`);
  }
  const task: WorkerTask = {
    dataset,
    split: t.split ?? TASK_DEFAULTS.split,
    model: t.model,
    modelOptions,
    exits: { positions: t.exits?.positions ?? [], every: t.exits?.every ?? 0 },
    pretrain: t.pretrain ?? TASK_DEFAULTS.pretrain,
    backend,
    seed: t.seed,
    maxTrainExamples: t.maxTrainExamples,
    artifacts: {
      keep: (ARTIFACT_KEEP as readonly string[]).includes(t.artifacts) ? (t.artifacts as ArtifactsConfig["keep"]) : TASK_DEFAULTS.artifacts.keep,
      maxBytes: t.artifactsMaxBytes > 0 ? t.artifactsMaxBytes : TASK_DEFAULTS.artifacts.maxBytes,
    },
    ...(t.datasetFiles && t.datasetFiles.blobs.length > 0 && { datasetFiles: { cwd: t.datasetFiles.cwd, root: t.datasetFiles.root, blobs: t.datasetFiles.blobs.map((b) => ({ name: b.name, sha256: b.sha256, size: b.size })) } }),
    ...(t.modelFile && { modelFile: { path: t.modelFile.path, blobs: t.modelFile.blobs.map((b) => ({ name: b.name, sha256: b.sha256, size: b.size })) } }),
    ...(test && { test }),
    ...(t.normalize && { normalize: { ...(t.normalize.scale !== undefined && { scale: t.normalize.scale }), mean: t.normalize.mean, std: t.normalize.std } }),
  };
  let params;
  try {
    params = fromParamMap(a.params);
  } catch (err) {
    throw new InvalidAssignmentError(`assignment ${a.trialId}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    request: {
      campaignId: a.campaignId,
      trialId: a.trialId,
      attempt,
      params,
      task,
      budget: { maxSteps: a.budget?.maxSteps ?? 0, maxWallMs: a.budget?.maxWallMs ?? 0, checkpointEvery: a.budget?.checkpointEvery ?? 0 },
    },
    endpoint: a.coordinatorEndpoint,
  };
}

const isTestSource = (s: DatasetSource): s is TestDatasetSource => ["idx", "images", "npy", "npz", "csv"].includes(s.kind);

/** The domain form of a DatasetSpec; undefined when it names no source. */
function datasetFromProto(spec: DatasetSpec | undefined): DatasetSource | undefined {
  const src = spec?.source;
  switch (src?.$case) {
    case "builtin":
      return { kind: "builtin", name: src.value };
    case "idx":
      return { kind: "idx", images: src.value.images, labels: src.value.labels };
    case "cifar10Dir":
      return { kind: "cifar10", dir: src.value };
    case "synthetic":
      return { kind: "synthetic", ...src.value };
    case "images": {
      const { dir, size, channels } = src.value;
      return {
        kind: "images",
        dir,
        ...(size.length === 2 && { size: [size[0] as number, size[1] as number] as const }),
        ...((channels === 1 || channels === 3) && { channels }),
      };
    }
    case "npy":
      return { kind: "npy", x: src.value.x, y: src.value.y };
    case "npz":
      return { kind: "npz", file: src.value.file, x: src.value.x, y: src.value.y };
    case "csv":
      return { kind: "csv", file: src.value.file, label: src.value.label };
    default:
      return undefined;
  }
}
