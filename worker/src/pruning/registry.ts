/**
 * Pruning-method registry. Add a method by writing `pruning/<name>.ts` exporting a
 * {@link PruningMethod} and listing it in {@link PRUNING_METHODS}; mirror its parameter rules
 * in proto's METHOD_CATALOG so the coordinator can validate search spaces.
 */
import { UnknownPruningMethodError } from "../errors.js";
import { magnitudeMethod } from "./magnitude.js";
import type { PruningMethod } from "./pruning-method.js";

/** Registered methods by name. */
export const PRUNING_METHODS: ReadonlyMap<string, PruningMethod> = new Map<string, PruningMethod>([
  [magnitudeMethod.name, magnitudeMethod as PruningMethod],
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
