import type { BlobFile, BlobRef } from "@prunesweep/proto";
import type { BackendPreference } from "../backend/select-backend.js";
import type { SerializedWeights } from "../models/serialized-weights.js";
import type { StepDecision, TrialOutcome, TrialRequest } from "../trial/types.js";

/** An error as it crosses the thread boundary (by name, never by instanceof). */
export interface WireError {
  readonly name: string;
  readonly message: string;
}

/** Messages from the main thread to the training thread. */
export type ToThread =
  /** `checkpoints`: whether the main thread has a checkpoint store to serve. */
  | { readonly t: "run"; readonly req: TrialRequest; readonly checkpoints: boolean }
  | { readonly t: "abort"; readonly reason: string }
  | { readonly t: "decision"; readonly rid: number; readonly decision: StepDecision }
  | { readonly t: "reply"; readonly rid: number; readonly ok: true; readonly value: unknown }
  | { readonly t: "reply"; readonly rid: number; readonly ok: false; readonly error: WireError }
  /** Run the `produce` callback of the pending getOrCreate `rid` (this thread holds the claim). */
  | { readonly t: "produce"; readonly rid: number }
  /** Select (and load) the tfjs backend for `requested` now; answered by a `backend` message. */
  | { readonly t: "backend"; readonly rid: number; readonly requested: BackendPreference };

/** Messages from the training thread to the main thread. */
export type FromThread =
  | { readonly t: "progress"; readonly rid: number; readonly step: number; readonly phase: string; readonly metrics: Readonly<Record<string, number>> }
  | { readonly t: "log"; readonly message: string; readonly fields?: Readonly<Record<string, unknown>> }
  | { readonly t: "store.get"; readonly rid: number; readonly key: string }
  | { readonly t: "store.put"; readonly rid: number; readonly key: string; readonly weights: SerializedWeights }
  | { readonly t: "store.getOrCreate"; readonly rid: number; readonly key: string }
  | { readonly t: "checkpoint.get"; readonly rid: number; readonly name: string }
  | { readonly t: "checkpoint.put"; readonly rid: number; readonly name: string; readonly weights: SerializedWeights }
  | { readonly t: "checkpoint.deletePrefix"; readonly rid: number; readonly prefix: string }
  | { readonly t: "blobs.materialise"; readonly rid: number; readonly refs: readonly BlobRef[] }
  | { readonly t: "blobs.put"; readonly rid: number; readonly files: readonly BlobFile[] }
  | { readonly t: "produced"; readonly rid: number; readonly ok: true; readonly weights: SerializedWeights }
  | { readonly t: "produced"; readonly rid: number; readonly ok: false; readonly error: WireError }
  | { readonly t: "outcome"; readonly outcome: TrialOutcome }
  /** The backend selected for a `backend` request, with the one selection line (the first time per preference). */
  | { readonly t: "backend"; readonly rid: number; readonly ok: true; readonly backend: string; readonly line?: SelectionLine }
  | { readonly t: "backend"; readonly rid: number; readonly ok: false; readonly error: WireError };

/** The line `selectBackend` reports once per preference, carried across the thread boundary. */
export interface SelectionLine {
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export function toWireError(err: unknown): WireError {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: "Error", message: String(err) };
}

export function fromWireError(e: WireError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
