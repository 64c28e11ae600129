/**
 * Builds the JSON of the dashboard API ({@link api-types.ts}) from a read-only campaign and
 * its summary. Trials are compact except in the single-trial view.
 */
import type { ReadonlyCampaign } from "../campaign/readonly-campaign.js";
import { isFeasible } from "../domain/metric-constraints.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { summaryOf } from "../results/campaign-summary.js";
import { trialMethod } from "../results/trial-method.js";
import type { CampaignDetailJson, CampaignJson, TrialDetailJson, TrialJson } from "./api-types.js";

/** A trial for tables and plots. */
export function trialJson(c: ReadonlyCampaign, t: TrialSnapshot): TrialJson {
  const last = t.progress[t.progress.length - 1];
  return {
    id: t.id,
    number: t.number,
    state: t.state,
    method: trialMethod(t),
    params: t.params,
    metrics: t.metrics,
    attempts: t.attempts,
    feasible: isFeasible(t.metrics, c.spec.constraints),
    ...(t.workerId !== undefined && { worker: t.workerId }),
    ...(t.wallMs !== undefined && { wallMs: t.wallMs }),
    ...(t.error !== undefined && { error: t.error }),
    ...(last && { step: last.step }),
  };
}

/**
 * The campaign's summary; `full` adds what the campaign page draws: the hypervolume history,
 * the accuracy-vs-cost fronts and the method names.
 */
export function campaignJson(c: ReadonlyCampaign, full = false): CampaignJson {
  const s = summaryOf(c);
  const f = s.front;
  return {
    id: c.id,
    name: c.spec.name,
    status: c.status,
    createdAt: c.createdAt,
    ...(c.finishedAt !== undefined && { finishedAt: c.finishedAt }),
    maxTrials: c.spec.budget.maxTrials,
    parallelism: c.spec.budget.parallelism,
    objectives: c.spec.objectives,
    constraints: c.spec.constraints.map((x) => x.source),
    sampler: c.spec.sampler.name,
    earlyStopping: c.spec.earlyStopping.name,
    counts: c.counts(),
    front: s.frontIds,
    ...(f.knee !== undefined && { knee: f.knee }),
    hypervolume: f.hypervolume,
    ...(full && {
      hypervolumeHistory: s.hypervolumeHistory.map((p) => ({ n: p.n, hypervolume: p.hypervolume, ...(p.minutes !== undefined && { minutes: p.minutes }) })),
      tradeoffs: s.tradeoffs,
      methods: [...new Set(s.methods.map((m) => m.method))].sort(),
    }),
  };
}

/** The campaign page: full summary and every trial (or only `trialIds`). */
export function campaignDetailJson(c: ReadonlyCampaign, trialIds?: Iterable<string>): CampaignDetailJson {
  const trials = trialIds === undefined ? c.trials() : [...trialIds].filter((id) => c.hasTrial(id)).map((id) => c.trial(id));
  return { campaign: campaignJson(c, true), trials: trials.map((t) => trialJson(c, t)) };
}

/** One trial with everything: progress curve and the worker's details. */
export function trialDetailJson(c: ReadonlyCampaign, t: TrialSnapshot): TrialDetailJson {
  return {
    ...trialJson(c, t),
    progress: t.progress,
    details: t.details ?? null,
    createdAt: t.createdAt,
    startedAt: t.startedAt ?? null,
    finishedAt: t.finishedAt ?? null,
    backend: t.backend ?? null,
  };
}
