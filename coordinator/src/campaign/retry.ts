import type { Logger } from "../logger.js";

/** Capped exponential backoff of {@link retryUntilDone}. */
export interface Backoff {
  /** Delay after the first failure. */
  readonly firstMs: number;
  /** Upper bound of the delay. */
  readonly maxMs: number;
}

/**
 * Calls `attempt` until it resolves, waiting `firstMs · 2^n` (capped at `maxMs`) after the
 * n-th failure and logging each one as a warning with `fields`. For operations that are
 * idempotent and must eventually happen (appending an event, publishing an assignment).
 */
export async function retryUntilDone(
  attempt: () => Promise<unknown>,
  backoff: Backoff,
  log: Logger,
  message: string,
  fields: Readonly<Record<string, unknown>>,
): Promise<void> {
  for (let n = 0; ; n++) {
    try {
      await attempt();
      return;
    } catch (err) {
      const delayMs = Math.min(backoff.maxMs, backoff.firstMs * 2 ** n);
      log.warn(message, { ...fields, delayMs, error: String(err) });
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
