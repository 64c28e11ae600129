/** The worker's lifecycle as an explicit state machine. */
import { IllegalStateError } from "./errors.js";

/** Lifecycle of a worker. */
export type WorkerState = "initialized" | "running" | "draining" | "stopped" | "failed";

/**
 * The transitions a worker may make: it starts (`run`), drains on shutdown or when its trial
 * budget is spent, and ends stopped (clean) or failed (its loop threw, or shutdown passed its
 * deadline). A worker shut down before it ran stops at once. Final states are final.
 */
const NEXT: Readonly<Record<WorkerState, readonly WorkerState[]>> = {
  initialized: ["running", "stopped"],
  running: ["draining", "failed"],
  draining: ["stopped", "failed"],
  stopped: [],
  failed: [],
};

/** Holds a worker's state; every change goes through {@link Lifecycle.to}. */
export class Lifecycle {
  private current: WorkerState = "initialized";

  get state(): WorkerState {
    return this.current;
  }

  /**
   * Moves to `next`.
   * @throws IllegalStateError naming both states when the transition is not allowed.
   */
  to(next: WorkerState): void {
    if (!NEXT[this.current].includes(next)) {
      throw new IllegalStateError(`worker cannot go from ${this.current} to ${next} (allowed: ${NEXT[this.current].join(", ") || "none"})`);
    }
    this.current = next;
  }

  /** True in `stopped` and `failed`. */
  get finished(): boolean {
    return NEXT[this.current].length === 0;
  }
}
