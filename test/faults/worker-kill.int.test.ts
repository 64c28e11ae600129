import { afterAll, describe, expect, it } from "vitest";
import { ProcessCampaign, finalEventsPerTrial } from "../harness/campaign-process.js";
import { faultSpec } from "../fixtures/fault-spec.js";
import { check } from "../harness/wait.js";

describe("fault: kill -9 of a worker mid-trial", () => {
  const c = new ProcessCampaign(faultSpec("fault-worker-kill", 6, 2));
  afterAll(() => c.close());

  it("redelivers the killed trial after the lease expires and completes the campaign", async () => {
    await c.start(["w1", "w2"]);
    // Wait until w1 is running a trial, then kill it hard.
    const victim = await check(async () => {
      const s = await c.state();
      return s.snapshots().find((t) => t.state === "running" && t.workerId === "w1");
    }, 90_000, 200);
    c.workers.get("w1")!.child.kill("SIGKILL");
    c.startWorker("w3");

    const s = await c.waitFinished();
    for (const t of s.snapshots()) expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
    expect(s.trial(victim.id).attempts).toBeGreaterThanOrEqual(2);
    for (const [id, n] of finalEventsPerTrial(await c.events())) expect(n, id).toBe(1);
  });
});
