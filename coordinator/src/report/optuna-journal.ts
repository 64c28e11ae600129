/**
 * Optuna JournalStorage export (and a reader of that format).
 *
 * The journal is JSON lines, one operation each: `{"op_code": N, "worker_id": "...", ...}`.
 * Op codes and fields follow Optuna's `JournalOperation` and `JournalStorageReplayResult`
 * (optuna/storages/journal/_storage.py in 4.x, storages/_journal/storage.py in 3.1+; the
 * codes are the same in both): 0 CREATE_STUDY (study_name, directions), 1 DELETE_STUDY,
 * 2 SET_STUDY_USER_ATTR, 3 SET_STUDY_SYSTEM_ATTR, 4 CREATE_TRIAL, 5 SET_TRIAL_PARAM,
 * 6 SET_TRIAL_STATE_VALUES, 7 SET_TRIAL_INTERMEDIATE_VALUE, 8 SET_TRIAL_USER_ATTR,
 * 9 SET_TRIAL_SYSTEM_ATTR. Study directions travel in CREATE_STUDY (there is no separate op).
 * Distributions are JSON *strings* `{"name": "FloatDistribution", "attributes": {...}}`
 * (Optuna's `distribution_to_json`); categorical parameters are stored as the index of the
 * choice. Open the file with `optuna.storages.JournalStorage(JournalFileBackend(path))`
 * (Optuna 4) or `JournalFileStorage(path)` (3.x), or with `optuna-dashboard <file>`.
 */
import type { PlainParam } from "@prunesweep/proto";
import { parseCampaignSpec } from "../spec/index.js";
import type { ParamSpec } from "../domain/campaign-spec.js";
import { objectivesOf, type ResultsFile, type ResultsTrial } from "../results/results-file.js";
import { SweepError } from "../errors.js";

/** Optuna's `JournalOperation` codes. */
export const JournalOp = {
  CREATE_STUDY: 0,
  DELETE_STUDY: 1,
  SET_STUDY_USER_ATTR: 2,
  SET_STUDY_SYSTEM_ATTR: 3,
  CREATE_TRIAL: 4,
  SET_TRIAL_PARAM: 5,
  SET_TRIAL_STATE_VALUES: 6,
  SET_TRIAL_INTERMEDIATE_VALUE: 7,
  SET_TRIAL_USER_ATTR: 8,
  SET_TRIAL_SYSTEM_ATTR: 9,
} as const;

/** Optuna's `StudyDirection` values. */
const OptunaDirection = { NOT_SET: 0, MINIMIZE: 1, MAXIMIZE: 2 } as const;
/** Optuna's `TrialState` values. */
const OptunaTrialState = { RUNNING: 0, COMPLETE: 1, PRUNED: 2, FAIL: 3, WAITING: 4 } as const;
const STATE_NAMES = ["RUNNING", "COMPLETE", "PRUNED", "FAIL", "WAITING"] as const;
type OptunaStateName = (typeof STATE_NAMES)[number];

type Choice = string | number | boolean | null;
/** An Optuna distribution as `distribution_to_json` writes it (before stringifying). */
type OptunaDistribution =
  | { readonly name: "FloatDistribution"; readonly attributes: { readonly step: number | null; readonly low: number; readonly high: number; readonly log: boolean } }
  | { readonly name: "IntDistribution"; readonly attributes: { readonly log: boolean; readonly step: number; readonly low: number; readonly high: number } }
  | { readonly name: "CategoricalDistribution"; readonly attributes: { readonly choices: readonly Choice[] } };

/** Optuna's naive ISO datetime with microseconds (`datetime.isoformat(timespec="microseconds")`), in UTC. */
export function optunaDatetime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "").replace(/\.(\d{3})$/, ".$1000");
}

function distributionFromSpec(p: ParamSpec): OptunaDistribution {
  const d = p.distribution;
  switch (d.type) {
    case "float":
      return { name: "FloatDistribution", attributes: { step: d.log ? null : (d.step ?? null), low: d.min, high: d.max, log: d.log } };
    case "int":
      return { name: "IntDistribution", attributes: { log: d.log, step: d.log ? 1 : d.step, low: d.min, high: d.max } };
    case "categorical":
      return { name: "CategoricalDistribution", attributes: { choices: [...d.values] } };
    case "fixed":
      return { name: "CategoricalDistribution", attributes: { choices: [d.value] } };
  }
}

/** A distribution covering the observed values (when the spec is not available or does not fit). */
function inferDistribution(values: readonly PlainParam[]): OptunaDistribution {
  if (values.length > 0 && values.every((v) => typeof v === "number")) {
    const nums = values as number[];
    const low = Math.min(...nums);
    const high = Math.max(...nums);
    if (nums.every(Number.isInteger)) return { name: "IntDistribution", attributes: { log: false, step: 1, low, high } };
    return { name: "FloatDistribution", attributes: { step: null, low, high, log: false } };
  }
  const choices = [...new Set(values)].sort((a, b) => String(a).localeCompare(String(b)));
  return { name: "CategoricalDistribution", attributes: { choices } };
}

/** Optuna's internal representation of a value, or undefined when the distribution cannot hold it. */
function toInternal(d: OptunaDistribution, v: PlainParam): number | undefined {
  if (d.name === "CategoricalDistribution") {
    const i = d.attributes.choices.findIndex((c) => c === v);
    return i >= 0 ? i : undefined;
  }
  if (typeof v !== "number" || v < d.attributes.low || v > d.attributes.high) return undefined;
  if (d.name === "IntDistribution" && !Number.isInteger(v)) return undefined;
  return v;
}

function distributions(r: ResultsFile): Map<string, OptunaDistribution> {
  const byName = new Map<string, OptunaDistribution>();
  try {
    for (const p of parseCampaignSpec(r.spec, "results.json spec").space) byName.set(p.name, distributionFromSpec(p));
  } catch {
    /* spec missing or from another version: infer every distribution from the values */
  }
  const names = [...new Set(r.trials.flatMap((t) => Object.keys(t.params)))];
  for (const name of names) {
    const values = r.trials.map((t) => t.params[name]).filter((v): v is PlainParam => v !== undefined);
    const d = byName.get(name);
    if (!d || values.some((v) => toInternal(d, v) === undefined)) byName.set(name, inferDistribution(values));
  }
  return byName;
}

const STATE_OF: Readonly<Record<ResultsTrial["state"], number>> = {
  waiting: OptunaTrialState.WAITING,
  running: OptunaTrialState.RUNNING,
  completed: OptunaTrialState.COMPLETE,
  stopped_early: OptunaTrialState.PRUNED,
  failed: OptunaTrialState.FAIL,
  cancelled: OptunaTrialState.FAIL,
};

/** Options of {@link toOptunaJournal}. */
export interface OptunaJournalOptions {
  /** @default "prunesweep-export" */
  readonly workerId?: string;
  /** Study name. @default the campaign id */
  readonly studyName?: string;
}

/**
 * The campaign as an Optuna journal (JSON lines). One study named after the campaign with
 * one direction per objective; one trial per prunesweep trial, in creation order, so Optuna's
 * trial number equals ours. completed → COMPLETE with the objective values (FAIL when one is
 * missing), stopped_early → PRUNED, failed and cancelled → FAIL, running → RUNNING,
 * waiting → WAITING. Every metric, the prunesweep id and state go into user attrs; the
 * first objective's progress values become intermediate values.
 */
export function toOptunaJournal(r: ResultsFile, o: OptunaJournalOptions = {}): string {
  const worker = o.workerId ?? "prunesweep-export";
  const objectives = objectivesOf(r);
  const dists = distributions(r);
  const lines: string[] = [];
  const op = (code: number, fields: Record<string, unknown>): void => {
    lines.push(JSON.stringify({ op_code: code, worker_id: worker, ...fields }));
  };
  op(JournalOp.CREATE_STUDY, {
    study_name: o.studyName ?? r.campaign.id,
    directions: objectives.map((x) => (x.direction === "maximize" ? OptunaDirection.MAXIMIZE : OptunaDirection.MINIMIZE)),
  });
  const studyAttrs: Record<string, unknown> = {
    "prunesweep.campaign": r.campaign.id,
    "prunesweep.name": r.campaign.name,
    "prunesweep.objectives": objectives.map((x) => x.metric),
    "prunesweep.constraints": r.constraints,
    "prunesweep.spec": r.spec,
  };
  for (const [k, v] of Object.entries(studyAttrs)) op(JournalOp.SET_STUDY_USER_ATTR, { study_id: 0, user_attr: { [k]: v } });
  // Optuna >= 3.2 and optuna-dashboard label the objectives from this system attr.
  op(JournalOp.SET_STUDY_SYSTEM_ATTR, { study_id: 0, system_attr: { "study:metric_names": objectives.map((x) => x.metric) } });
  const fallbackStart = Date.parse(r.campaign.createdAt) || Date.now(); // results from a coordinator carry no timings
  const first = objectives[0]?.metric;
  const trials = [...r.trials].sort((a, b) => a.number - b.number);
  trials.forEach((t, trialId) => {
    const start = t.timings.startedAt ?? t.timings.createdAt ?? fallbackStart;
    op(
      JournalOp.CREATE_TRIAL,
      t.state === "waiting" ? { study_id: 0, datetime_start: null, state: OptunaTrialState.WAITING } : { study_id: 0, datetime_start: optunaDatetime(start) },
    );
    for (const [name, value] of Object.entries(t.params)) {
      const d = dists.get(name) as OptunaDistribution;
      op(JournalOp.SET_TRIAL_PARAM, { trial_id: trialId, param_name: name, param_value_internal: toInternal(d, value), distribution: JSON.stringify(d) });
    }
    if (first) {
      for (const p of t.progress ?? []) {
        const v = p.metrics[first] ?? p.metrics[`val_${first}`];
        if (v !== undefined && Number.isFinite(v)) op(JournalOp.SET_TRIAL_INTERMEDIATE_VALUE, { trial_id: trialId, step: p.step, intermediate_value: v });
      }
    }
    const attrs: Record<string, unknown> = {
      "prunesweep.id": t.id,
      "prunesweep.state": t.state,
      "prunesweep.attempts": t.attempts,
      metrics: t.metrics,
      ...(t.error !== undefined && { error: t.error }),
      ...(t.worker !== undefined && { worker: t.worker }),
    };
    for (const [k, v] of Object.entries(attrs)) op(JournalOp.SET_TRIAL_USER_ATTR, { trial_id: trialId, user_attr: { [k]: v } });
    if (t.state === "waiting" || t.state === "running") return;
    const values = objectives.map((x) => t.metrics[x.metric]);
    const complete = t.state === "completed" && values.every((v) => v !== undefined && Number.isFinite(v));
    op(JournalOp.SET_TRIAL_STATE_VALUES, {
      trial_id: trialId,
      state: complete ? OptunaTrialState.COMPLETE : t.state === "completed" ? OptunaTrialState.FAIL : STATE_OF[t.state],
      values: complete ? values : null,
      datetime_complete: optunaDatetime(t.timings.finishedAt ?? start),
    });
  });
  return lines.join("\n") + "\n";
}

/** A study rebuilt by {@link replayOptunaJournal}. */
export interface JournalStudy {
  readonly studyId: number;
  readonly name: string;
  readonly directions: readonly ("minimize" | "maximize" | "not_set")[];
  readonly userAttrs: Record<string, unknown>;
  readonly systemAttrs: Record<string, unknown>;
  readonly trialIds: number[];
}

/** A trial rebuilt by {@link replayOptunaJournal} (Optuna's FrozenTrial, in part). */
export interface JournalTrial {
  readonly trialId: number;
  readonly studyId: number;
  readonly number: number;
  state: OptunaStateName;
  params: Record<string, Choice>;
  distributions: Record<string, OptunaDistribution>;
  values: number[] | null;
  intermediateValues: Record<number, number>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  datetimeStart: string | null;
  datetimeComplete: string | null;
}

/** A journal that Optuna would reject. */
export class OptunaJournalError extends SweepError {}

function toExternal(d: OptunaDistribution, internal: number): Choice {
  if (d.name === "CategoricalDistribution") {
    const c = d.attributes.choices[internal];
    if (!Number.isInteger(internal) || c === undefined) throw new OptunaJournalError(`categorical index ${internal} out of range`);
    return c;
  }
  return d.name === "IntDistribution" ? Math.trunc(internal) : internal;
}

function compatible(a: OptunaDistribution, b: OptunaDistribution): boolean {
  if (a.name !== b.name) return false;
  if (a.name === "CategoricalDistribution" && b.name === "CategoricalDistribution") {
    return JSON.stringify(a.attributes.choices) === JSON.stringify(b.attributes.choices);
  }
  return a.name === "CategoricalDistribution" || (a.attributes as { log: boolean }).log === (b.attributes as { log: boolean }).log;
}

function oneKey(log: Record<string, unknown>, field: string): Record<string, unknown> {
  const v = log[field];
  if (!v || typeof v !== "object" || Object.keys(v).length !== 1) throw new OptunaJournalError(`${field} must hold exactly one key`);
  return v as Record<string, unknown>;
}

/**
 * Replays a journal the way Optuna's `JournalStorageReplayResult.apply_logs` does (for logs
 * of another worker): studies by creation, trial ids in creation order, numbers per study,
 * updates to unknown or finished trials ignored, parameters whose distribution conflicts
 * with an earlier trial's ignored, categorical values mapped back from their index.
 * @throws OptunaJournalError on malformed lines or unknown op codes.
 */
export function replayOptunaJournal(text: string): { studies: JournalStudy[]; trials: JournalTrial[] } {
  const studies = new Map<number, JournalStudy>();
  const trials: JournalTrial[] = [];
  let nextStudy = 0;
  const finished = (t: JournalTrial): boolean => t.state !== "RUNNING" && t.state !== "WAITING";
  const updatable = (id: unknown): JournalTrial | undefined => {
    const t = typeof id === "number" ? trials[id] : undefined;
    return t && !finished(t) ? t : undefined;
  };
  const stateName = (s: unknown): OptunaStateName => {
    const n = STATE_NAMES[s as number];
    if (!n) throw new OptunaJournalError(`unknown trial state ${String(s)}`);
    return n;
  };
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let log: Record<string, unknown>;
    try {
      log = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new OptunaJournalError(`line ${i + 1}: not JSON`);
    }
    if (typeof log["worker_id"] !== "string") throw new OptunaJournalError(`line ${i + 1}: worker_id missing`);
    switch (log["op_code"]) {
      case JournalOp.CREATE_STUDY: {
        const name = String(log["study_name"]);
        if ([...studies.values()].some((s) => s.name === name)) return;
        const dirs = (log["directions"] as number[]).map((d) => (d === 2 ? "maximize" : d === 1 ? "minimize" : "not_set") as JournalStudy["directions"][number]);
        studies.set(nextStudy, { studyId: nextStudy, name, directions: dirs, userAttrs: {}, systemAttrs: {}, trialIds: [] });
        nextStudy++;
        return;
      }
      case JournalOp.DELETE_STUDY:
        studies.delete(log["study_id"] as number);
        return;
      case JournalOp.SET_STUDY_USER_ATTR:
        Object.assign(studies.get(log["study_id"] as number)?.userAttrs ?? {}, oneKey(log, "user_attr"));
        return;
      case JournalOp.SET_STUDY_SYSTEM_ATTR:
        Object.assign(studies.get(log["study_id"] as number)?.systemAttrs ?? {}, oneKey(log, "system_attr"));
        return;
      case JournalOp.CREATE_TRIAL: {
        const study = studies.get(log["study_id"] as number);
        if (!study) return;
        const dists: Record<string, OptunaDistribution> = {};
        for (const [k, v] of Object.entries((log["distributions"] ?? {}) as Record<string, string>)) dists[k] = JSON.parse(v) as OptunaDistribution;
        const params: Record<string, Choice> = {};
        for (const [k, v] of Object.entries((log["params"] ?? {}) as Record<string, number>)) params[k] = toExternal(dists[k] as OptunaDistribution, v);
        const t: JournalTrial = {
          trialId: trials.length,
          studyId: study.studyId,
          number: study.trialIds.length,
          state: "state" in log ? stateName(log["state"]) : "RUNNING",
          params,
          distributions: dists,
          values: (log["values"] as number[] | null | undefined) ?? (typeof log["value"] === "number" ? [log["value"]] : null),
          intermediateValues: {},
          userAttrs: { ...((log["user_attrs"] ?? {}) as Record<string, unknown>) },
          systemAttrs: { ...((log["system_attrs"] ?? {}) as Record<string, unknown>) },
          datetimeStart: (log["datetime_start"] as string | null) ?? null,
          datetimeComplete: (log["datetime_complete"] as string | undefined) ?? null,
        };
        trials.push(t);
        study.trialIds.push(t.trialId);
        return;
      }
      case JournalOp.SET_TRIAL_PARAM: {
        const t = updatable(log["trial_id"]);
        if (!t) return;
        const name = String(log["param_name"]);
        const d = JSON.parse(String(log["distribution"])) as OptunaDistribution;
        const prev = studies.get(t.studyId)?.trialIds.map((id) => trials[id] as JournalTrial).find((p) => name in p.params);
        if (prev && !compatible(prev.distributions[name] as OptunaDistribution, d)) return;
        t.params = { ...t.params, [name]: toExternal(d, log["param_value_internal"] as number) };
        t.distributions = { ...t.distributions, [name]: d };
        return;
      }
      case JournalOp.SET_TRIAL_STATE_VALUES: {
        const t = updatable(log["trial_id"]);
        if (!t) return;
        const state = stateName(log["state"]);
        if (state === "RUNNING" && t.state === "RUNNING") return;
        if (state === "RUNNING") t.datetimeStart = String(log["datetime_start"]);
        if (state !== "RUNNING" && state !== "WAITING") {
          if (typeof log["datetime_complete"] !== "string") throw new OptunaJournalError(`line ${i + 1}: datetime_complete missing`);
          t.datetimeComplete = log["datetime_complete"];
        }
        t.state = state;
        if (log["values"] !== null && log["values"] !== undefined) t.values = log["values"] as number[];
        return;
      }
      case JournalOp.SET_TRIAL_INTERMEDIATE_VALUE: {
        const t = updatable(log["trial_id"]);
        if (t) t.intermediateValues = { ...t.intermediateValues, [log["step"] as number]: log["intermediate_value"] as number };
        return;
      }
      case JournalOp.SET_TRIAL_USER_ATTR: {
        const t = updatable(log["trial_id"]);
        if (t) t.userAttrs = { ...t.userAttrs, ...oneKey(log, "user_attr") };
        return;
      }
      case JournalOp.SET_TRIAL_SYSTEM_ATTR: {
        const t = updatable(log["trial_id"]);
        if (t) t.systemAttrs = { ...t.systemAttrs, ...oneKey(log, "system_attr") };
        return;
      }
      default:
        throw new OptunaJournalError(`line ${i + 1}: unknown op_code ${String(log["op_code"])}`);
    }
  });
  return { studies: [...studies.values()], trials };
}
