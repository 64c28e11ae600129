import { afterAll, describe, expect, it } from "vitest";
import { Objm } from "@nats-io/obj";
import { SNAPSHOTS_BUCKET } from "@prunesweep/proto";
import { connectNats } from "@prunesweep/coordinator";
import { ProcessCampaign, finalEventsPerTrial } from "../harness/campaign-process.js";
import { faultSpec } from "../fixtures/fault-spec.js";
import { check } from "../harness/wait.js";

describe("fault: kill -9 of the coordinator while it writes snapshots, then restart", () => {
  // A snapshot after every event: the coordinator is writing one nearly all the time, so each
  // kill lands in the middle of a write (or between a capture and its write).
  const c = new ProcessCampaign(faultSpec("fault-snap-kill", 6, 2), 4_000, ["--snapshot-every", "1", "--log-level", "info"]);
  afterAll(() => c.close());

  const snapshotCount = async (): Promise<number> => {
    const nc = await connectNats({ url: c.natsUrl, name: "test-snapshots", connectTimeoutMs: 5_000 });
    try {
      const os = await new Objm(nc).open(SNAPSHOTS_BUCKET);
      return (await os.list()).filter((o) => o.name.startsWith(`${c.campaignId}/`)).length;
    } finally {
      await nc.close();
    }
  };

  it("restarts from a snapshot each time and completes with every result recorded once", async () => {
    await c.start(["w1", "w2"]);
    const recorded = new Map<string, Record<string, number>>();
    for (let round = 1; round <= 2; round++) {
      const before = await check(async () => {
        const s = await c.state();
        return s.counts().completed >= 2 * round && (await snapshotCount()) > 0 ? s : undefined;
      }, 180_000, 200);
      for (const t of before.snapshots()) if (t.state === "completed") recorded.set(t.id, { ...t.metrics });
      c.coordinator.child.kill("SIGKILL");
      await c.coordinator.exited;
      await c.restartCoordinator();
      // It resumed from a snapshot (logged at info), not from the whole log.
      const restored = await check(() => /^.*"campaign restored".*$/m.exec(c.coordinator.output())?.[0], 30_000);
      expect(restored).toMatch(/"fromSnapshot":\d+/);
    }
    const s = await c.waitFinished();
    expect(s.trialCount).toBe(6);
    for (const t of s.snapshots()) expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
    for (const [id, metrics] of recorded) expect(s.trial(id).metrics).toEqual(metrics);
    for (const [id, n] of finalEventsPerTrial(await c.events())) expect(n, id).toBe(1);
    // The kept snapshots stay at 3 however many were written.
    expect(await snapshotCount()).toBeLessThanOrEqual(3);
  });
});
