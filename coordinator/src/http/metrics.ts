/**
 * Prometheus metrics of the coordinator (prom-client, one registry per service so that
 * several services can live in one process, as in tests).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ReadonlyCampaign } from "../campaign/readonly-campaign.js";
import type { Coordinator } from "../coordinator.js";
import type { CampaignEvent } from "../domain/events.js";
import { TRIAL_STATES } from "../domain/trial.js";

/** Depth of the trial work queue (the JetStream consumer's counters). */
export interface QueueStats {
  /** Assignments not yet delivered to any worker (consumer `num_pending`). */
  readonly pending: number;
  /** Delivered, not yet acknowledged (trials running or awaiting redelivery). */
  readonly ackPending: number;
  /** Pull requests waiting for a message: idle workers. */
  readonly waiting: number;
}

/**
 * Callbacks the service wires in, so that the HTTP layer never imports NATS or gRPC.
 * Every callback is optional; the matching metrics are then absent or zero.
 */
export interface ServiceProbes {
  readonly queueStats?: () => Promise<QueueStats>;
  /** NATS connection state etc.; `/healthz` answers 503 when `ok` is false. */
  readonly health?: () => { readonly ok: boolean; readonly detail: string };
}

/** Histogram buckets of trial wall time, in seconds (1 s … 2 h). */
const TRIAL_DURATION_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];
/** Window of the reports-per-second gauge. */
const REPORT_RATE_WINDOW_MS = 60_000; // 1 minute

const REPORT_KIND: Partial<Record<CampaignEvent["type"], string>> = {
  TrialStarted: "hello",
  TrialProgress: "progress",
  TrialCompleted: "result",
  TrialFailed: "failure",
};

/**
 * The coordinator's metrics: trials by campaign and state, campaigns by status, trial
 * duration, queue depth, connected workers, reports (total and per second), plus the
 * default process metrics. Subscribes to every campaign of `coordinator`; `close()` stops.
 */
export class CoordinatorMetrics {
  readonly registry = new Registry();
  private readonly reportTimes: number[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private readonly watched = new Set<string>();
  private queueCache: { at: number; stats: Promise<QueueStats | undefined> } | undefined;
  private readonly duration: Histogram<"state">;
  private readonly reports: Counter<"kind">;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly probes: ServiceProbes = {},
    private readonly now: () => number = Date.now,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const trials = new Gauge({ name: "prunesweep_trials", help: "Trials by campaign and state", labelNames: ["campaign", "state"], registers,
      collect: () => {
        trials.reset();
        for (const r of this.coordinator.campaigns()) {
          const c = r.counts();
          for (const st of TRIAL_STATES) trials.set({ campaign: r.id, state: st }, c[st]);
        }
      },
    });
    const campaigns = new Gauge({ name: "prunesweep_campaigns", help: "Campaigns by status", labelNames: ["status"], registers,
      collect: () => {
        campaigns.reset();
        for (const st of ["running", "completed", "cancelled"]) campaigns.set({ status: st }, 0);
        for (const r of this.coordinator.campaigns()) campaigns.inc({ status: r.status });
      },
    });
    this.duration = new Histogram({
      name: "prunesweep_trial_duration_seconds",
      help: "Wall time of finished trials (final attempt), by final state",
      labelNames: ["state"],
      buckets: TRIAL_DURATION_BUCKETS,
      registers,
    });
    this.reports = new Counter({
      name: "prunesweep_reports_total",
      help: "Worker reports recorded (hello, progress, result, failure)",
      labelNames: ["kind"],
      registers,
    });
    const rate = new Gauge({ name: "prunesweep_reports_per_second", help: `Worker reports per second over the last ${REPORT_RATE_WINDOW_MS / 1000} s`, registers,
      collect: () => {
        this.trimReports();
        rate.set(this.reportTimes.length / (REPORT_RATE_WINDOW_MS / 1000));
      },
    });
    const pending = new Gauge({ name: "prunesweep_queue_pending", help: "Trial assignments waiting in the work queue (JetStream consumer num_pending)", registers,
      collect: async () => {
        pending.set((await this.queue())?.pending ?? 0);
      },
    });
    const ackPending = new Gauge({ name: "prunesweep_queue_ack_pending", help: "Trial assignments delivered but not yet acknowledged (JetStream consumer num_ack_pending)", registers,
      collect: async () => {
        ackPending.set((await this.queue())?.ackPending ?? 0);
      },
    });
    const busy = new Gauge({ name: "prunesweep_workers_busy", help: "Workers running a trial (distinct worker ids of running trials)", registers,
      collect: () => {
        busy.set(this.busyWorkers());
      },
    });
    const connected = new Gauge({ name: "prunesweep_workers_connected", help: "Connected workers: busy ones plus idle ones waiting on the queue (JetStream pull requests waiting)", registers,
      collect: async () => {
        connected.set(this.busyWorkers() + ((await this.queue())?.waiting ?? 0));
      },
    });
    for (const r of coordinator.campaigns()) this.watch(r);
    this.unsubscribe.push(coordinator.onCampaign((r) => this.watch(r)));
  }

  /** Prometheus text exposition of every metric. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops listening to campaigns. */
  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private watch(r: ReadonlyCampaign): void {
    if (this.watched.has(r.id)) return;
    this.watched.add(r.id);
    this.unsubscribe.push(r.onEvent((e) => this.onEvent(r, e)));
  }

  private onEvent(r: ReadonlyCampaign, e: CampaignEvent): void {
    const kind = REPORT_KIND[e.type];
    if (kind) {
      this.reports.inc({ kind });
      this.reportTimes.push(this.now());
      if (this.reportTimes.length > 10_000) this.trimReports();
    }
    if (e.type === "TrialCompleted") {
      this.duration.observe({ state: e.stoppedEarly ? "stopped_early" : "completed" }, e.wallMs / 1000);
    } else if (e.type === "TrialFailed" && e.final) {
      const t = r.trial(e.trialId);
      if (t.startedAt !== undefined) this.duration.observe({ state: "failed" }, Math.max(0, e.at - t.startedAt) / 1000);
    }
  }

  private trimReports(): void {
    const cutoff = this.now() - REPORT_RATE_WINDOW_MS;
    let drop = 0;
    while (drop < this.reportTimes.length && (this.reportTimes[drop] as number) < cutoff) drop++;
    this.reportTimes.splice(0, drop);
  }

  private busyWorkers(): number {
    const ids = new Set<string>();
    for (const r of this.coordinator.campaigns()) {
      for (const t of r.inFlight()) if (t.state === "running" && t.workerId) ids.add(t.workerId);
    }
    return ids.size;
  }

  /** Queue stats, fetched at most once per second (one scrape asks several gauges). */
  private queue(): Promise<QueueStats | undefined> {
    const probe = this.probes.queueStats;
    if (!probe) return Promise.resolve(undefined);
    const now = this.now();
    if (!this.queueCache || now - this.queueCache.at > 1_000) {
      this.queueCache = { at: now, stats: probe().catch(() => undefined) };
    }
    return this.queueCache.stats;
  }
}
