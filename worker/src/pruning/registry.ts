/**
 * Pruning-method registry: one implementation per method of proto's catalogue. Add a method
 * by writing `pruning/<name>.ts` exporting a {@link PruningMethod}, adding its entry to the
 * catalogue (`proto/src/catalogue/methods.ts`) and one line here (docs/extending.md). The map
 * is typed against the catalogue: a catalogued method without an implementation, or an
 * implementation without a catalogue entry, does not compile.
 */
import { METHOD_NAMES, type MethodName } from "@prunesweep/proto";
import { UnknownPruningMethodError } from "../errors.js";
import { earlyExitMethod } from "./early-exit.js";
import { gatesMethod } from "./gates.js";
import { layerPruneMethod } from "./layerprune.js";
import { lotteryTicketMethod } from "./lottery-ticket.js";
import { magnitudeMethod } from "./magnitude.js";
import { oneShotMethod } from "./one-shot.js";
import type { PruningMethod } from "./pruning-method.js";
import { sapMethod } from "./sap.js";

/** Implementations by catalogue name. */
const IMPLEMENTATIONS = {
  magnitude: magnitudeMethod,
  sap: sapMethod,
  "lottery-ticket": lotteryTicketMethod,
  "one-shot": oneShotMethod,
  layerprune: layerPruneMethod,
  gates: gatesMethod,
  "early-exit": earlyExitMethod,
} as const satisfies { readonly [N in MethodName]: PruningMethod<unknown, N> };

/**
 * Looks a method up by name.
 * @throws UnknownPruningMethodError listing the registered names
 */
export function getPruningMethod(name: string): PruningMethod {
  const m = (IMPLEMENTATIONS as Readonly<Record<string, PruningMethod>>)[name];
  if (!m) throw new UnknownPruningMethodError(name, METHOD_NAMES);
  return m;
}
