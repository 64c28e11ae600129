import { DEFAULT_METHOD } from "@prunesweep/proto";
import type { TrialSnapshot } from "../domain/trial.js";

/**
 * The pruning method of a trial: its `method` parameter, else the method its worker
 * reported in the details, else the catalogue's default method (the method of a space
 * without a `method` parameter).
 */
export function trialMethod(t: Pick<TrialSnapshot, "params" | "details">): string {
  const p = t.params["method"];
  if (typeof p === "string" && p) return p;
  const d = t.details;
  if (d && typeof d === "object" && typeof (d as { method?: unknown }).method === "string") return (d as { method: string }).method;
  return DEFAULT_METHOD;
}
