/**
 * Early-stopper registry: the names a spec may use (`earlyStopping.name`), their option
 * schemas, and {@link createEarlyStopper}. Option errors are {@link SpecError}s located at
 * `earlyStopping.<option>`.
 */
import { z } from "zod";
import { SpecError, type SpecIssue } from "../errors.js";
import { parseWith } from "../domain/spec-issues.js";
import type { EarlyStoppingConfig } from "../domain/campaign-spec.js";
import { NoEarlyStopper, type EarlyStopper } from "./early-stopper.js";
import { MedianStopper } from "./median-stopper.js";
import { AshaStopper, MoAshaStopper } from "./successive-halving.js";

export type { EarlyStopper, StopDecision, StopperView } from "./early-stopper.js";
export { NoEarlyStopper } from "./early-stopper.js";
export { MedianStopper, median } from "./median-stopper.js";
;
export { AshaStopper, MoAshaStopper, defaultMoAshaMetrics, rungsReached,  } from "./successive-halving.js";
;
;
;

/** Defaults of `earlyStopping: {name: median}`. */
const DEFAULT_MEDIAN_OPTIONS = { nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1 } as const;
/** Defaults of `earlyStopping: {name: asha | mo-asha}`. */
const DEFAULT_SUCCESSIVE_HALVING_OPTIONS = { minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 0 } as const;

const direction = z.enum(["maximize", "minimize"]);
const watched = z.strictObject({ metric: z.string().min(1), direction });
const halving = {
  minResource: z.number().int().min(1).default(DEFAULT_SUCCESSIVE_HALVING_OPTIONS.minResource),
  reductionFactor: z.number().int().min(2).default(DEFAULT_SUCCESSIVE_HALVING_OPTIONS.reductionFactor),
  minEarlyStoppingRate: z.number().int().min(0).default(DEFAULT_SUCCESSIVE_HALVING_OPTIONS.minEarlyStoppingRate),
};

/** `metric` and `direction` are given together (`metric: val_accuracy, direction: maximize`) or not at all. */
const singleMetric = {
  metric: z.string().min(1).optional(),
  direction: direction.optional(),
};

const SCHEMAS = {
  none: z.strictObject({ name: z.literal("none") }),
  median: z
    .strictObject({
      name: z.literal("median"),
      nStartupTrials: z.number().int().min(0).default(DEFAULT_MEDIAN_OPTIONS.nStartupTrials),
      nWarmupSteps: z.number().int().min(0).default(DEFAULT_MEDIAN_OPTIONS.nWarmupSteps),
      intervalSteps: z.number().int().min(1).default(DEFAULT_MEDIAN_OPTIONS.intervalSteps),
      ...singleMetric,
    })
    .superRefine(bothOrNeither),
  asha: z.strictObject({ name: z.literal("asha"), ...halving, ...singleMetric }).superRefine(bothOrNeither),
  "mo-asha": z.strictObject({ name: z.literal("mo-asha"), ...halving, metrics: z.array(watched).min(1).optional() }),
} as const;

function bothOrNeither(o: { metric?: string | undefined; direction?: string | undefined }, ctx: z.RefinementCtx): void {
  if (o.metric !== undefined && o.direction === undefined) {
    ctx.addIssue({ code: "custom", path: ["direction"], message: `required with metric (maximize or minimize for ${o.metric})`, input: o });
  }
  if (o.direction !== undefined && o.metric === undefined) {
    ctx.addIssue({ code: "custom", path: ["metric"], message: "required with direction", input: o });
  }
}

/** Names of the early stoppers this build provides. */
export const EARLY_STOPPER_NAMES: readonly string[] = Object.keys(SCHEMAS);

const metricOf = (o: { metric?: string | undefined; direction?: "maximize" | "minimize" | undefined }) =>
  o.metric !== undefined && o.direction !== undefined ? { metric: o.metric, direction: o.direction } : undefined;

/**
 * Issues with an early stopper's options, located under `path` (`earlyStopping.reductionFactor:
 * must be >= 2`). Unknown names are reported at `<path>.name`.
 */
function earlyStopperOptionIssues(config: EarlyStoppingConfig, path = "earlyStopping"): SpecIssue[] {
  const schema = (SCHEMAS as Record<string, z.ZodType>)[config.name];
  if (!schema) return [{ path: `${path}.name`, message: `unknown early stopper "${config.name}"; must be one of: ${EARLY_STOPPER_NAMES.join(", ")}` }];
  const r = parseWith(schema, config, [path]);
  return r.ok ? [] : r.issues;
}

/**
 * Creates the early stopper named in the spec, with its options.
 *
 * | name | options (defaults) |
 * |---|---|
 * | none | — |
 * | median | nStartupTrials (5), nWarmupSteps (0), intervalSteps (1), metric + direction (first objective) |
 * | asha | minResource (1), reductionFactor (3), minEarlyStoppingRate (0), metric + direction (first objective) |
 * | mo-asha | minResource, reductionFactor, minEarlyStoppingRate as asha; metrics: [{metric, direction}] (see `defaultMoAshaMetrics`) |
 *
 * @throws SpecError at `earlyStopping.name` for an unknown stopper, or at
 * `earlyStopping.<option>` for invalid options.
 */
export function createEarlyStopper(config: EarlyStoppingConfig): EarlyStopper {
  const issues = earlyStopperOptionIssues(config);
  if (issues.length > 0) throw new SpecError(issues);
  switch (config.name) {
    case "median": {
      const { metric: _m, direction: _d, ...o } = SCHEMAS.median.parse(config);
      const metric = metricOf({ metric: _m, direction: _d });
      return new MedianStopper({ ...o, ...(metric && { metric }) });
    }
    case "asha": {
      const { metric: _m, direction: _d, ...o } = SCHEMAS.asha.parse(config);
      const metric = metricOf({ metric: _m, direction: _d });
      return new AshaStopper({ ...o, ...(metric && { metric }) });
    }
    case "mo-asha": {
      const o = SCHEMAS["mo-asha"].parse(config);
      return new MoAshaStopper({ ...o, ...(o.metrics && { metrics: o.metrics }) });
    }
    default:
      return new NoEarlyStopper();
  }
}
