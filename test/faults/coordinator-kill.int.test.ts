import { afterAll, describe, expect, it } from "vitest";
import { ProcessCampaign, finalEventsPerTrial } from "../harness/campaign-process.js";
import { faultSpec } from "../fixtures/fault-spec.js";
import { check } from "../harness/wait.js";

describe("fault: kill -9 of the coordinator mid-campaign, then restart", () => {
  const c = new ProcessCampaign(faultSpec("fault-coord-kill", 8, 2));
  afterAll(() => c.close());

  it("restores the campaign from JetStream and completes it without losing or repeating a result", async () => {
    await c.start(["w1", "w2"]);
    // Kill once some results are recorded and trials are running.
    const before = await check(async () => {
      const s = await c.state();
      const n = s.counts();
      return n.completed >= 2 && n.running >= 1 ? s : undefined;
    }, 120_000, 200);
    const recorded = before.snapshots().filter((t) => t.state === "completed");
    c.coordinator.child.kill("SIGKILL");
    await c.coordinator.exited;
    // Workers keep training while it is down; then it comes back on the same port.
    await new Promise((r) => setTimeout(r, 2_000));
    await c.restartCoordinator();

    const s = await c.waitFinished();
    expect(s.trialCount).toBe(8);
    for (const t of s.snapshots()) expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
    // Every result recorded before the crash survived with the same metrics.
    for (const t of recorded) expect(s.trial(t.id).metrics).toEqual(t.metrics);
    // Same trials: the parameters of trials created before the crash did not change.
    for (const t of before.snapshots()) expect(s.trial(t.id).params).toEqual(t.params);
    for (const [id, n] of finalEventsPerTrial(await c.events())) expect(n, id).toBe(1);
  });
});
