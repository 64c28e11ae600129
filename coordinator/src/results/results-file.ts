/**
 * The campaign as reports, exports and the operator commands see it: the shape of
 * `results.json` (docs/campaign-spec.md#results). It is built from a live campaign
 * ({@link buildResultsFile}), read back from an out dir, or assembled from a coordinator's
 * gRPC answers; everything under report/ works on this one shape, and reads its numbers
 * from {@link resultsSummary}.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { PlainParam } from "@prunesweep/proto";
import type { ReadonlyCampaign } from "../campaign/readonly-campaign.js";
import type { Direction, ObjectiveSpec } from "../domain/objectives.js";
import type { ProgressPoint, TrialSnapshot, TrialState } from "../domain/trial.js";
import { SweepError } from "../errors.js";
import type { MetricConstraint } from "../domain/campaign-spec.js";
import { parseMetricConstraint } from "../domain/metric-constraints.js";
import { CampaignSummary, summaryOf } from "./campaign-summary.js";

/** One trial in `results.json`. */
export interface ResultsTrial {
  readonly id: string;
  readonly number: number;
  readonly state: TrialState;
  readonly params: Readonly<Record<string, PlainParam>>;
  readonly metrics: Readonly<Record<string, number>>;
  readonly attempts: number;
  readonly error?: string;
  readonly details?: unknown;
  /** Epoch milliseconds; `wallMs` is the worker's measure of the final attempt. */
  readonly timings: { readonly createdAt?: number; readonly startedAt?: number; readonly finishedAt?: number; readonly wallMs?: number };
  readonly worker?: string;
  readonly backend?: string;
  /** Intermediate reports (absent when read from a coordinator over gRPC). */
  readonly progress?: readonly ProgressPoint[];
}

/** The shape of `results.json`. */
export interface ResultsFile {
  readonly campaign: {
    readonly id: string;
    readonly name: string;
    readonly status: string;
    readonly createdAt: string;
    readonly finishedAt?: string;
    readonly maxTrials?: number;
  };
  /** The campaign spec as submitted (YAML text). */
  readonly spec: string;
  readonly objectives: readonly { readonly metric: string; readonly direction: string }[];
  readonly constraints: readonly string[];
  readonly trials: readonly ResultsTrial[];
  /** Ids of the trials on the Pareto front of the campaign's objectives, best first. */
  readonly pareto: readonly string[];
  readonly knee?: string;
  readonly hypervolume: number;
  readonly hypervolumeReference: readonly number[];
  readonly counts: Readonly<Record<string, number>>;
}

/** A results.json (or an out dir) that cannot be read. The CLI exits with code 2. */
export class ResultsFileError extends SweepError {}

/**
 * Reads `results.json` from an out dir or a file path.
 * @throws ResultsFileError naming the path, e.g. when the campaign in the dir never finished.
 */
export function loadResultsFile(path: string): ResultsFile {
  let file = path;
  if (existsSync(path) && statSync(path).isDirectory()) {
    file = join(path, "results.json");
    if (!existsSync(file)) {
      const state = join(path, "campaign.json");
      if (existsSync(state)) {
        const id = (JSON.parse(readFileSync(state, "utf8")) as { campaignId?: string }).campaignId ?? "?";
        throw new ResultsFileError(
          `${path}: campaign ${id} has no results.json yet: it is still running (its dashboard shows it live) or was interrupted (continue it with \`prunesweep run <spec> --resume --out ${path}\`)`,
        );
      }
      throw new ResultsFileError(`${path}: no results.json in this directory`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ResultsFileError(`${file}: cannot read results: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = parsed as Partial<ResultsFile> | null;
  if (!r || typeof r !== "object" || !r.campaign || !Array.isArray(r.trials) || !Array.isArray(r.objectives)) {
    throw new ResultsFileError(`${file}: not a prunesweep results.json (expected campaign, objectives and trials)`);
  }
  return { constraints: [], pareto: [], hypervolume: 0, hypervolumeReference: [], counts: {}, spec: "", ...r } as ResultsFile;
}

/** The campaign's objectives with typed directions. */
export function objectivesOf(r: ResultsFile): ObjectiveSpec[] {
  return r.objectives.map((o) => ({ metric: o.metric, direction: (o.direction === "minimize" ? "minimize" : "maximize") as Direction }));
}

/**
 * Parses constraint texts (`"accuracy >= 0.9"`).
 * @throws ResultsFileError naming the text that does not parse.
 */
export function parseConstraints(texts: readonly string[]): MetricConstraint[] {
  return texts.map((t) => {
    const c = parseMetricConstraint(t);
    if (typeof c === "string") throw new ResultsFileError(`constraint ${c}`);
    return c;
  });
}

/** The trials as frozen-snapshot-like objects for the Pareto helpers. */
export function toSnapshots(r: ResultsFile): TrialSnapshot[] {
  return r.trials.map((t) => ({
    id: t.id,
    number: t.number,
    state: t.state,
    params: t.params,
    metrics: t.metrics,
    progress: t.progress ?? [],
    attempts: t.attempts,
    createdAt: t.timings.createdAt ?? 0,
    ...(t.error !== undefined && { error: t.error }),
    ...(t.details !== undefined && { details: t.details }),
    ...(t.timings.startedAt !== undefined && { startedAt: t.timings.startedAt }),
    ...(t.timings.finishedAt !== undefined && { finishedAt: t.timings.finishedAt }),
    ...(t.timings.wallMs !== undefined && { wallMs: t.timings.wallMs }),
    ...(t.worker !== undefined && { workerId: t.worker }),
    ...(t.backend !== undefined && { backend: t.backend }),
  }));
}

/** The trial of a snapshot in results.json form. */
function trialFromSnapshot(t: TrialSnapshot, withProgress = true): ResultsTrial {
  return {
    id: t.id,
    number: t.number,
    state: t.state,
    params: t.params,
    metrics: t.metrics,
    attempts: t.attempts,
    ...(t.error !== undefined && { error: t.error }),
    ...(t.details !== undefined && { details: t.details }),
    timings: {
      createdAt: t.createdAt,
      ...(t.startedAt !== undefined && { startedAt: t.startedAt }),
      ...(t.finishedAt !== undefined && { finishedAt: t.finishedAt }),
      ...(t.wallMs !== undefined && { wallMs: t.wallMs }),
    },
    ...(t.workerId !== undefined && { worker: t.workerId }),
    ...(t.backend !== undefined && { backend: t.backend }),
    ...(withProgress && t.progress.length > 0 && { progress: t.progress }),
  };
}

/** What a coordinator tells about a campaign over gRPC (transport-free shape). */
export interface RemoteCampaignInfo {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly objectives: readonly ObjectiveSpec[];
  readonly counts: Readonly<Record<TrialState, number>>;
  readonly specYaml: string;
  readonly hypervolume: number;
  readonly maxTrials: number;
}

/**
 * Assembles a results file from a coordinator's answers (`Get` + `ListTrials`). Timings and
 * progress are not part of the operator API, so reports built from it have no wall-time axis.
 */
export function resultsFromRemote(c: RemoteCampaignInfo, trials: readonly ResultsTrial[], constraints: readonly string[]): ResultsFile {
  const r: ResultsFile = {
    campaign: { id: c.id, name: c.name, status: c.state, createdAt: "", maxTrials: c.maxTrials },
    spec: c.specYaml,
    objectives: c.objectives.map((o) => ({ metric: o.metric, direction: o.direction })),
    constraints,
    trials,
    pareto: [],
    hypervolume: c.hypervolume,
    hypervolumeReference: [],
    counts: c.counts,
  };
  const s = resultsSummary(r);
  return withSummary({ ...r, ...frontFields(s) }, s);
}

/** The results file of a live campaign (trials with their progress). */
export function buildResultsFile(c: ReadonlyCampaign): ResultsFile {
  const s = summaryOf(c);
  return withSummary(
    {
      campaign: {
        id: c.id,
        name: c.spec.name,
        status: c.status,
        createdAt: new Date(c.createdAt).toISOString(),
        ...(c.finishedAt !== undefined && { finishedAt: new Date(c.finishedAt).toISOString() }),
        maxTrials: c.spec.budget.maxTrials,
      },
      spec: c.specYaml,
      objectives: c.spec.objectives.map((o) => ({ metric: o.metric, direction: o.direction })),
      constraints: c.spec.constraints.map((x) => x.source),
      trials: s.trials.map((t) => trialFromSnapshot(t)),
      ...frontFields(s),
      counts: c.counts(),
    },
    s,
  );
}

/** The stored front fields of a results file. */
function frontFields(s: CampaignSummary): Pick<ResultsFile, "pareto" | "knee" | "hypervolume" | "hypervolumeReference"> {
  const f = s.front;
  return { pareto: s.frontIds, ...(f.knee !== undefined && { knee: f.knee }), hypervolume: f.hypervolume, hypervolumeReference: f.reference };
}

/** Summaries of results files, by file. */
const summaries = new WeakMap<ResultsFile, CampaignSummary>();

function withSummary(r: ResultsFile, s: CampaignSummary): ResultsFile {
  summaries.set(r, s);
  return r;
}

/**
 * The summary of a results file's trials (computed once per file object; a file built from a
 * live campaign carries the campaign's own summary).
 * @throws ResultsFileError when a constraint text does not parse.
 */
export function resultsSummary(r: ResultsFile): CampaignSummary {
  let s = summaries.get(r);
  if (!s) {
    const created = Date.parse(r.campaign.createdAt);
    s = new CampaignSummary(toSnapshots(r), {
      objectives: objectivesOf(r),
      constraints: parseConstraints(r.constraints),
      startedAt: Number.isFinite(created) ? created : undefined,
    });
    summaries.set(r, s);
  }
  return s;
}
