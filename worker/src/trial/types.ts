import type { DatasetSource, PlainParam, TaskConfig } from "@prunesweep/proto";
import type { SerializedError } from "../errors.js";
import type { StepDecision } from "../pruning/pruning-method.js";

export type { StepDecision };

export type { DatasetSource };

/** What to train (the decoded `TaskSpec`): the campaign's task and its seed. */
export interface WorkerTask extends TaskConfig {
  readonly seed: number;
}

/** One trial attempt to run (the decoded `TrialAssignment`). */
export interface TrialRequest {
  readonly campaignId: string;
  readonly trialId: string;
  readonly attempt: number;
  readonly params: Readonly<Record<string, PlainParam>>;
  readonly task: WorkerTask;
  readonly budget: {
    readonly maxSteps: number;
    readonly maxWallMs: number;
    /** Checkpoint every this many fine-tuning epochs (`budget.checkpointEvery`). @default 0 (none) */
    readonly checkpointEvery?: number;
  };
}

/** What the runner may call while a trial runs. */
export interface TrialHooks {
  /** Aborted on SIGTERM or a coordinator cancel; checked at every step boundary. */
  readonly signal: AbortSignal;
  /**
   * Reports intermediate metrics after a step (epoch or round). Resolves to the
   * coordinator's early-stopping decision; "stop" ends the trial as stopped_early.
   */
  progress(step: number, phase: string, metrics: Readonly<Record<string, number>>): Promise<StepDecision>;
  /** Structured log line. */
  log(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** How a trial attempt ended. Control flow, not exceptions. */
export type TrialOutcome =
  | {
      readonly kind: "completed";
      readonly metrics: Readonly<Record<string, number>>;
      readonly details: Readonly<Record<string, unknown>>;
      /** True when the trial obeyed a "stop" decision; metrics are then partial. */
      readonly stoppedEarly: boolean;
      readonly lastStep: number;
      readonly wallMs: number;
    }
  | { readonly kind: "aborted"; readonly reason: string }
  | { readonly kind: "failed"; readonly error: SerializedError; readonly retryable: boolean };
