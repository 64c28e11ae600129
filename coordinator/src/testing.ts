/**
 * `@prunesweep/coordinator/testing`: in-memory fakes of the coordinator's own interfaces, for
 * tests that run a campaign without NATS.
 */
import type { DispatchRequest, TrialDispatcher } from "./campaign/dispatcher.js";

/** A {@link TrialDispatcher} that records what it is asked to publish. */
export class RecordingTrialDispatcher implements TrialDispatcher {
  /** Every request, in dispatch order. */
  readonly sent: DispatchRequest[] = [];

  dispatch(request: DispatchRequest): Promise<void> {
    this.sent.push(request);
    return Promise.resolve();
  }
}
