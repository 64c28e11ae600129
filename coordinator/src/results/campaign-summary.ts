/**
 * The one place a campaign's results are computed: from its trial snapshots and its
 * objectives and constraints, the front, knee and hypervolume, the hypervolume history, the
 * accuracy-vs-cost fronts, trial counts by state, per-method bests and compute saved. The
 * CLI, the HTTP API, the dashboard (through the API), the gRPC service and the report read
 * these numbers; nothing else recomputes them.
 */
import type { ReadonlyCampaign } from "../campaign/readonly-campaign.js";
import type { MetricConstraint } from "../domain/campaign-spec.js";
import type { ObjectiveSpec } from "../domain/objectives.js";
import type { TrialSnapshot, TrialState } from "../domain/trial.js";
import { summarizeFront, type FrontSummary } from "./front.js";
import { hypervolumeHistory, type HypervolumePoint } from "./hypervolume-history.js";
import { backends, computeSummary, countByState, methodSummaries, type ComputeSummary, type MethodSummary } from "./statistics.js";
import { costMetricsPresent, qualityMetric, tradeoffFront, type TradeoffFront } from "./tradeoffs.js";

/** What the summary needs to know of the campaign besides its trials. */
export interface CampaignDefinition {
  readonly objectives: readonly ObjectiveSpec[];
  readonly constraints: readonly MetricConstraint[];
  /** When the campaign started (epoch ms); undefined: the earliest trial creation. */
  readonly startedAt: number | undefined;
}

/**
 * The results of one campaign at one moment (one set of trial snapshots). Each part is
 * computed on first read and kept, so a consumer pays only for what it reads and nothing is
 * computed twice.
 */
export class CampaignSummary {
  private readonly memo = new Map<string, unknown>();

  constructor(
    readonly trials: readonly TrialSnapshot[],
    readonly definition: CampaignDefinition,
  ) {}

  /** Trials by state, every state present. */
  get counts(): Readonly<Record<TrialState, number>> {
    return this.once("counts", () => countByState(this.trials));
  }

  /** The Pareto front over the campaign's objectives, its hypervolume, reference and knee. */
  get front(): FrontSummary {
    const { objectives, constraints } = this.definition;
    return this.once("front", () => summarizeFront(this.trials, objectives, constraints));
  }

  /** Ids of the front's trials, best first by the first objective. */
  get frontIds(): readonly string[] {
    return this.once("frontIds", () => this.front.front.map((t) => t.id));
  }

  /** Hypervolume after each finished trial, against the front's reference point. */
  get hypervolumeHistory(): readonly HypervolumePoint[] {
    const { objectives, constraints, startedAt } = this.definition;
    return this.once("history", () => hypervolumeHistory(this.trials, objectives, constraints, this.front.reference, startedAt));
  }

  /** The cost metrics the completed trials report, in plotting order. */
  get costMetrics(): readonly string[] {
    return this.once("cost", () => costMetricsPresent(this.trials, this.definition.objectives));
  }

  /** Accuracy (or the first maximised objective) against each cost metric: 2-D fronts and knees. */
  get tradeoffs(): readonly TradeoffFront[] {
    return this.once("tradeoffs", () => {
      const y = qualityMetric(this.trials, this.definition.objectives);
      return this.costMetrics.map((x) => tradeoffFront(this.trials, x, y, this.definition.constraints));
    });
  }

  /** Per pruning method: counts and best trials, best accuracy first. */
  get methods(): readonly MethodSummary[] {
    return this.once("methods", () => methodSummaries(this.trials, this.definition.constraints, new Set(this.frontIds), this.costMetrics[0]));
  }

  /** Worker time spent, and saved by early stopping. */
  get compute(): ComputeSummary {
    return this.once("compute", () => computeSummary(this.trials));
  }

  /** Trials per tfjs backend. */
  get backends(): Readonly<Record<string, number>> {
    return this.once("backends", () => backends(this.trials));
  }

  private once<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }
}

/** Summaries of live campaigns, by the frozen trial array they were computed from. */
const live = new WeakMap<readonly TrialSnapshot[], CampaignSummary>();

/**
 * The summary of a live campaign's current trials. The campaign hands out the same frozen
 * array until it changes, so every reader between two changes shares one summary.
 */
export function summaryOf(c: ReadonlyCampaign): CampaignSummary {
  const trials = c.trials();
  let s = live.get(trials);
  if (!s) {
    s = new CampaignSummary(trials, { objectives: c.spec.objectives, constraints: c.spec.constraints, startedAt: c.createdAt });
    live.set(trials, s);
  }
  return s;
}
