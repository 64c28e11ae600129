import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Coordinator,
  InMemoryCampaignStore,
  JetStreamCampaignStore,
  NatsTrialDispatcher,
  connectNats,
  silentLogger,
  startGrpcServer,
  type CampaignStore,
  type RunningGrpcServer,
  type GrpcServerOptions,
} from "@prunesweep/coordinator";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import type { NatsConnection } from "@nats-io/transport-node";

/** A real nats-server (JetStream, random port, temp store) and an in-process coordinator on port 0. */
export interface TestCluster {
  readonly nats: LocalNatsServer;
  readonly nc: NatsConnection;
  readonly coordinator: Coordinator;
  readonly grpc: RunningGrpcServer;
  readonly store: CampaignStore;
  readonly dir: string;
  close(): Promise<void>;
}

export async function startTestCluster(
  storeKind: "memory" | "jetstream" = "memory",
  grpcOptions: Partial<Pick<GrpcServerOptions, "authorize" | "credentials">> = {},
): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "prunesweep-test-"));
  const nats = await startNatsServer({ storeDir: join(dir, "nats") });
  const nc = await connectNats({ url: nats.url, name: "test-coordinator" });
  const store: CampaignStore = storeKind === "jetstream" ? await JetStreamCampaignStore.create(nc) : new InMemoryCampaignStore();
  let endpoint = "";
  const dispatcher = await NatsTrialDispatcher.create(nc, () => endpoint, {
    ackWaitMs: 10_000,
    maxDeliver: 20,
    maxAckPending: 1000,
    replicas: 1,
    duplicateWindowMs: 60_000,
  });
  const coordinator = new Coordinator({ store, dispatcher, log: silentLogger });
  const grpc = await startGrpcServer(coordinator, silentLogger, { host: "127.0.0.1", port: 0, ...grpcOptions });
  endpoint = `127.0.0.1:${grpc.port}`;
  return {
    nats,
    nc,
    coordinator,
    grpc,
    store,
    dir,
    close: async () => {
      coordinator.close();
      await grpc.shutdown(1_000);
      await nc.close().catch(() => undefined);
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
