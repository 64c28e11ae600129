import { hostname } from "node:os";
import { NatsBlobStore } from "@prunesweep/proto";
import { DEFAULT_SNAPSHOT_OPTIONS, type CoordinatorConfig } from "./config.js";
import { Coordinator } from "./coordinator.js";
import { startHttpServer, type RunningHttpServer } from "./http/http-server.js";
import { SweepError } from "./errors.js";
import type { Logger } from "./logger.js";
import { InMemoryCampaignStore, type CampaignStore } from "./store/campaign-store.js";
import { InMemorySnapshotStore } from "./store/snapshot-store.js";
import { listenMaxDeliveries } from "./transport/advisories.js";
import { bearerTokenAuthorizer, serverCredentials } from "./transport/grpc-security.js";
import { startGrpcServer, type RunningGrpcServer } from "./transport/grpc-server.js";
import { JetStreamSnapshotStore } from "./transport/jetstream-snapshots.js";
import { JetStreamCampaignStore } from "./transport/jetstream-store.js";
import { connectNats } from "./transport/nats-connection.js";
import { NatsTrialDispatcher } from "./transport/nats-dispatcher.js";
import { trialQueueStatsProbe } from "./transport/queue-stats.js";

/** The NATS connection type, named without importing NATS outside transport/. */
type NatsConnection = Awaited<ReturnType<typeof connectNats>>;

/** A running coordinator service: NATS, store, dispatcher, gRPC, background checks. */
export interface CoordinatorService {
  readonly coordinator: Coordinator;
  readonly grpc: RunningGrpcServer;
  readonly nc: NatsConnection;
  readonly store: CampaignStore;
  /** The endpoint carried by assignments (what workers dial). */
  readonly endpoint: string;
  /** Dashboard, /metrics and /healthz; undefined when `httpPort` is -1. */
  readonly http: RunningHttpServer | undefined;
  /**
   * Graceful stop: stop dispatching and health-check NOT_SERVING, drain gRPC for up to
   * `shutdownGraceMs`, flush NATS. Idempotent.
   */
  shutdown(): Promise<void>;
}

/**
 * Wires the coordinator from its config: connects to NATS (failing within the connect
 * timeout with a message naming the URL), opens the event store, restores the campaigns
 * recorded there, serves gRPC (with bearer-token auth and TLS when configured), handles
 * MAX_DELIVERIES advisories and stale trials.
 */
export async function startCoordinatorService(
  config: CoordinatorConfig,
  log: Logger,
  options: { readonly restore?: "all" | "none" | readonly string[] } = {},
): Promise<CoordinatorService> {
  const nc = await connectNats(config.nats);
  try {
    const store: CampaignStore =
      config.store === "jetstream"
        ? await JetStreamCampaignStore.create(nc, { replicas: config.queue.replicas, duplicateWindowMs: config.queue.duplicateWindowMs })
        : new InMemoryCampaignStore();
    const snapshotStore =
      config.snapshotEvery <= 0 ? undefined : config.store === "jetstream" ? await JetStreamSnapshotStore.create(nc, config.queue.replicas) : new InMemorySnapshotStore();
    const snapshots = snapshotStore && { store: snapshotStore, everyEvents: config.snapshotEvery, keep: DEFAULT_SNAPSHOT_OPTIONS.keep };
    let endpoint = config.advertise ?? "";
    const dispatcher = await NatsTrialDispatcher.create(nc, () => endpoint, config.queue);
    const coordinator = new Coordinator({ store, dispatcher, log, ...(snapshots && { snapshots }) });
    const grpc = await startGrpcServer(coordinator, log, {
      host: config.host,
      port: config.port,
      credentials: serverCredentials(config.tls),
      ...(config.authToken !== undefined && { authorize: bearerTokenAuthorizer(config.authToken) }),
    });
    endpoint ||= `${config.host === "0.0.0.0" || config.host === "::" ? hostname() : config.host}:${grpc.port}`;
    const advisories = await listenMaxDeliveries(nc, log, async (a) => {
      try {
        await coordinator.reports(a.campaignId).failure({
          trialId: a.trialId,
          attempt: a.deliveries,
          error: `assignment delivered ${a.deliveries} times without a final report (max_deliver)`,
          retryable: false,
        });
      } catch {
        /* campaign unknown to this coordinator: nothing to record */
      }
    });
    // Before the restore, so that the metrics and the dashboard see every campaign.
    let http: RunningHttpServer | undefined;
    try {
      http =
        config.httpPort >= 0
          ? await startHttpServer(coordinator, log, {
              host: config.host,
              port: config.httpPort,
              probes: {
                queueStats: trialQueueStatsProbe(nc),
                health: () => (nc.isClosed() ? { ok: false, detail: "NATS connection closed" } : { ok: true, detail: "ok" }),
              },
              blobs: new NatsBlobStore(nc, { replicas: config.queue.replicas }),
            })
          : undefined;
    } catch (err) {
      advisories.unsubscribe();
      await grpc.shutdown(0);
      throw new SweepError(`cannot serve HTTP on ${config.host}:${config.httpPort}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const restore = options.restore ?? "all";
    if (restore !== "none") await coordinator.restoreAll(restore === "all" ? undefined : restore);
    const staleTimer = setInterval(() => void coordinator.failStaleTrials(config.staleAfterMs), Math.max(1_000, config.staleAfterMs / 3));
    staleTimer.unref();
    let stopping: Promise<void> | undefined;
    return {
      coordinator,
      grpc,
      nc,
      store,
      http,
      get endpoint() {
        return endpoint;
      },
      shutdown: () =>
        (stopping ??= (async () => {
          clearInterval(staleTimer);
          await http?.close();
          coordinator.close();
          await grpc.shutdown(config.shutdownGraceMs);
          advisories.unsubscribe();
          await store.close();
          await nc.drain().catch(() => undefined);
        })()),
    };
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw err;
  }
}
