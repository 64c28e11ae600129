/**
 * Imported models (`task.model: {tfjs: model.json}`) at submission time, before anything is
 * dispatched: reads the topology (not the weights) and checks the shards, resolves exits given
 * by layer name, checks the methods the space samples against what the model offers, uploads
 * the files to the blob store by content hash when a store is given, and rewrites the spec so
 * that the stored spec is self-contained (absolute model.json path, blob refs, exit positions).
 */
import { basename, dirname, resolve } from "node:path";
import {
  DEFAULT_METHOD,
  IMPORTED_MODEL,
  ModelImportError,
  exitPositionOf,
  loadModelFiles,
  planFilterGroups,
  readBlobFiles,
  type BlobFile,
  type BlobRef,
  type ModelPlan,
} from "@prunesweep/proto";
import { stringify } from "yaml";
import type { CampaignSpec, ParamSpec } from "../domain/campaign-spec.js";
import { SpecError, type SpecIssue } from "../errors.js";
import { uploadDataset, type ListDatasetFiles } from "./dataset-upload.js";
import { parseCampaignSpec } from "./parse-spec.js";
import { loadYaml } from "./yaml-source.js";

/** A spec ready for dispatch. */
export interface PreparedSpec {
  readonly spec: CampaignSpec;
  /** The YAML to store and submit (rewritten when the model is imported). */
  readonly specYaml: string;
  /** The imported model's plan. */
  readonly plan?: ModelPlan;
}

/** Uploads a set of files to the blob store; returns their refs. */
export type UploadBlobs = (files: readonly BlobFile[]) => Promise<BlobRef[]>;

/** Values a parameter can take. */
function valuesOf(p: ParamSpec | undefined, fallback: string): readonly unknown[] {
  if (!p) return [fallback];
  const d = p.distribution;
  return d.type === "fixed" ? [d.value] : d.type === "categorical" ? d.values : [];
}

/** What the sampled methods need that the model does not have. */
function methodIssues(spec: CampaignSpec, plan: ModelPlan, file: string): SpecIssue[] {
  const methods = valuesOf(
    spec.space.find((p) => p.name === "method"),
    DEFAULT_METHOD,
  );
  const removable = plan.blocks.some((b) => b.removable);
  const groups = planFilterGroups(plan).length > 0;
  const issues: SpecIssue[] = [];
  if (methods.includes("layerprune") && !removable) {
    const units = valuesOf(
      spec.space.find((p) => p.name === "layerprune.unit"),
      "layer",
    );
    if (units.some((u) => u !== "filter")) {
      issues.push({ path: "space.layerprune.unit", message: `${file} has no removable layer or block (none keeps its input shape); only layerprune.unit: filter applies to it` });
    }
  }
  if (methods.includes("gates") && !removable && !groups) {
    issues.push({ path: "space.method", message: `gates: ${file} has no filter group and no removable layer or block to gate` });
  }
  return issues;
}

/**
 * Parses the spec and, for an imported model, checks and prepares it (see the module comment).
 * With `upload` and `listData`, the dataset's files are uploaded too (dataset-upload.ts) and
 * recorded as `task.datasetFiles`; `dataNote` says why they were not (too large, or not
 * readable on this machine: the workers then read the paths, e.g. from a mounted volume).
 * @throws SpecError naming the model file and what is wrong (unsupported layer, missing or
 *   short shard, unknown exit layer, a method the model cannot take)
 */
export async function prepareSpec(specYaml: string, specPath: string, upload?: UploadBlobs, listData?: ListDatasetFiles): Promise<PreparedSpec & { readonly dataNote?: string }> {
  const spec = parseCampaignSpec(specYaml, specPath);
  const model = await prepareModel(spec, specPath, upload);
  const data = upload && listData ? await uploadDataset(spec.task, upload, listData) : undefined;
  const dataNote = data && "skipped" in data ? data.skipped : undefined;
  if (!model.raw && !(data && "uploaded" in data)) return { spec, specYaml, ...(dataNote && { dataNote }) };
  const raw = loadYaml(specYaml, specPath) as { task: Record<string, unknown> };
  Object.assign(raw.task, model.raw ?? {});
  if (data && "uploaded" in data) raw.task["datasetFiles"] = data.uploaded;
  const rewritten = stringify(raw);
  return { spec: parseCampaignSpec(rewritten, specPath), specYaml: rewritten, ...(model.plan && { plan: model.plan }), ...(dataNote && { dataNote }) };
}

/** Checks an imported model; returns the task keys to rewrite (none for catalogue models). */
async function prepareModel(spec: CampaignSpec, specPath: string, upload: UploadBlobs | undefined): Promise<{ raw?: Record<string, unknown>; plan?: ModelPlan }> {
  if (spec.task.model !== IMPORTED_MODEL || !spec.task.modelFile) {
    if (spec.task.exits.names) {
      throw new SpecError([{ path: "task.exits", message: `layer names (${spec.task.exits.names.join(", ")}) need an imported model (task.model: {tfjs: ...}); give block indices` }], specPath);
    }
    return {};
  }
  const file = resolve(dirname(specPath), spec.task.modelFile.path);
  let files;
  try {
    files = loadModelFiles(file);
  } catch (err) {
    if (err instanceof ModelImportError) throw new SpecError([{ path: "task.model.tfjs", message: err.message }], specPath);
    throw err;
  }
  const { plan } = files;
  const issues: SpecIssue[] = [];
  const positions = new Set(spec.task.exits.positions);
  for (const name of spec.task.exits.names ?? []) {
    const p = exitPositionOf(plan, name);
    if (typeof p === "string") issues.push({ path: "task.exits", message: `${file}: ${p}` });
    else positions.add(p);
  }
  for (const p of positions) {
    if (p >= plan.blocks.length) issues.push({ path: "task.exits", message: `position ${p} is out of range: ${file} has ${plan.blocks.length} blocks (valid: 0 … ${plan.blocks.length - 1})` });
  }
  issues.push(...methodIssues(spec, plan, file));
  if (issues.length > 0) throw new SpecError(issues, specPath);

  const blobs = upload ? await upload(readBlobFiles(dirname(file), [basename(file), ...files.files])) : undefined;
  const raw: Record<string, unknown> = { model: blobs ? { tfjs: file, blobs } : { tfjs: file } };
  if (spec.task.exits.names) raw["exits"] = [...positions].sort((a, b) => a - b);
  return { raw, plan };
}
