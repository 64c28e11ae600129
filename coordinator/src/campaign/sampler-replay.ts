import type { CampaignEvent } from "../domain/events.js";
import { Rng, seedFrom } from "../domain/rng.js";
import { isFinished, type TrialSnapshot } from "../domain/trial.js";
import type { CampaignSpec } from "../domain/campaign-spec.js";
import type { SamplerView, Sampler, Suggestion } from "../samplers/sampler.js";
import type { CampaignState } from "./state.js";

/**
 * Drives a campaign's sampler: asks it for trial `number` with that trial's own seeded rng,
 * tells it every trial that becomes final, and rebuilds its state after a restart by
 * replaying `ask` and `tell` over the recorded trials (samplers are disposable).
 */
export class SamplerDriver {
  constructor(
    private readonly sampler: Sampler,
    private readonly spec: CampaignSpec,
    private readonly state: CampaignState,
  ) {}

  /** The read-only view handed to the sampler and the early stopper. */
  view(): SamplerView {
    const state = this.state;
    return {
      // Built on first read: samplers that ignore the history (random, Sobol) cost nothing.
      get trials() {
        return state.snapshots();
      },
      space: this.spec.space,
      objectives: this.spec.objectives,
      constraints: this.spec.constraints,
      paramConstraints: this.spec.paramConstraints,
    };
  }

  /** Asks for the parameters of trial `number` (0-based creation index). */
  ask(number: number): Suggestion {
    return this.sampler.ask(this.view(), this.trialRng(number));
  }

  /** Tells the sampler about a trial that an applied event made final. */
  tellIfFinal(e: CampaignEvent): void {
    if (e.type === "TrialCompleted" || (e.type === "TrialFailed" && e.final)) {
      this.sampler.tell?.(this.state.trial(e.trialId), this.view());
    }
  }

  /**
   * Replays the recorded trials into a fresh sampler (after `state` was rebuilt from the log or
   * a snapshot); nothing for a sampler that derives everything from the view.
   */
  replay(): void {
    if (this.sampler.derivesFromView) return;
    const snaps = this.state.snapshots();
    const asked: TrialSnapshot[] = [];
    for (const t of snaps) {
      // Re-asking keeps stateful samplers (grid cursor, GA queue) in step with the log.
      this.sampler.ask({ ...this.view(), trials: asked }, this.trialRng(t.number));
      asked.push({ ...t, state: "waiting", metrics: {} });
    }
    for (const t of snaps) if (isFinished(t.state)) this.sampler.tell?.(t, this.view());
  }

  private trialRng(number: number): Rng {
    return new Rng(seedFrom(this.spec.name, this.spec.seed * 1_000_003 + number));
  }
}
