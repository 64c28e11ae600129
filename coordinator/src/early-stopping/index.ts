/**
 * Early-stopper registry: the stoppers a spec may name (`earlyStopping.name`). Each stopper
 * file exports its entry (name, one-line rule, options schema, constructor); add one by
 * writing its file and listing its entry here. Option errors are {@link SpecError}s located
 * at `earlyStopping.<option>`.
 */
import { SpecError, type SpecIssue } from "../errors.js";
import { parseWith } from "../domain/spec-issues.js";
import type { EarlyStoppingConfig } from "../domain/campaign-spec.js";
import { noEarlyStopperEntry, type EarlyStopper, type EarlyStopperEntry } from "./early-stopper.js";
import { medianStopperEntry } from "./median-stopper.js";
import { ashaStopperEntry, moAshaStopperEntry } from "./successive-halving.js";

export type { EarlyStopper, EarlyStopperEntry, StopDecision, StopperView } from "./early-stopper.js";
export { NoEarlyStopper } from "./early-stopper.js";
export { MedianStopper, median } from "./median-stopper.js";
export { AshaStopper, MoAshaStopper, defaultMoAshaMetrics, rungsReached } from "./successive-halving.js";

/** Every registered stopper, in the order error messages and docs list them. */
export const EARLY_STOPPERS: readonly EarlyStopperEntry[] = [noEarlyStopperEntry, medianStopperEntry, ashaStopperEntry, moAshaStopperEntry];

/** Names of the early stoppers a spec may use (`earlyStopping.name`). */
export const EARLY_STOPPER_NAMES: readonly string[] = EARLY_STOPPERS.map((e) => e.name);

const findStopper = (name: string): EarlyStopperEntry | undefined => EARLY_STOPPERS.find((e) => e.name === name);

/**
 * Issues with an early stopper's options, located under `path` (`earlyStopping.reductionFactor:
 * must be >= 2`). Unknown names are reported at `<path>.name`.
 */
function earlyStopperOptionIssues(config: EarlyStoppingConfig, path = "earlyStopping"): SpecIssue[] {
  const schema = findStopper(config.name)?.options;
  if (!schema) return [{ path: `${path}.name`, message: `unknown early stopper "${config.name}"; must be one of: ${EARLY_STOPPER_NAMES.join(", ")}` }];
  const r = parseWith(schema, config, [path]);
  return r.ok ? [] : r.issues;
}

/**
 * Creates the early stopper named in the spec, with its options (each stopper's entry lists
 * them with their defaults; docs/campaign-spec.md has the table).
 *
 * @throws SpecError at `earlyStopping.name` for an unknown stopper, or at
 * `earlyStopping.<option>` for invalid options.
 */
export function createEarlyStopper(config: EarlyStoppingConfig): EarlyStopper {
  const entry = findStopper(config.name);
  const issues = earlyStopperOptionIssues(config);
  if (!entry || issues.length > 0) throw new SpecError(issues);
  return entry.create(entry.options.parse(config));
}
