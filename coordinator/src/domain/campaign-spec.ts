import type { ObjectiveSpec } from "./objectives.js";

import type { DatasetSource, TaskConfig } from "@prunesweep/proto";

export type { DatasetSource, TaskConfig };

/** Distribution of one search-space parameter. */
export type ParamDistribution =
  | { readonly type: "float"; readonly min: number; readonly max: number; readonly log: boolean; readonly step?: number }
  | { readonly type: "int"; readonly min: number; readonly max: number; readonly step: number; readonly log: boolean }
  | { readonly type: "categorical"; readonly values: readonly (string | number | boolean)[] }
  | { readonly type: "fixed"; readonly value: string | number | boolean };

/** A parameter with the condition under which it is active. */
export interface ParamSpec {
  /** Full, namespaced name (`sap.p`). */
  readonly name: string;
  readonly distribution: ParamDistribution;
  /**
   * Active only when each named parameter takes one of the listed values. A name
   * namespaced `<method>.` gets `{ method: [<method>] }` implicitly.
   */
  readonly when: Readonly<Record<string, readonly (string | number | boolean)[]>>;
}

/** `a < b`, `a <= b` between two numeric parameters (spec `paramConstraints`). */
export interface ParamConstraint {
  readonly left: string;
  readonly op: "<" | "<=" | ">" | ">=";
  readonly right: string | number;
  readonly source: string;
}

/** `metric >= 0.95` style constraint on reported metrics (spec `constraints`). */
export interface MetricConstraint {
  readonly metric: string;
  readonly op: "<" | "<=" | ">" | ">=";
  readonly value: number;
  readonly source: string;
}

export type SamplerConfig = { readonly name: string } & Readonly<Record<string, unknown>>;
export type EarlyStoppingConfig = { readonly name: string } & Readonly<Record<string, unknown>>;

export interface BudgetConfig {
  readonly maxTrials: number;
  readonly parallelism: number;
  /** Deliveries per trial before it is recorded failed. */
  readonly maxRetries: number;
  readonly maxWallMinutes: number;
  /** Progress steps a trial may run (0 = method default); the resource of ASHA. */
  readonly maxSteps: number;
  /** Fine-tuning epochs between trial checkpoints (0 = none). */
  readonly checkpointEvery: number;
  /**
   * Time limit of one attempt in milliseconds (`budget.trialTimeout`; 0 = none): the worker
   * aborts the trial there, the coordinator fails it a grace later if no report came.
   */
  readonly trialTimeoutMs: number;
}

/** A validated campaign spec (docs/campaign-spec.md). Every field has its default filled in. */
export interface CampaignSpec {
  readonly name: string;
  readonly seed: number;
  readonly task: TaskConfig;
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints: readonly MetricConstraint[];
  readonly space: readonly ParamSpec[];
  readonly paramConstraints: readonly ParamConstraint[];
  readonly sampler: SamplerConfig;
  readonly earlyStopping: EarlyStoppingConfig;
  readonly budget: BudgetConfig;
}
