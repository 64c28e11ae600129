import { afterAll, describe, expect, it } from "vitest";
import { ProcessCampaign, finalEventsPerTrial } from "../harness/campaign-process.js";
import { faultSpec } from "../fixtures/fault-spec.js";
import { check } from "../harness/wait.js";

describe("fault: SIGTERM of a worker mid-trial", () => {
  const c = new ProcessCampaign(faultSpec("fault-worker-term", 5, 2));
  afterAll(() => c.close());

  it("naks the trial for immediate redelivery, exits 0, and another worker completes it", async () => {
    await c.start(["w2"]);
    c.startWorker("w1", ["--shutdown-grace-ms", "0"]);
    const victim = await check(async () => {
      const s = await c.state();
      return s.snapshots().find((t) => t.state === "running" && t.workerId === "w1" && t.progress.length > 0);
    }, 90_000, 200);
    const w1 = c.workers.get("w1")!;
    // A grace period shorter than the trial: the trial is aborted at the next step boundary.
    w1.child.kill("SIGTERM");
    const code = await w1.exited;
    expect(code, w1.output()).toBe(0);

    const s = await c.waitFinished();
    for (const t of s.snapshots()) expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
    const t = s.trial(victim.id);
    expect(t.attempts).toBeGreaterThanOrEqual(2);
    expect(t.workerId).toBe("w2");
    for (const [id, n] of finalEventsPerTrial(await c.events())) expect(n, id).toBe(1);
  });
});
