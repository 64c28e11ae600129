/**
 * JSON views of campaigns and trials served by the dashboard API and pushed over SSE.
 * Trials are compact (no progress, no details) except in the single-trial view.
 */
import type { CampaignRunner } from "../campaign/campaign-runner.js";
import { summarizeFront } from "../campaign/front.js";
import type { TrialSnapshot } from "../domain/trial.js";
import { trialFromSnapshot, methodOf, type ResultsFile } from "../report/campaign-data.js";
import { hypervolumeData } from "../report/plots.js";
import { isFeasible } from "../spec/index.js";

/** A trial in tables and plots. */
export interface TrialView {
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

/** A campaign's summary: status, counts, front, hypervolume (and its history). */
export interface CampaignView {
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
  readonly front: readonly string[];
  readonly knee?: string;
  readonly hypervolume: number;
  /** Hypervolume after each finished trial (only in the full view). */
  readonly hypervolumeHistory?: readonly { readonly n: number; readonly hypervolume: number; readonly minutes?: number }[];
}

export function trialView(r: CampaignRunner, t: TrialSnapshot): TrialView {
  const last = t.progress[t.progress.length - 1];
  return {
    id: t.id,
    number: t.number,
    state: t.state,
    method: methodOf(t),
    params: t.params,
    metrics: t.metrics,
    attempts: t.attempts,
    feasible: isFeasible(t.metrics, r.spec.constraints),
    ...(t.workerId !== undefined && { worker: t.workerId }),
    ...(t.wallMs !== undefined && { wallMs: t.wallMs }),
    ...(t.error !== undefined && { error: t.error }),
    ...(last && { step: last.step }),
  };
}

function lightResults(r: CampaignRunner): ResultsFile {
  return {
    campaign: { id: r.campaignId, name: r.spec.name, status: r.state.status, createdAt: new Date(r.state.createdAt).toISOString() },
    spec: "",
    objectives: r.spec.objectives,
    constraints: r.spec.constraints.map((c) => c.source),
    trials: r.state.snapshots().map((t) => trialFromSnapshot(t, false)),
    pareto: [],
    hypervolume: 0,
    hypervolumeReference: [],
    counts: {},
  };
}

/** The campaign summary; `withHistory` adds the hypervolume history (O(trials × front)). */
export function campaignView(r: CampaignRunner, withHistory = false): CampaignView {
  const f = summarizeFront(r.state.snapshots(), r.spec.objectives, r.spec.constraints);
  return {
    id: r.campaignId,
    name: r.spec.name,
    status: r.state.status,
    createdAt: r.state.createdAt,
    ...(r.state.finishedAt !== undefined && { finishedAt: r.state.finishedAt }),
    maxTrials: r.spec.budget.maxTrials,
    parallelism: r.spec.budget.parallelism,
    objectives: r.spec.objectives,
    constraints: r.spec.constraints.map((c) => c.source),
    sampler: r.spec.sampler.name,
    earlyStopping: r.spec.earlyStopping.name,
    counts: r.state.counts(),
    front: f.front.map((t) => t.id),
    ...(f.knee !== undefined && { knee: f.knee }),
    hypervolume: f.hypervolume,
    ...(withHistory && {
      hypervolumeHistory: hypervolumeData(lightResults(r)).map((p) => ({
        n: p.n,
        hypervolume: p.hypervolume,
        ...(p.minutes !== undefined && { minutes: p.minutes }),
      })),
    }),
  };
}

/** One trial with everything: progress curve and the worker's details. */
export function trialDetailView(r: CampaignRunner, t: TrialSnapshot): unknown {
  return {
    ...trialView(r, t),
    progress: t.progress,
    details: t.details ?? null,
    createdAt: t.createdAt,
    startedAt: t.startedAt ?? null,
    finishedAt: t.finishedAt ?? null,
    backend: t.backend ?? null,
  };
}
