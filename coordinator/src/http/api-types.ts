/**
 * The JSON of the dashboard API (`/api/...`) and of its server-sent events. Shared, as types
 * only, by the server (api-views.ts) and the dashboard's browser code (dashboard/), which
 * draws these numbers and computes none of its own.
 */

/** A trial in tables and plots. Compact: no progress, no details. */
export interface TrialJson {
  readonly id: string;
  readonly number: number;
  readonly state: string;
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly attempts: number;
  /** Satisfies the campaign's constraints (meaningful once completed). */
  readonly feasible: boolean;
  readonly worker?: string;
  readonly wallMs?: number;
  readonly error?: string;
  /** Last progress step reported. */
  readonly step?: number;
}

/** One trial with everything: its progress curve and the worker's details. */
export interface TrialDetailJson extends TrialJson {
  readonly progress: readonly { readonly step: number; readonly phase: string; readonly metrics: Readonly<Record<string, number>> }[];
  readonly details: unknown;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly backend: string | null;
}

/** The 2-D front of `y` (maximised) against the cost metric `x` (minimised). */
export interface TradeoffJson {
  readonly x: string;
  readonly y: string;
  /** Front trial ids, cheapest first. */
  readonly front: readonly string[];
  readonly knee?: string;
}

/** Hypervolume after `n` finished trials. */
interface HypervolumeJson {
  readonly n: number;
  readonly hypervolume: number;
  readonly minutes?: number;
}

/** A campaign's summary: status, counts, front and hypervolume. */
export interface CampaignJson {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly createdAt: number;
  readonly finishedAt?: number;
  readonly maxTrials: number;
  readonly parallelism: number;
  readonly objectives: readonly { readonly metric: string; readonly direction: string }[];
  readonly constraints: readonly string[];
  readonly sampler: string;
  readonly earlyStopping: string;
  readonly counts: Readonly<Record<string, number>>;
  /** Front over the campaign's objectives, best first. */
  readonly front: readonly string[];
  readonly knee?: string;
  readonly hypervolume: number;
  /** Only in the full view: hypervolume after each finished trial. */
  readonly hypervolumeHistory?: readonly HypervolumeJson[];
  /** Only in the full view: accuracy against each cost metric the trials report. */
  readonly tradeoffs?: readonly TradeoffJson[];
  /** Only in the full view: the pruning methods of the trials, sorted. */
  readonly methods?: readonly string[];
}

/** `GET /api/campaigns/<id>`, and the payload of the `update` event (`full`: replaces every trial). */
export interface CampaignDetailJson {
  readonly campaign: CampaignJson;
  readonly trials: readonly TrialJson[];
  readonly full?: boolean;
}
