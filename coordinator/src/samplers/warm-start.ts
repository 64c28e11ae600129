/**
 * Warm starts: `sampler.enqueue` (configurations the first trials use, like Optuna's
 * `enqueue_trial`) and importing the finished trials of an earlier campaign's results.json.
 */
import { z } from "zod";
import { InvalidSearchSpaceError, type SpecIssue } from "../errors.js";
import { conditionsHold, sampleOrder } from "../search-space/conditions.js";
import { containsValue, isScalar, type Scalar } from "../search-space/distribution.js";
import { sampleValue } from "../search-space/encoding.js";
import { satisfiesConstraints } from "../search-space/param-constraints.js";
import type { SearchSpace } from "../search-space/parse-space.js";
import type { Params, TrialSnapshot, TrialState } from "../domain/trial.js";
import type { ParamConstraint, ParamSpec } from "../domain/campaign-spec.js";
import { MAX_CONSTRAINT_TRIES } from "./random-sampler.js";
import type { Rng } from "../domain/rng.js";
import type { EnqueuedParams, SamplerView, Sampler, Suggestion } from "./sampler.js";

export type { EnqueuedParams };

/**
 * Issues of `sampler.enqueue` against the space, located at `<path>.<i>.<param>`: unknown
 * parameters, values the distribution cannot take, values of parameters that are inactive in
 * that configuration, and parameter constraints violated by the given values.
 */
export function enqueueIssues(entries: readonly EnqueuedParams[], space: SearchSpace, path = "sampler.enqueue"): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const byName = new Map(space.space.map((p) => [p.name, p]));
  let order: ParamSpec[];
  try {
    order = sampleOrder(space.space);
  } catch {
    return issues; // a cyclic space is reported by the space parser
  }
  entries.forEach((entry, i) => {
    for (const [name, v] of Object.entries(entry)) {
      const p = byName.get(name);
      if (!p) issues.push({ path: `${path}.${i}.${name}`, message: "unknown parameter (not in the space)" });
      else if (!containsValue(p.distribution, v)) issues.push({ path: `${path}.${i}.${name}`, message: `${JSON.stringify(v)} is not a value of ${name}` });
    }
    // Active = its conditions hold on the given values (a parent left to chance does not count).
    const active = new Set<string>();
    for (const p of order) if (conditionsHold(p, entry, (n) => active.has(n))) active.add(p.name);
    for (const name of Object.keys(entry)) {
      if (byName.has(name) && !active.has(name)) {
        issues.push({ path: `${path}.${i}.${name}`, message: "is inactive in this configuration: give the parameters its `when` refers to, with values that activate it" });
      }
    }
    const broken = space.paramConstraints.filter((c) => !satisfiesConstraints(entry, [c]));
    if (broken.length > 0) issues.push({ path: `${path}.${i}`, message: `violates ${broken.map((c) => c.source).join(", ")}` });
  });
  return issues;
}

/**
 * Completes an enqueued configuration: active parameters it does not give are drawn at
 * random (uniformly, log-uniformly for log parameters), in dependency order, again until the
 * parameter constraints hold.
 *
 * @throws InvalidSearchSpaceError when no completion satisfies the constraints in
 * `MAX_CONSTRAINT_TRIES` draws.
 */
function completeParams(entry: EnqueuedParams, space: SearchSpace, rng: Rng, extra: readonly ParamConstraint[] = []): Record<string, Scalar> {
  const order = sampleOrder(space.space);
  const constraints = [...space.paramConstraints, ...extra];
  for (let i = 0; i < MAX_CONSTRAINT_TRIES; i++) {
    const out: Record<string, Scalar> = {};
    for (const p of order) {
      if (!conditionsHold(p, out, (n) => out[n] !== undefined)) continue;
      const given = entry[p.name];
      out[p.name] = given !== undefined ? given : sampleValue(p.distribution, rng);
    }
    if (satisfiesConstraints(out, constraints)) return out;
  }
  throw new InvalidSearchSpaceError(`no completion of the enqueued configuration ${JSON.stringify(entry)} satisfies the parameter constraints`);
}

/**
 * Wraps a sampler so that trial number i < `entries.length` uses `entries[i]` (completed at
 * random where partial); later trials come from the wrapped sampler. The mapping depends on
 * the trial number only, so a rebuilt sampler agrees with the original.
 */
export class EnqueuedSampler implements Sampler {
  readonly name: string;
  /** The enqueued part depends on the trial number only. */
  readonly derivesFromView: boolean;

  constructor(
    private readonly inner: Sampler,
    private readonly entries: readonly EnqueuedParams[],
    private readonly space: SearchSpace,
  ) {
    this.name = inner.name;
    this.derivesFromView = inner.derivesFromView === true;
  }

  ask(view: SamplerView, rng: Rng): Suggestion {
    const entry = this.entries[view.trials.length];
    if (entry) return { kind: "params", params: completeParams(entry, this.space, rng, view.paramConstraints) };
    return this.inner.ask(view, rng);
  }

  tell(trial: TrialSnapshot, view: SamplerView): void {
    this.inner.tell?.(trial, view);
  }

  importTrials(trials: readonly TrialSnapshot[]): void {
    this.inner.importTrials?.(trials);
  }
}

const FINAL_STATES: readonly TrialState[] = ["completed", "stopped_early", "failed", "cancelled"];

const resultsSchema = z.looseObject({
  trials: z.array(
    z.looseObject({
      id: z.string(),
      number: z.number().int(),
      state: z.string(),
      params: z.record(z.string(), z.unknown()),
      metrics: z.record(z.string(), z.number()).default({}),
      attempts: z.number().int().default(1),
    }),
  ),
});

/** What {@link trialsFromResults} kept and why it skipped the rest. */
export interface ImportedTrials {
  readonly trials: TrialSnapshot[];
  /** Trials left out: not final, or parameters that do not fit the current space. */
  readonly skipped: number;
}

/**
 * The finished trials of an earlier campaign's results.json (the CLI's `ResultsFile`) that
 * fit `space`, as snapshots for {@link Sampler.importTrials}. A trial is kept when it is final
 * and every parameter active under its values has a value the current distribution can take;
 * parameters the current space does not have are dropped. Ids are prefixed `import:`.
 *
 * @throws z.ZodError (wrapped in a RangeError) when the object is not a results file.
 */
export function trialsFromResults(results: unknown, space: SearchSpace): ImportedTrials {
  const parsed = resultsSchema.safeParse(results);
  if (!parsed.success) throw new RangeError(`not a results.json (expected {trials: [{id, number, state, params, metrics}]}): ${parsed.error.message}`);
  const order = sampleOrder(space.space);
  const trials: TrialSnapshot[] = [];
  let skipped = 0;
  for (const t of parsed.data.trials) {
    if (!FINAL_STATES.includes(t.state as TrialState)) {
      skipped++;
      continue;
    }
    const params: Record<string, Scalar> = {};
    let fits = true;
    for (const p of order) {
      if (!conditionsHold(p, params, (n) => params[n] !== undefined)) continue;
      const v = t.params[p.name];
      if (!isScalar(v) || !containsValue(p.distribution, v)) {
        fits = false;
        break;
      }
      params[p.name] = v;
    }
    if (!fits || !satisfiesConstraints(params, space.paramConstraints)) {
      skipped++;
      continue;
    }
    trials.push({
      id: `import:${t.id}`,
      number: t.number,
      state: t.state as TrialState,
      params: params as Params,
      metrics: t.metrics,
      progress: [],
      attempts: t.attempts,
      createdAt: 0,
    });
  }
  return { trials, skipped };
}
