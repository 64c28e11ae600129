import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Objm } from "@nats-io/obj";
import { SNAPSHOTS_BUCKET } from "@prunesweep/proto";
import {
  CampaignState,
  connectNats,
  loadCoordinatorConfig,
  silentLogger,
  startCoordinatorService,
  summaryOf,
  type CoordinatorService,
  type Logger,
  type ReadonlyCampaign,
} from "@prunesweep/coordinator";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { tinySpec } from "../fixtures/tiny-spec.js";

/** Everything a summary shows, as plain data. */
function summary(c: ReadonlyCampaign): unknown {
  const s = summaryOf(c);
  return { status: c.status, counts: s.counts, trials: c.trials(), front: s.front, tradeoffs: s.tradeoffs, methods: s.methods, compute: s.compute, backends: s.backends };
}

/**
 * Plays the worker side of `n` trials through the coordinator's worker protocol (what the
 * gRPC report stream calls): a hello, a failed attempt on every third trial, progress, a result.
 */
async function runTrials(svc: CoordinatorService, id: string, n: number): Promise<void> {
  const r = svc.coordinator.reports(id);
  for (let i = 0; i < n; i++) {
    const t = svc.coordinator.campaign(id).inFlight()[0];
    if (!t) return;
    // A running trial goes on with its attempt; a waiting one starts the next.
    let attempt = t.state === "running" ? t.attempts : t.attempts + 1;
    if (t.state === "waiting") await r.hello(t.id, attempt, "w1", "wasm");
    if (t.number % 3 === 0 && attempt === 1) {
      await r.failure({ trialId: t.id, attempt, error: "worker lost", retryable: true });
      await r.hello(t.id, ++attempt, "w2", "wasm");
    }
    for (let step = 0; step < 2; step++) await r.progress(t.id, attempt, step, "finetune", { accuracy: 0.4 + step / 10 });
    await r.result({ trialId: t.id, attempt, metrics: { accuracy: 0.5 + (t.number % 7) / 20, nonzero_params: 5_000 - 37 * t.number }, details: { n: t.number }, wallMs: 10, stoppedEarly: false, lastStep: 1 });
  }
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (msg: string, fields?: Readonly<Record<string, unknown>>) => void lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`);
  return { debug: () => undefined, info: keep("info"), warn: keep("warn"), error: keep("error"), lines };
}

describe("campaign snapshots in the JetStream object store", () => {
  const dir = mkdtempSync(join(tmpdir(), "prunesweep-snap-"));
  let nats: LocalNatsServer;
  let svc: CoordinatorService | undefined;
  afterAll(async () => {
    await svc?.shutdown();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (log: Logger, snapshotEvery = "10", port = "0"): Promise<CoordinatorService> =>
    startCoordinatorService(
      loadCoordinatorConfig({ nats: nats.url, host: "127.0.0.1", port, httpPort: "-1", store: "jetstream", snapshotEvery }, {}),
      log,
    );

  it("are written every N events, resume a restarted coordinator to the same state, and a damaged one falls back", async () => {
    nats = await startNatsServer({ storeDir: join(dir, "nats") });
    svc = await start(silentLogger);
    const campaign = await svc.coordinator.submit(tinySpec("snap-int", 16, 3), "snap.yaml");
    const id = campaign.id;
    await runTrials(svc, id, 9);
    await svc.coordinator.flush();

    // Snapshots every 10 events, the last 3 kept.
    const os = await new Objm(svc.nc).open(SNAPSHOTS_BUCKET);
    const names = async () => (await os.list()).filter((o) => o.name.startsWith(`${id}/`)).map((o) => o.name).sort();
    const kept = await names();
    expect(kept).toHaveLength(3);
    const store = svc.store;
    // Events after the newest snapshot: the restart has to replay them on top of it. The
    // coordinator's own events (dispatching the next trials) run beside these reports, so the
    // hello may cross the next 10-event mark and be covered by a new snapshot: the newest is
    // read after it, and one more report (one event cannot reach the next mark) follows then.
    const inFlight = campaign.inFlight()[0]!.id;
    await svc.coordinator.reports(id).hello(inFlight, 1, "w3", "wasm");
    await svc.coordinator.flush();
    const newestNow = async () => Number((await names()).map((n) => Number(n.split("/")[1])).sort((a, b) => a - b).at(-1));
    let newest = await newestNow();
    if ((await store.loadAfter(id, newest)).length === 0) {
      await svc.coordinator.reports(id).progress(inFlight, 1, 0, "finetune", { accuracy: 0.3 });
      await svc.coordinator.flush();
      newest = await newestNow();
    }
    expect((await store.loadAfter(id, newest)).length).toBeGreaterThan(0);
    const before = summary(campaign);
    const port = String(svc.grpc.port);
    await svc.shutdown();

    // Restart: the newest snapshot plus the events after it.
    const log = recordingLogger();
    svc = await start(log, "10", port);
    const restored = svc.coordinator.campaign(id);
    expect(summary(restored)).toEqual(before);
    const line = log.lines.find((l) => l.startsWith("info campaign restored")) ?? "";
    expect(line).toContain(`"fromSnapshot":${newest}`);
    expect(line).not.toContain(`"eventsReplayed":0`);
    // The same as folding the whole log.
    const folded = new CampaignState(id);
    for (const e of await svc.store.load(id)) folded.apply(e);
    expect(restored.trials()).toEqual(folded.snapshots());

    // The campaign goes on to its end after the restart.
    await runTrials(svc, id, 20);
    await restored.finished;
    expect(restored.status).toBe("completed");
    expect(restored.counts().completed).toBe(16);
    await svc.coordinator.flush();
    const final = summary(restored);
    await svc.shutdown();

    // The newest snapshot cut short under its own name (as if a copy were partial): unusable,
    // the next older one is used; with every snapshot damaged, the whole log is replayed.
    const nc = await connectNats({ url: nats.url, name: "test-damage", connectTimeoutMs: 5_000 });
    try {
      const bucket = await new Objm(nc).open(SNAPSHOTS_BUCKET);
      const all = (await bucket.list()).filter((o) => o.name.startsWith(`${id}/`)).map((o) => o.name).sort();
      const last = all.at(-1) as string;
      const bytes = (await bucket.getBlob(last)) as Uint8Array;
      await bucket.putBlob({ name: last }, bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
      const log2 = recordingLogger();
      svc = await start(log2, "1000000", port);
      expect(summary(svc.coordinator.campaign(id))).toEqual(final);
      expect(log2.lines.filter((l) => l.startsWith("warn campaign snapshot unusable"))).toHaveLength(1);
      expect(log2.lines.find((l) => l.startsWith("info campaign restored"))).toContain(`"fromSnapshot":${Number(all.at(-2)?.split("/")[1])}`);
      await svc.shutdown();

      for (const name of all) await bucket.putBlob({ name }, new TextEncoder().encode("not a snapshot"));
      const log3 = recordingLogger();
      svc = await start(log3, "1000000", port);
      expect(summary(svc.coordinator.campaign(id))).toEqual(final);
      expect(log3.lines.filter((l) => l.startsWith("warn campaign snapshot unusable"))).toHaveLength(all.length);
      expect(log3.lines.find((l) => l.startsWith("info campaign restored"))).toContain(`"fromSnapshot":false`);
    } finally {
      await nc.close();
    }
  });
});
