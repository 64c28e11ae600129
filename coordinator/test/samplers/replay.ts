/**
 * Helpers for restart tests: rebuild a sampler the way `CampaignRunner.restore` does (ask once
 * per recorded trial with the trials before it shown as waiting, then tell every final trial).
 */
import type { TrialSnapshot } from "../../src/domain/trial.js";
import { isFinished } from "../../src/domain/trial.js";
import { Rng } from "../../src/domain/rng.js";
import type { SamplerView, Sampler } from "../../src/samplers/sampler.js";

/** Replays `view.trials` into a fresh sampler like the campaign runner's restore. */
export function replay(sampler: Sampler, view: SamplerView, seed: number): void {
  const seen: TrialSnapshot[] = [];
  for (const t of view.trials) {
    sampler.ask({ ...view, trials: seen }, new Rng(seed * 1_000_003 + t.number));
    seen.push({ ...t, state: "waiting", metrics: {} });
  }
  for (const t of view.trials) if (isFinished(t.state)) sampler.tell?.(t, view);
}
