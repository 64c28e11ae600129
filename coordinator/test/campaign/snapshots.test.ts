import { describe, expect, it } from "vitest";
import { Coordinator } from "../../src/coordinator.js";
import type { Logger } from "../../src/logger.js";
import { silentLogger } from "../../src/logger.js";
import { InMemoryCampaignStore } from "../../src/store/campaign-store.js";
import { InMemorySnapshotStore } from "../../src/store/snapshot-store.js";
import { RecordingTrialDispatcher } from "../../src/testing.js";

const SPEC = `
name: snap
seed: 5
task: { dataset: { synthetic: { samples: 100, features: 4, classes: 2 } }, model: mlp }
objectives: [{ metric: accuracy, direction: maximize }, { metric: nonzero_params, direction: minimize }]
space: { sparsity: { min: 0.1, max: 0.9 } }
budget: { maxTrials: 30, parallelism: 3, maxRetries: 3 }
`;

/** A logger that keeps warnings. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push(`${msg} ${JSON.stringify(fields ?? {})}`), warnings };
}


/**
 * Runs `n` trials of a campaign to completion, one failed attempt and a progress report on
 * each, letting the snapshots of each trial's events be written before the next (an
 * in-memory store is faster than any snapshot write).
 */
async function drive(c: Coordinator, id: string, n: number): Promise<void> {
  const r = c.reports(id);
  for (let i = 0; i < n; i++) {
    const t = c.campaign(id).inFlight()[0];
    if (!t) return;
    await r.hello(t.id, 1, "w1", "wasm");
    await r.failure({ trialId: t.id, attempt: 1, error: "lost", retryable: true });
    await r.hello(t.id, 2, "w2", "wasm");
    await r.progress(t.id, 2, 0, "finetune", { accuracy: 0.5 });
    await r.result({ trialId: t.id, attempt: 2, metrics: { accuracy: 0.5 + t.number / 100, nonzero_params: 1000 - t.number }, details: { n: t.number }, wallMs: 3, stoppedEarly: false, lastStep: 1 });
    await c.flush();
  }
}

describe("campaign snapshots", () => {
  it("are written every N events, pruned to the last few, and a restart from them equals a full replay", async () => {
    const store = new InMemoryCampaignStore();
    const snapshots = new InMemorySnapshotStore();
    const policy = { store: snapshots, everyEvents: 10, keep: 3 };
    const a = new Coordinator({ store, dispatcher: new RecordingTrialDispatcher(), log: silentLogger, snapshots: policy });
    const id = (await a.submit(SPEC, "snap.yaml")).id;
    await drive(a, id, 12);
    await a.flush();
    const written = await snapshots.list(id);
    expect(written.length).toBe(3);
    expect(written).toEqual([...written].sort((x, y) => y - x));
    // Events after the newest snapshot exist: the restart must replay them.
    await drive(a, id, 1);
    await a.flush();
    expect((await store.loadAfter(id, written[0] as number)).length).toBeGreaterThan(0);

    const b = new Coordinator({ store, dispatcher: new RecordingTrialDispatcher(), log: silentLogger, snapshots: { ...policy, everyEvents: 1_000_000 } });
    await b.restoreAll();
    const full = new Coordinator({ store, dispatcher: new RecordingTrialDispatcher(), log: silentLogger });
    await full.restoreAll();
    expect(b.campaign(id).trials()).toEqual(a.campaign(id).trials());
    expect(full.campaign(id).trials()).toEqual(a.campaign(id).trials());
    expect(b.campaign(id).counts()).toEqual(a.campaign(id).counts());

    // The restored campaign continues exactly like the original: same next trials.
    await drive(a, id, 5);
    await drive(b, id, 5);
    expect(b.campaign(id).trials().map((t) => [t.id, t.params, t.state])).toEqual(a.campaign(id).trials().map((t) => [t.id, t.params, t.state]));
  });

  it("falls back to an older snapshot when the newest is damaged, and to the log when none is usable", async () => {
    const store = new InMemoryCampaignStore();
    const snapshots = new InMemorySnapshotStore();
    const a = new Coordinator({ store, dispatcher: new RecordingTrialDispatcher(), log: silentLogger, snapshots: { store: snapshots, everyEvents: 10, keep: 3 } });
    const id = (await a.submit(SPEC, "snap.yaml")).id;
    await drive(a, id, 10);
    await a.flush();
    const [newest, older] = await snapshots.list(id);
    const bytes = (await snapshots.get(id, newest as number)) as Uint8Array;
    await snapshots.put(id, newest as number, bytes.subarray(0, bytes.byteLength - 100)); // cut short

    const log = recordingLogger();
    const b = new Coordinator({ store, dispatcher: new RecordingTrialDispatcher(), log, snapshots: { store: snapshots, everyEvents: 1_000_000, keep: 3 } });
    await b.restoreAll();
    expect(b.campaign(id).trials()).toEqual(a.campaign(id).trials());
    expect(log.warnings.join("\n")).toContain(`"position":${newest}`);
    expect(log.warnings).toHaveLength(1);

    for (const p of await snapshots.list(id)) await snapshots.put(id, p, new TextEncoder().encode("garbage"));
    const log2 = recordingLogger();
    const c = new Coordinator({ store, dispatcher: new RecordingTrialDispatcher(), log: log2, snapshots: { store: snapshots, everyEvents: 1_000_000, keep: 3 } });
    await c.restoreAll();
    expect(c.campaign(id).trials()).toEqual(a.campaign(id).trials());
    expect(log2.warnings).toHaveLength(3);
    expect(older).toBeLessThan(newest as number);
  });

  it("writes a snapshot after a restore that replayed at least N events", async () => {
    const store = new InMemoryCampaignStore();
    const a = new Coordinator({ store, dispatcher: new RecordingTrialDispatcher(), log: silentLogger });
    const id = (await a.submit(SPEC, "snap.yaml")).id;
    await drive(a, id, 6);
    await a.flush();
    const snapshots = new InMemorySnapshotStore();
    const b = new Coordinator({ store, dispatcher: new RecordingTrialDispatcher(), log: silentLogger, snapshots: { store: snapshots, everyEvents: 20, keep: 3 } });
    await b.restoreAll();
    await b.flush();
    expect(await snapshots.list(id)).toHaveLength(1);
  });
});
