/**
 * Models back: a completed trial's pruned net saved as a TF.js Layers model to the blob store
 * (`task.artifacts`), by content hash. What happened goes into the trial's details as `model`:
 * the files' refs, or why nothing was saved. Never fails the trial.
 */
import { TASK_DEFAULTS, type BlobRef, type PlainParam } from "@prunesweep/proto";
import type { BlobCache } from "../artifacts/blob-cache.js";
import { exportNet } from "../models/export.js";
import type { Net } from "../models/net.js";
import type { TrialHooks, TrialRequest } from "./types.js";

/** `details.model` of a trial. */
export type SavedModelInfo =
  | { readonly files: readonly BlobRef[]; readonly bytes: number; readonly params: number }
  | { readonly skipped: string };

/** Exports and uploads the trial's model when the task asks for it; undefined when it does not. */
export async function saveTrialModel(
  net: Net,
  req: TrialRequest,
  method: string,
  metrics: Readonly<Record<string, number>>,
  blobs: BlobCache | undefined,
  hooks: Pick<TrialHooks, "log">,
): Promise<SavedModelInfo | undefined> {
  const { keep, maxBytes } = req.task.artifacts ?? TASK_DEFAULTS.artifacts;
  if (keep === "none") return undefined;
  if (!blobs) return { skipped: "this worker has no blob store" };
  try {
    const params: Record<string, PlainParam> = { ...req.params };
    const exported = await exportNet(net, {
      campaign: req.campaignId,
      trial: req.trialId,
      method,
      params,
      metrics: { accuracy: metrics["accuracy"], params: metrics["params"], nonzero_params: metrics["nonzero_params"], sparsity: metrics["sparsity"] },
    });
    if (exported.bytes > maxBytes) return { skipped: `the model takes ${exported.bytes} bytes, over the cap of ${maxBytes} (task.artifacts.maxMB)` };
    const files = await blobs.put(exported.files);
    return { files, bytes: exported.bytes, params: exported.params };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    hooks.log("pruned model not saved", { error: why });
    return { skipped: why };
  }
}
