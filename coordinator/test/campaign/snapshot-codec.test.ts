import { gzipSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_FORMAT_VERSION, SnapshotFormatError } from "../../src/campaign/snapshot-codec.js";
import { CampaignState } from "../../src/campaign/state.js";
import type { CampaignEvent } from "../../src/domain/events.js";
import type { Params } from "../../src/domain/trial.js";

const C = "codec-0a1b2c";

/** A log with every kind of trial: conditional and string/boolean params, progress, retries, errors, details, in flight. */
function eventLog(): CampaignEvent[] {
  const ev: CampaignEvent[] = [{ type: "CampaignCreated", eventId: `${C}:created`, campaignId: C, name: "codec", specYaml: "name: codec\n", at: 10 }];
  for (let i = 0; i < 40; i++) {
    const trialId = `${C}-${String(i).padStart(5, "0")}`;
    const params: Params = i % 3 === 0 ? { method: "magnitude", sparsity: i / 50, structured: true } : { method: "random", sparsity: i / 50, "finetune.epochs": i % 4 };
    ev.push({ type: "TrialCreated", eventId: `${trialId}:created`, campaignId: C, trialId, number: i, params, at: 100 + i });
    if (i % 7 === 6) continue; // waiting, never started
    ev.push({ type: "TrialStarted", eventId: `${trialId}:1:hello`, campaignId: C, trialId, attempt: 1, workerId: `w${i % 3}`, backend: i % 2 ? "wasm" : "tensorflow", at: 200 + i });
    for (let s = 0; s < i % 4; s++) {
      ev.push({ type: "TrialProgress", eventId: `${trialId}:1:${s}`, campaignId: C, trialId, attempt: 1, step: s, phase: s < 2 ? "train" : "finetune", metrics: { loss: 1 / (s + 1), accuracy: s / 10 }, at: 300 + i + s });
    }
    if (i % 5 === 1) {
      ev.push({ type: "TrialFailed", eventId: `${trialId}:1:failed`, campaignId: C, trialId, attempt: 1, error: `worker lost (${i})`, retryable: true, final: false, at: 400 + i });
      if (i % 10 === 1) continue; // waiting again after a failed attempt
      ev.push({ type: "TrialStarted", eventId: `${trialId}:2:hello`, campaignId: C, trialId, attempt: 2, workerId: "w9", backend: "wasm", at: 500 + i });
    }
    if (i % 8 === 3) continue; // running
    if (i % 9 === 4) ev.push({ type: "TrialFailed", eventId: `${trialId}:x:failed`, campaignId: C, trialId, attempt: 1, error: "NaN loss", retryable: false, final: true, at: 600 + i });
    else {
      const details = i % 2 ? { layers: [{ name: "dense", sparsity: 0.5 }], note: null } : {};
      ev.push({ type: "TrialCompleted", eventId: `${trialId}:done`, campaignId: C, trialId, attempt: 1, metrics: { accuracy: i / 40, nonzero_params: 1000 - i, "latency.ms": -0 }, details, wallMs: 5 * i, stoppedEarly: i % 6 === 0, lastStep: 3, at: 700 + i });
    }
  }
  return ev;
}

function fold(events: readonly CampaignEvent[]): CampaignState {
  const s = new CampaignState(C);
  for (const e of events) s.apply(e);
  return s;
}

describe("campaign snapshot codec", () => {
  it("gives back the same state: trials, counts, open trials and duplicate detection", async () => {
    const events = eventLog();
    const original = fold(events);
    const decoded = await decodeSnapshot(await encodeSnapshot(original.toSnapshot(), 1234));
    expect(decoded.position).toBe(1234);
    const loaded = new CampaignState(C);
    loaded.loadSnapshot(decoded.state);
    expect(loaded.snapshots()).toEqual(original.snapshots());
    // Key order too (what results.json and the reports print).
    expect(JSON.stringify(loaded.snapshots())).toBe(JSON.stringify(original.snapshots()));
    expect(loaded.counts()).toEqual(original.counts());
    expect(loaded.inFlight()).toEqual(original.inFlight());
    expect(loaded.eventCount).toBe(original.eventCount);
    expect(original.counts().running).toBeGreaterThan(0);
    expect(original.counts().waiting).toBeGreaterThan(0);
    expect(original.counts().failed).toBeGreaterThan(0);
    // Replaying the whole log again changes nothing (every event is a duplicate).
    for (const e of events) expect(loaded.apply(e), e.eventId).toBe(false);
    expect(loaded.snapshots()).toEqual(original.snapshots());
  });

  it("continues like the original after the snapshot: the same later events give the same state", async () => {
    const events = eventLog();
    const cut = Math.floor(events.length * 0.6);
    const head = fold(events.slice(0, cut));
    const loaded = new CampaignState(C);
    loaded.loadSnapshot((await decodeSnapshot(await encodeSnapshot(head.toSnapshot(), 1))).state);
    // The tail overlaps the snapshot by a few events, as a replay after a snapshot may.
    for (const e of events.slice(cut - 5)) loaded.apply(e);
    const full = fold(events);
    expect(loaded.snapshots()).toEqual(full.snapshots());
    expect(loaded.counts()).toEqual(full.counts());
    expect(loaded.trial(`${C}-00003`)).toEqual(full.trial(`${C}-00003`));
    expect(loaded.hasTrial(`${C}-99999`)).toBe(false);
  });

  it("builds finished trials only when read, and they equal the original's", async () => {
    const events = eventLog();
    const original = fold(events);
    const loaded = new CampaignState(C);
    loaded.loadSnapshot((await decodeSnapshot(await encodeSnapshot(original.toSnapshot(), 1))).state);
    // One finished trial read alone (by id), then the rest a few at a time, then all.
    expect(loaded.trial(`${C}-00002`)).toEqual(original.trial(`${C}-00002`));
    expect(loaded.hasTrial(`${C}-00004`)).toBe(true);
    expect(loaded.hasTrial(`${C}-00004x`)).toBe(false);
    while (!loaded.materializeSome(7));
    expect(JSON.stringify(loaded.snapshots())).toBe(JSON.stringify(original.snapshots()));
    expect(loaded.inFlight()).toEqual(original.inFlight());
  });

  it("retries failed trials and cancels open ones after a load, as the original does", async () => {
    const events = eventLog();
    const original = fold(events);
    const loaded = new CampaignState(C);
    loaded.loadSnapshot((await decodeSnapshot(await encodeSnapshot(original.toSnapshot(), 1))).state);
    const failed = original.snapshots().filter((t) => t.state === "failed").map((t) => t.id);
    expect(failed.length).toBeGreaterThan(0);
    const later: CampaignEvent[] = [
      { type: "TrialsRetried", eventId: `${C}:retry:1`, campaignId: C, trialIds: failed, round: 1, at: 900 },
      { type: "CampaignCancelled", eventId: `${C}:cancel`, campaignId: C, reason: "enough", at: 901 },
    ];
    for (const e of later) expect(loaded.apply(e)).toBe(original.apply(e));
    expect(loaded.counts()).toEqual(original.counts());
    expect(loaded.counts().cancelled).toBeGreaterThan(0);
    expect(JSON.stringify(loaded.snapshots())).toBe(JSON.stringify(original.snapshots()));
  });

  it("keeps trials whose ids do not end in their number findable", async () => {
    const s = new CampaignState(C);
    s.apply({ type: "CampaignCreated", eventId: "c", campaignId: C, name: "x", specYaml: "", at: 1 });
    s.apply({ type: "TrialCreated", eventId: "t0", campaignId: C, trialId: "odd-id", number: 0, params: { a: 1 }, at: 2 });
    s.apply({ type: "TrialCreated", eventId: "t1", campaignId: C, trialId: "x-0", number: 1, params: { a: 2 }, at: 2 });
    const loaded = new CampaignState(C);
    loaded.loadSnapshot((await decodeSnapshot(await encodeSnapshot(s.toSnapshot(), 1))).state);
    expect(loaded.trial("odd-id").params).toEqual({ a: 1 });
    expect(loaded.trial("x-0").params).toEqual({ a: 2 });
    expect(loaded.apply({ type: "TrialCreated", eventId: "t0b", campaignId: C, trialId: "odd-id", number: 5, params: {}, at: 3 })).toBe(false);
  });

  it("refuses a truncated, altered or foreign snapshot with a SnapshotFormatError", async () => {
    const bytes = await encodeSnapshot(fold(eventLog()).toSnapshot(), 7);
    await expect(decodeSnapshot(bytes.subarray(0, Math.floor(bytes.byteLength / 2)))).rejects.toThrow(SnapshotFormatError);
    const flipped = bytes.slice();
    const mid = Math.floor(flipped.byteLength / 2);
    flipped[mid] = (flipped[mid] as number) ^ 0xff;
    await expect(decodeSnapshot(flipped)).rejects.toThrow(SnapshotFormatError);
    await expect(decodeSnapshot(new TextEncoder().encode("{}"))).rejects.toThrow(/truncated or damaged/);
    const body = gunzipSync(bytes);
    body.writeUInt32LE(SNAPSHOT_FORMAT_VERSION + 1, 4);
    await expect(decodeSnapshot(gzipSync(body))).rejects.toThrow(`snapshot format version ${SNAPSHOT_FORMAT_VERSION + 1}`);
    body.write("XXXX", 0);
    await expect(decodeSnapshot(gzipSync(body))).rejects.toThrow(/bad magic/);
  });

  it("loads only into a fresh state of the same campaign", async () => {
    const snap = fold(eventLog()).toSnapshot();
    expect(() => new CampaignState("other").loadSnapshot(snap)).toThrow(/cannot load into campaign other/);
    const used = fold(eventLog());
    expect(() => used.loadSnapshot(snap)).toThrow(/fresh state only/);
  });
});
