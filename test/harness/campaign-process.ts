import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CampaignState,
  JetStreamCampaignStore,
  connectNats,
  type CampaignEvent,
} from "@prunesweep/coordinator";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { check } from "./wait.js";
import { spawnCli, spawnWorker, stop, type Spawned } from "./processes.js";

/** Where a {@link ProcessCampaign} finds NATS when it does not start its own server. */
export interface ExternalNats {
  /** The `--nats` value (a cluster: every server's URL, comma-separated). */
  readonly url: string;
  /** `--nats-replicas` for the coordinator, the workers and the test's own reads. */
  readonly replicas: number;
}

/**
 * A campaign run as separate processes: nats-server (JetStream, temp store; or an external
 * server or cluster), the coordinator (`prunesweep coordinator`, JetStream event store) and N
 * workers, for fault injection.
 */
export class ProcessCampaign {
  readonly dir = mkdtempSync(join(tmpdir(), "prunesweep-fault-"));
  /** The server this campaign started (undefined with an external NATS). */
  nats!: LocalNatsServer;
  natsUrl = "";
  coordinator!: Spawned;
  campaignId = "";
  port = 0;
  readonly workers = new Map<string, Spawned>();

  constructor(
    private readonly spec: string,
    private readonly ackWaitMs = 4_000,
    private readonly coordinatorArgs: readonly string[] = [],
    private readonly external?: ExternalNats,
  ) {}

  /** `--nats-replicas` when NATS is external, for both the coordinator and the workers. */
  private get replicaArgs(): string[] {
    return this.external ? ["--nats-replicas", String(this.external.replicas)] : [];
  }

  async start(workerIds: readonly string[]): Promise<void> {
    if (this.external) this.natsUrl = this.external.url;
    else {
      this.nats = await startNatsServer({ storeDir: join(this.dir, "nats") });
      this.natsUrl = this.nats.url;
    }
    const specFile = join(this.dir, "spec.yaml");
    writeFileSync(specFile, this.spec);
    // Port 0: the coordinator binds a free port itself (no race with other processes for a port
    // picked in advance); a restart reuses the port it got, which assignments carry.
    this.coordinator = this.spawnCoordinator(["--spec", specFile]);
    const out = await check(() => /submitted campaign (\S+)/.exec(this.coordinator.output()), 60_000);
    this.campaignId = out[1] as string;
    this.port = Number(/coordinator listening on [^ ]*:(\d+) /.exec(this.coordinator.output())?.[1]);
    for (const id of workerIds) this.startWorker(id);
  }

  spawnCoordinator(extra: readonly string[] = []): Spawned {
    return spawnCli([
      "coordinator",
      "--nats",
      this.natsUrl,
      ...this.replicaArgs,
      "--host",
      "127.0.0.1",
      "--port",
      String(this.port),
      "--http-port",
      "-1",
      "--ack-wait-ms",
      String(this.ackWaitMs),
      "--log-level",
      "warn",
      ...this.coordinatorArgs,
      ...extra,
    ]);
  }

  /** Restarts the coordinator on the same port and store (it restores the campaign). */
  async restartCoordinator(): Promise<void> {
    this.coordinator = this.spawnCoordinator();
    await check(() => this.coordinator.output().includes("coordinator listening"), 60_000);
  }

  startWorker(id: string, extra: readonly string[] = []): Spawned {
    const w = spawnWorker(this.natsUrl, id, [...this.replicaArgs, ...extra]);
    this.workers.set(id, w);
    return w;
  }

  /** The campaign's event log as recorded in JetStream (the state of record). */
  async events(): Promise<CampaignEvent[]> {
    const nc = await connectNats({ url: this.natsUrl, name: "test-reader", connectTimeoutMs: 5_000 });
    try {
      const store = await JetStreamCampaignStore.create(nc, { replicas: this.external?.replicas ?? 1, duplicateWindowMs: 600_000 });
      return [...(await store.load(this.campaignId))];
    } finally {
      await nc.close();
    }
  }

  async state(): Promise<CampaignState> {
    const s = new CampaignState(this.campaignId);
    for (const e of await this.events()) s.apply(e);
    return s;
  }

  /** Waits for the campaign to finish (status completed) as recorded in the log. */
  async waitFinished(timeoutMs = 180_000): Promise<CampaignState> {
    return check(async () => {
      const s = await this.state();
      return s.status === "completed" ? s : undefined;
    }, timeoutMs, 1_000);
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => stop(w, 5_000)));
    if (this.coordinator) await stop(this.coordinator, 5_000);
    await this.nats?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Asserts the campaign's invariants: every trial final and exactly one final event per trial. */
export function finalEventsPerTrial(events: readonly CampaignEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.type === "TrialCreated") counts.set(e.trialId, counts.get(e.trialId) ?? 0);
    if (e.type === "TrialCompleted" || (e.type === "TrialFailed" && e.final)) counts.set(e.trialId, (counts.get(e.trialId) ?? 0) + 1);
  }
  return counts;
}
