/**
 * The one-shot ("OS", `os-P`) baseline of the SAP code (docs/methods.md §1.5): like the lottery
 * ticket, every round prunes a fraction `rate` of the remaining weights and rewinds to the
 * initial weights, but the ranking always uses the magnitudes of the **first dense trained
 * model** (the pretrained net), never the retrained ones. The mask still accumulates, so after
 * t rounds (1 - P)^t of the weights remain. See `lottery-ticket.ts` for progress and params.
 */
import type { PruningMethod } from "./pruning-method.js";
import { parseRateRounds, runRateRounds, type RateRoundsParams } from "./lottery-ticket.js";

/** The `one-shot` pruning method. */
export const oneShotMethod: PruningMethod<RateRoundsParams, "one-shot"> = {
  name: "one-shot",
  parseParams: ({ own }) => parseRateRounds("one-shot", own),
  run: (ctx, p) => runRateRounds(ctx, p, "dense"),
};
