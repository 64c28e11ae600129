/**
 * Server-sent events for the dashboard. Campaign events are coalesced and flushed at most
 * every `flushMs`: each client gets `campaigns` (the list of summaries) when any campaign
 * changed, and `update` (the watched campaign's summary with hypervolume history plus the
 * trials that changed) for the campaign it watches.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ReadonlyCampaign } from "../campaign/readonly-campaign.js";
import type { Coordinator } from "../coordinator.js";
import { campaignDetailJson, campaignJson } from "./api-views.js";

/** Default coalescing interval of updates. */
const DEFAULT_FLUSH_MS = 250;
/** SSE comment sent to idle connections so that proxies keep them open. */
const KEEPALIVE_MS = 15_000; // 15 seconds

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
    for (const c of coordinator.campaigns()) this.watch(c);
    this.unsubscribe.push(
      coordinator.onCampaign((c) => {
        this.watch(c);
        this.markDirty(c.id);
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
    send(res, "campaigns", this.coordinator.campaigns().map((c) => campaignJson(c)));
    if (campaign) {
      const c = this.coordinator.campaigns().find((x) => x.id === campaign);
      if (c) send(res, "update", { ...campaignDetailJson(c), full: true });
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

  private watch(c: ReadonlyCampaign): void {
    if (this.watched.has(c.id)) return;
    this.watched.add(c.id);
    this.unsubscribe.push(c.onEvent((e) => this.markDirty(c.id, "trialId" in e ? e.trialId : undefined)));
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
    const campaigns = this.coordinator.campaigns();
    const list = campaigns.map((c) => campaignJson(c));
    for (const [id, trialIds] of dirty) {
      const campaign = campaigns.find((x) => x.id === id);
      const watchers = [...this.clients].filter((c) => c.campaign === id);
      if (!campaign || watchers.length === 0) continue;
      const payload = { ...campaignDetailJson(campaign, trialIds), full: false };
      for (const c of watchers) send(c.res, "update", payload);
    }
    for (const c of this.clients) send(c.res, "campaigns", list);
  }
}

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
