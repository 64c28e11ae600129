import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CampaignState,
  JetStreamCampaignStore,
  connectNats,
  type CampaignEvent,
} from "@prunesweep/coordinator";
import { freePort, startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { check } from "./wait.js";
import { spawnCli, spawnWorker, stop, type Spawned } from "./processes.js";

/**
 * A campaign run as separate processes: nats-server (JetStream, temp store), the coordinator
 * (`prunesweep coordinator`, JetStream event store) and N workers, for fault injection.
 */
export class ProcessCampaign {
  readonly dir = mkdtempSync(join(tmpdir(), "prunesweep-fault-"));
  nats!: LocalNatsServer;
  coordinator!: Spawned;
  campaignId = "";
  port = 0;
  readonly workers = new Map<string, Spawned>();

  constructor(
    private readonly spec: string,
    private readonly ackWaitMs = 4_000,
    private readonly coordinatorArgs: readonly string[] = [],
  ) {}

  async start(workerIds: readonly string[]): Promise<void> {
    this.nats = await startNatsServer({ storeDir: join(this.dir, "nats") });
    this.port = await freePort();
    const specFile = join(this.dir, "spec.yaml");
    writeFileSync(specFile, this.spec);
    this.coordinator = this.spawnCoordinator(["--spec", specFile]);
    const out = await check(() => /submitted campaign (\S+)/.exec(this.coordinator.output()), 30_000);
    this.campaignId = out[1] as string;
    for (const id of workerIds) this.startWorker(id);
  }

  spawnCoordinator(extra: readonly string[] = []): Spawned {
    return spawnCli([
      "coordinator",
      "--nats",
      this.nats.url,
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
    await check(() => this.coordinator.output().includes("coordinator listening"), 30_000);
  }

  startWorker(id: string, extra: readonly string[] = []): Spawned {
    const w = spawnWorker(this.nats.url, id, extra);
    this.workers.set(id, w);
    return w;
  }

  /** The campaign's event log as recorded in JetStream (the state of record). */
  async events(): Promise<CampaignEvent[]> {
    const nc = await connectNats({ url: this.nats.url, name: "test-reader", connectTimeoutMs: 5_000 });
    try {
      const store = await JetStreamCampaignStore.create(nc);
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
