/**
 * Pruning-method registry. Add a method by writing `pruning/<name>.ts` exporting a
 * {@link PruningMethod} and listing it in {@link PRUNING_METHODS}; mirror its parameter rules
 * in proto's METHOD_CATALOG so the coordinator can validate search spaces.
 */
import { UnknownPruningMethodError } from "../errors.js";
import { earlyExitMethod } from "./early-exit.js";
import { gatesMethod } from "./gates.js";
import { layerPruneMethod } from "./layerprune.js";
import { lotteryTicketMethod } from "./lottery-ticket.js";
import { magnitudeMethod } from "./magnitude.js";
import { oneShotMethod } from "./one-shot.js";
import type { PruningMethod } from "./pruning-method.js";
import { sapMethod } from "./sap.js";

/** Registered methods by name. */
export const PRUNING_METHODS: ReadonlyMap<string, PruningMethod> = new Map<string, PruningMethod>([
  [magnitudeMethod.name, magnitudeMethod as PruningMethod],
  [layerPruneMethod.name, layerPruneMethod as PruningMethod],
  [gatesMethod.name, gatesMethod as PruningMethod],
  [earlyExitMethod.name, earlyExitMethod as PruningMethod],
  [sapMethod.name, sapMethod as PruningMethod],
  [lotteryTicketMethod.name, lotteryTicketMethod as PruningMethod],
  [oneShotMethod.name, oneShotMethod as PruningMethod],
]);

/** Names of the registered methods. */
export const PRUNING_METHOD_NAMES: readonly string[] = [...PRUNING_METHODS.keys()];

/**
 * Looks a method up by name.
 * @throws UnknownPruningMethodError listing the registered names
 */
export function getPruningMethod(name: string): PruningMethod {
  const m = PRUNING_METHODS.get(name);
  if (!m) throw new UnknownPruningMethodError(name, PRUNING_METHOD_NAMES);
  return m;
}
