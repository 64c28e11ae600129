import { SweepError } from "../errors.js";
import type { EarlyStoppingConfig } from "../spec/types.js";
import { NoEarlyStopper, type EarlyStopper } from "./early-stopper.js";

export type { EarlyStopper, StopDecision, StopperView } from "./early-stopper.js";
export { NoEarlyStopper } from "./early-stopper.js";

/** Names of the early stoppers this build provides. */
export const EARLY_STOPPER_NAMES: readonly string[] = ["none"];

/**
 * Creates the early stopper named in the spec.
 * @throws SweepError naming `earlyStopping.name` and the valid names.
 */
export function createEarlyStopper(config: EarlyStoppingConfig): EarlyStopper {
  switch (config.name) {
    case "none":
      return new NoEarlyStopper();
    default:
      throw new SweepError(
        `earlyStopping.name: "${config.name}" is not available in this build; available: ${EARLY_STOPPER_NAMES.join(", ")}`,
      );
  }
}
