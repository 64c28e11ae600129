/**
 * Server-sent events for the dashboard. Campaign events are coalesced and flushed at most
 * every `flushMs`: each client gets `campaigns` (the list of summaries) when any campaign
 * changed, and `update` (the watched campaign's summary with hypervolume history plus the
 * trials that changed) for the campaign it watches.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CampaignRunner } from "../campaign/campaign-runner.js";
import type { Coordinator } from "../coordinator.js";
import { campaignView, trialView } from "./api-views.js";

/** Default coalescing interval of updates. */
export const DEFAULT_FLUSH_MS = 250;
/** SSE comment sent to idle connections so that proxies keep them open. */
export const KEEPALIVE_MS = 15_000; // 15 seconds

interface Client {
  readonly res: ServerResponse;
  readonly campaign: string | undefined;
}

/** Fans campaign events out to SSE clients. Owned by the HTTP server; `close()` ends every stream. */
export class LiveUpdates {
  private readonly clients = new Set<Client>();
  private readonly dirty = new Map<string, Set<string>>();
  private readonly watched = new Set<string>();
  private readonly unsubscribe: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly keepalive: NodeJS.Timeout;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly flushMs = DEFAULT_FLUSH_MS,
  ) {
    for (const r of coordinator.list()) this.watch(r);
    this.unsubscribe.push(
      coordinator.onCampaign((r) => {
        this.watch(r);
        this.markDirty(r.campaignId);
      }),
    );
    this.keepalive = setInterval(() => {
      for (const c of this.clients) c.res.write(": keepalive\n\n");
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Number of open event streams. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Serves `GET /api/events[?campaign=ID]`: sends the current state, then updates. */
  attach(req: IncomingMessage, res: ServerResponse, campaign: string | undefined): void {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    const client: Client = { res, campaign };
    this.clients.add(client);
    req.on("close", () => this.clients.delete(client));
    send(res, "campaigns", this.coordinator.list().map((r) => campaignView(r)));
    if (campaign) {
      const r = this.coordinator.list().find((x) => x.campaignId === campaign);
      if (r) send(res, "update", { campaign: campaignView(r, true), trials: r.state.snapshots().map((t) => trialView(r, t)), full: true });
    }
  }

  /** Ends every stream and stops listening. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.keepalive);
    for (const u of this.unsubscribe.splice(0)) u();
    for (const c of this.clients) c.res.end();
    this.clients.clear();
  }

  private watch(r: CampaignRunner): void {
    if (this.watched.has(r.campaignId)) return;
    this.watched.add(r.campaignId);
    this.unsubscribe.push(r.onEvent((e) => this.markDirty(r.campaignId, "trialId" in e ? e.trialId : undefined)));
  }

  private markDirty(campaignId: string, trialId?: string): void {
    const set = this.dirty.get(campaignId) ?? new Set<string>();
    if (trialId) set.add(trialId);
    this.dirty.set(campaignId, set);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  private flush(): void {
    this.timer = undefined;
    const dirty = new Map(this.dirty);
    this.dirty.clear();
    if (this.clients.size === 0) return;
    const runners = this.coordinator.list();
    const list = runners.map((r) => campaignView(r));
    for (const [id, trialIds] of dirty) {
      const r = runners.find((x) => x.campaignId === id);
      const watchers = [...this.clients].filter((c) => c.campaign === id);
      if (!r || watchers.length === 0) continue;
      const payload = {
        campaign: campaignView(r, true),
        trials: [...trialIds].filter((t) => r.state.hasTrial(t)).map((t) => trialView(r, r.state.trial(t))),
        full: false,
      };
      for (const c of watchers) send(c.res, "update", payload);
    }
    for (const c of this.clients) send(c.res, "campaigns", list);
  }
}

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
