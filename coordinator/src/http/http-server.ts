/**
 * The coordinator's HTTP server: the live dashboard (`/`), its JSON API and event stream
 * (`/api/...`), Prometheus metrics (`/metrics`) and a health check (`/healthz`). Read-only:
 * nothing here changes a campaign. Transport-free: NATS and gRPC facts arrive through
 * {@link ServiceProbes} callbacks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { BlobRef } from "@prunesweep/proto";
import type { Coordinator } from "../coordinator.js";
import { SweepError } from "../errors.js";
import type { Logger } from "../logger.js";
import { buildReport } from "../report/html-report.js";
import { buildResultsFile } from "../results/results-file.js";
import { campaignDetailJson, campaignJson, trialDetailJson, trialJson } from "./api-views.js";
import { dashboardHtml } from "./dashboard-page.js";
import { LiveUpdates } from "./live-updates.js";
import { CoordinatorMetrics, type ServiceProbes } from "./metrics.js";

export interface HttpServerOptions {
  /** Address to bind. @default "0.0.0.0" */
  readonly host: string;
  /** Port; 0 picks a free one. @default 8080 */
  readonly port: number;
  readonly probes?: ServiceProbes;
  /** Coalescing interval of live updates. @default 250 */
  readonly flushMs?: number;
  /** The blob store holding the trials' pruned models (served under `/api/campaigns/<id>/trials/<trial>/model/<file>`). */
  readonly blobs?: { get(ref: Pick<BlobRef, "sha256" | "name">): Promise<Uint8Array | undefined> };
}

/** A running HTTP server. */
export interface RunningHttpServer {
  readonly port: number;
  /** `http://<host>:<port>/` (127.0.0.1 when bound to all interfaces). */
  readonly url: string;
  readonly metrics: CoordinatorMetrics;
  /** Closes event streams and the listener. Idempotent. */
  close(): Promise<void>;
}

/** A request the server answers with `status` (not found, method not allowed). */
class HttpError extends SweepError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Starts the HTTP server for `coordinator`. */
export async function startHttpServer(coordinator: Coordinator, log: Logger, o: HttpServerOptions): Promise<RunningHttpServer> {
  const metrics = new CoordinatorMetrics(coordinator, o.probes);
  const live = new LiveUpdates(coordinator, o.flushMs);
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) log.warn("http request failed", { url: req.url, error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) json(res, status, { error: err instanceof Error ? err.message : String(err) });
      else res.end();
    });
  });

  const campaign = (id: string) => {
    const c = coordinator.campaigns().find((x) => x.id === id);
    if (!c) throw new HttpError(404, `campaign ${id} not found`);
    return c;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "read-only: only GET and HEAD");
    const url = new URL(req.url ?? "/", "http://localhost");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts.length === 0) return send(res, 200, "text/html; charset=utf-8", dashboardHtml());
    if (parts[0] === "healthz" && parts.length === 1) {
      const h = o.probes?.health?.() ?? { ok: true, detail: "ok" };
      return json(res, h.ok ? 200 : 503, { status: h.ok ? "ok" : "unavailable", detail: h.detail, campaigns: coordinator.campaigns().length });
    }
    if (parts[0] === "metrics" && parts.length === 1) return send(res, 200, metrics.contentType, await metrics.metrics());
    if (parts[0] !== "api") throw new HttpError(404, `no such page: ${url.pathname}`);
    if (parts[1] === "events" && parts.length === 2) return live.attach(req, res, url.searchParams.get("campaign") ?? undefined);
    if (parts[1] !== "campaigns") throw new HttpError(404, `no such endpoint: ${url.pathname}`);
    if (parts.length === 2) return json(res, 200, coordinator.campaigns().map((c) => campaignJson(c)));
    const c = campaign(parts[2] as string);
    if (parts.length === 3) return json(res, 200, campaignDetailJson(c));
    if (parts[3] === "report" && parts.length === 4) return send(res, 200, "text/html; charset=utf-8", (await buildReport(buildResultsFile(c))).html);
    if (parts[3] === "trials" && parts.length === 4) return json(res, 200, c.trials().map((t) => trialJson(c, t)));
    if (parts[3] === "trials" && parts.length === 5) {
      const id = parts[4] as string;
      if (!c.hasTrial(id)) throw new HttpError(404, `trial ${id} not found`);
      return json(res, 200, trialDetailJson(c, c.trial(id)));
    }
    if (parts[3] === "trials" && parts[5] === "model" && parts.length === 7) {
      // Models back: a trial's pruned model, loadable with tf.loadLayersModel(<this folder>/model.json).
      const id = parts[4] as string;
      if (!c.hasTrial(id)) throw new HttpError(404, `trial ${id} not found`);
      const refs = (c.trial(id).details as { model?: { files?: BlobRef[] } } | undefined)?.model?.files ?? [];
      const ref = refs.find((r) => r.name === parts[6]);
      if (!ref || !o.blobs) throw new HttpError(404, `trial ${id} has no saved model file ${parts[6] as string}`);
      const bytes = await o.blobs.get(ref);
      if (!bytes) throw new HttpError(404, `${ref.name} of trial ${id} is no longer in the blob store`);
      return send(res, 200, ref.name.endsWith(".json") ? "application/json" : "application/octet-stream", Buffer.from(bytes));
    }
    throw new HttpError(404, `no such endpoint: ${url.pathname}`);
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve((server.address() as AddressInfo).port));
  });
  const shownHost = o.host === "0.0.0.0" || o.host === "::" ? "127.0.0.1" : o.host.includes(":") ? `[${o.host}]` : o.host;
  log.info("HTTP server listening (dashboard, /metrics, /healthz)", { host: o.host, port });
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${shownHost}:${port}/`,
    metrics,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        live.close();
        metrics.close();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body));
}
