import { randomBytes } from "node:crypto";
import { CampaignRunner } from "./campaign/campaign-runner.js";
import type { TrialDispatcher } from "./campaign/dispatcher.js";
import { summarizeFront, type FrontSummary } from "./campaign/front.js";
import { createEarlyStopper } from "./early-stopping/index.js";
import { CampaignNotFoundError } from "./errors.js";
import type { Logger } from "./logger.js";
import { createSampler } from "./samplers/index.js";
import { parseCampaignSpec } from "./spec/index.js";
import type { CampaignSpec } from "./domain/campaign-spec.js";
import type { CampaignStore } from "./store/campaign-store.js";

export interface CoordinatorDeps {
  readonly store: CampaignStore;
  readonly dispatcher: TrialDispatcher;
  readonly log: Logger;
}

/**
 * Hosts the campaigns of one coordinator process: creates them from specs, routes worker
 * reports to their runners, and answers operator queries. Transport-free; the gRPC server
 * and the CLI bind to it.
 */
export class Coordinator {
  private readonly runners = new Map<string, CampaignRunner>();
  private readonly created = new Set<(r: CampaignRunner) => void>();

  constructor(private readonly deps: CoordinatorDeps) {}

  /**
   * Validates a spec and starts a new campaign.
   * @throws SpecError naming the offending path, before anything is recorded.
   */
  async submit(specYaml: string, source?: string): Promise<CampaignRunner> {
    const spec = parseCampaignSpec(specYaml, source);
    return this.start(spec, specYaml);
  }

  /** Starts a campaign from an already validated spec. */
  async start(spec: CampaignSpec, specYaml: string, campaignId = newCampaignId(spec.name)): Promise<CampaignRunner> {
    const sampler = createSampler(spec.sampler, spec, spec.seed);
    const stopper = createEarlyStopper(spec.earlyStopping);
    const runner = await CampaignRunner.create(campaignId, spec, specYaml, { ...this.deps, sampler, stopper });
    this.runners.set(campaignId, runner);
    for (const l of this.created) l(runner);
    await runner.start();
    this.deps.log.info("campaign started", { campaign: campaignId, maxTrials: spec.budget.maxTrials });
    return runner;
  }

  /**
   * Rebuilds every campaign recorded in the store (after a coordinator restart) and resumes
   * the running ones: same trials, same sampler state; trials never published are published
   * again (idempotently). Returns the restored runners.
   */
  async restoreAll(only?: readonly string[]): Promise<CampaignRunner[]> {
    const restored: CampaignRunner[] = [];
    for (const id of await this.deps.store.listCampaigns()) {
      if (this.runners.has(id) || (only && !only.includes(id))) continue;
      const events = await this.deps.store.load(id);
      const created = events.find((e) => e.type === "CampaignCreated");
      if (!created || created.type !== "CampaignCreated") continue;
      const spec = parseCampaignSpec(created.specYaml, `campaign ${id}`);
      const sampler = createSampler(spec.sampler, spec, spec.seed);
      const stopper = createEarlyStopper(spec.earlyStopping);
      const runner = await CampaignRunner.restore(id, spec, events, { ...this.deps, sampler, stopper });
      this.runners.set(id, runner);
      for (const l of this.created) l(runner);
      if (runner.state.status === "running") await runner.start();
      this.deps.log.info("campaign restored", { campaign: id, status: runner.state.status, trials: runner.state.trialCount });
      restored.push(runner);
    }
    return restored;
  }

  /** Marks running trials without reports for `staleAfterMs` as failed attempts, in every campaign. */
  async failStaleTrials(staleAfterMs: number): Promise<void> {
    for (const r of this.runners.values()) {
      if (r.state.status !== "running") continue;
      const stale = await r.failStaleTrials(staleAfterMs);
      if (stale.length > 0) this.deps.log.warn("stale trials re-queued", { campaign: r.campaignId, trials: stale });
    }
  }

  /** Calls `listener` for every campaign created from now on. */
  onCampaign(listener: (r: CampaignRunner) => void): () => void {
    this.created.add(listener);
    return () => this.created.delete(listener);
  }

  /** @throws CampaignNotFoundError */
  get(campaignId: string): CampaignRunner {
    const r = this.runners.get(campaignId);
    if (!r) throw new CampaignNotFoundError(`campaign ${campaignId} not found`);
    return r;
  }

  list(): readonly CampaignRunner[] {
    return [...this.runners.values()];
  }

  /** The campaign's Pareto front over its objectives (feasible completed trials only). */
  front(campaignId: string): FrontSummary {
    const r = this.get(campaignId);
    return summarizeFront(r.state.snapshots(), r.spec.objectives, r.spec.constraints);
  }

  async cancel(campaignId: string, reason = "cancelled by operator"): Promise<CampaignRunner> {
    const r = this.get(campaignId);
    await r.cancel(reason);
    return r;
  }

  close(): void {
    for (const r of this.runners.values()) r.close();
  }
}

/** `<name>-<6 hex>`: a valid NATS subject token, unique per submission. */
export function newCampaignId(name: string): string {
  return `${name}-${randomBytes(3).toString("hex")}`;
}
