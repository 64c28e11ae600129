import { afterAll, describe, expect, it } from "vitest";
import { ProcessCampaign, finalEventsPerTrial } from "../harness/campaign-process.js";
import { faultSpec } from "../fixtures/fault-spec.js";
import { check } from "../harness/wait.js";

describe("fault: restart of nats-server mid-campaign", () => {
  const c = new ProcessCampaign(faultSpec("fault-nats-restart", 10, 2));
  afterAll(() => c.close());

  it("lets everyone reconnect; file storage keeps the queue and the log; nothing is lost", async () => {
    await c.start(["w1", "w2"]);
    await check(async () => {
      const s = await c.state();
      const n = s.counts();
      return n.completed >= 1 && n.completed <= 7 && s.status === "running";
    }, 120_000, 200);
    c.nats.kill("SIGKILL");
    await new Promise((r) => setTimeout(r, 1_500));
    await c.nats.restart();

    const s = await c.waitFinished();
    expect(s.trialCount).toBe(10);
    for (const t of s.snapshots()) expect(t.state, `${t.id}: ${t.error ?? ""}`).toBe("completed");
    for (const [id, n] of finalEventsPerTrial(await c.events())) expect(n, id).toBe(1);
  });
});
