import type { PlainParam } from "@prunesweep/proto";

/** Trial states (docs/campaign-spec.md#results). `waiting` = created and dispatched, not yet started. */
export type TrialState = "waiting" | "running" | "completed" | "stopped_early" | "failed" | "cancelled";

export const TRIAL_STATES: readonly TrialState[] = [
  "waiting",
  "running",
  "completed",
  "stopped_early",
  "failed",
  "cancelled",
];

/** True for the four final states. */
export const isFinished = (s: TrialState): boolean => s !== "waiting" && s !== "running";

export type Params = Readonly<Record<string, PlainParam>>;
export type Metrics = Readonly<Record<string, number>>;

/** One intermediate report of a trial. */
export interface ProgressPoint {
  readonly step: number;
  readonly phase: string;
  readonly metrics: Metrics;
}

/** Read-only view of a trial handed to samplers, stoppers and reports. */
export interface TrialSnapshot {
  readonly id: string;
  /** 0-based creation index within the campaign. */
  readonly number: number;
  readonly state: TrialState;
  readonly params: Params;
  /** Final metrics (completed or stopped_early), else the latest progress metrics. */
  readonly metrics: Metrics;
  readonly progress: readonly ProgressPoint[];
  /** Number of attempts started (deliveries that reached a worker) since its last retry. */
  readonly attempts: number;
  /** Times the trial was run again after failing for good (`prunesweep retry`); absent: never. */
  readonly retries?: number;
  readonly error?: string;
  readonly details?: unknown;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly wallMs?: number;
  readonly workerId?: string;
  readonly backend?: string;
}
