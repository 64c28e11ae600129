import { randomBytes } from "node:crypto";
import { CampaignRunner } from "./campaign/campaign-runner.js";
import type { TrialDispatcher } from "./campaign/dispatcher.js";
import type { ReadonlyCampaign } from "./campaign/readonly-campaign.js";
import { loadRestorePoint, type SnapshotPolicy } from "./campaign/snapshots.js";
import type { WorkerReports } from "./campaign/worker-reports.js";
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
  /** Campaign snapshots: written every `everyEvents` events, read first on restore. */
  readonly snapshots?: SnapshotPolicy;
}

/**
 * Hosts the campaigns of one coordinator process: creates them from specs, routes worker
 * reports to their runners, and answers operator queries with read-only views.
 * Transport-free; the gRPC server, the HTTP server and the CLI bind to it.
 */
export class Coordinator {
  private readonly runners = new Map<string, CampaignRunner>();
  private readonly created = new Set<(c: ReadonlyCampaign) => void>();

  constructor(private readonly deps: CoordinatorDeps) {}

  /**
   * Validates a spec and starts a new campaign.
   * @throws SpecError naming the offending path, before anything is recorded.
   */
  async submit(specYaml: string, source?: string): Promise<ReadonlyCampaign> {
    const spec = parseCampaignSpec(specYaml, source);
    return this.start(spec, specYaml);
  }

  /** Starts a campaign from an already validated spec. */
  async start(spec: CampaignSpec, specYaml: string, campaignId = newCampaignId(spec.name)): Promise<ReadonlyCampaign> {
    const sampler = createSampler(spec.sampler, spec, spec.seed);
    const stopper = createEarlyStopper(spec.earlyStopping);
    const runner = await CampaignRunner.create(campaignId, spec, specYaml, { ...this.deps, sampler, stopper });
    this.runners.set(campaignId, runner);
    for (const l of this.created) l(runner.view);
    await runner.start();
    this.deps.log.info("campaign started", { campaign: campaignId, maxTrials: spec.budget.maxTrials });
    return runner.view;
  }

  /**
   * Rebuilds every campaign recorded in the store (after a coordinator restart) and resumes
   * the running ones: same trials, same sampler state; trials never published are published
   * again (idempotently). Each starts from its newest usable snapshot and replays only the
   * events after it (the whole log without one). Returns the restored runners.
   */
  async restoreAll(only?: readonly string[]): Promise<ReadonlyCampaign[]> {
    const restored: ReadonlyCampaign[] = [];
    for (const id of await this.deps.store.listCampaigns()) {
      if (this.runners.has(id) || (only && !only.includes(id))) continue;
      const t0 = performance.now();
      const point = await loadRestorePoint(id, this.deps.store, this.deps.snapshots?.store, this.deps.log);
      const t1 = performance.now();
      const created = point.events.find((e) => e.event.type === "CampaignCreated")?.event;
      const specYaml = point.snapshot?.specYaml ?? (created?.type === "CampaignCreated" ? created.specYaml : undefined);
      if (specYaml === undefined) continue;
      const spec = parseCampaignSpec(specYaml, `campaign ${id}`);
      const sampler = createSampler(spec.sampler, spec, spec.seed);
      const stopper = createEarlyStopper(spec.earlyStopping);
      const runner = CampaignRunner.resume(id, spec, point, { ...this.deps, sampler, stopper });
      const t2 = performance.now();
      this.runners.set(id, runner);
      for (const l of this.created) l(runner.view);
      if (runner.view.status === "running") await runner.start();
      this.deps.log.info("campaign restored", {
        campaign: id,
        status: runner.view.status,
        trials: runner.view.trialCount,
        fromSnapshot: point.snapshot ? point.position : false,
        eventsReplayed: point.events.length,
        loadMs: Math.round(t1 - t0),
        rebuildMs: Math.round(t2 - t1),
      });
      restored.push(runner.view);
    }
    return restored;
  }

  /** Marks running trials without reports for `staleAfterMs` as failed attempts, in every campaign. */
  async failStaleTrials(staleAfterMs: number): Promise<void> {
    for (const r of this.runners.values()) {
      if (r.view.status !== "running") continue;
      const stale = await r.failStaleTrials(staleAfterMs);
      if (stale.length > 0) this.deps.log.warn("stale trials re-queued", { campaign: r.campaignId, trials: stale });
    }
  }

  /** Calls `listener` for every campaign created or restored from now on. */
  onCampaign(listener: (c: ReadonlyCampaign) => void): () => void {
    this.created.add(listener);
    return () => this.created.delete(listener);
  }

  /** @throws CampaignNotFoundError */
  campaign(campaignId: string): ReadonlyCampaign {
    return this.runner(campaignId).view;
  }

  /** Every campaign of this coordinator, in creation order. */
  campaigns(): readonly ReadonlyCampaign[] {
    return [...this.runners.values()].map((r) => r.view);
  }

  /**
   * Where a worker's reports for the campaign go (the gRPC report stream, MAX_DELIVERIES
   * advisories). @throws CampaignNotFoundError
   */
  reports(campaignId: string): WorkerReports {
    return this.runner(campaignId);
  }

  /** @throws CampaignNotFoundError */
  async cancel(campaignId: string, reason = "cancelled by operator"): Promise<ReadonlyCampaign> {
    const r = this.runner(campaignId);
    await r.cancel(reason);
    return r.view;
  }

  /** Resolves when every event recorded so far is durable and no snapshot is being written. */
  async flush(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.flush()));
  }

  /**
   * Runs failed trials of a campaign again: `numbers` (creation indices), or every failed
   * trial. @throws CampaignNotFoundError, InvalidRetryError
   */
  async retry(campaignId: string, numbers?: readonly number[]): Promise<ReadonlyCampaign> {
    const r = this.runner(campaignId);
    const ids = await r.retry(numbers);
    this.deps.log.info("trials retried", { campaign: campaignId, trials: ids });
    return r.view;
  }

  /** Stops dispatching in every campaign (shutdown); reports are still recorded. */
  close(): void {
    for (const r of this.runners.values()) r.close();
  }

  private runner(campaignId: string): CampaignRunner {
    const r = this.runners.get(campaignId);
    if (!r) throw new CampaignNotFoundError(`campaign ${campaignId} not found`);
    return r;
  }
}

/** `<name>-<6 hex>`: a valid NATS subject token, unique per submission. */
function newCampaignId(name: string): string {
  return `${name}-${randomBytes(3).toString("hex")}`;
}
