import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecordingTrialDispatcher } from "../../src/testing.js";
import type { ReadonlyCampaign } from "../../src/campaign/readonly-campaign.js";
import { Coordinator } from "../../src/coordinator.js";
import { startHttpServer, type RunningHttpServer } from "../../src/http/http-server.js";
import { silentLogger } from "../../src/logger.js";
import { InMemoryCampaignStore } from "../../src/store/campaign-store.js";

const SPEC = `
name: http-test
task: { dataset: synthetic, model: mlp }
objectives:
  - { metric: accuracy, direction: maximize }
  - { metric: nonzero_params, direction: minimize }
constraints: ["accuracy >= 0.5"]
space:
  sparsity: { min: 0.3, max: 0.9 }
budget: { maxTrials: 4, parallelism: 2 }
`;

let http: RunningHttpServer;
let coordinator: Coordinator;
let campaign: ReadonlyCampaign;
let healthy = true;

async function runTrial(c: ReadonlyCampaign, trialId: string, accuracy: number, nonzero: number): Promise<void> {
  const r = coordinator.reports(c.id);
  await r.hello(trialId, 1, "w1", "cpu");
  await r.progress(trialId, 1, 1, "finetune", { val_accuracy: accuracy - 0.1, loss: 0.5 });
  await r.result({ trialId, attempt: 1, metrics: { accuracy, nonzero_params: nonzero }, details: { method: "magnitude" }, wallMs: 2_500, stoppedEarly: false, lastStep: 1 });
}

beforeAll(async () => {
  coordinator = new Coordinator({ store: new InMemoryCampaignStore(), dispatcher: new RecordingTrialDispatcher(), log: silentLogger });
  http = await startHttpServer(coordinator, silentLogger, {
    host: "127.0.0.1",
    port: 0,
    flushMs: 20,
    probes: {
      queueStats: () => Promise.resolve({ pending: 3, ackPending: 1, waiting: 2 }),
      health: () => (healthy ? { ok: true, detail: "ok" } : { ok: false, detail: "NATS connection closed" }),
    },
  });
  campaign = await coordinator.submit(SPEC, "test");
});
afterAll(async () => {
  await http.close();
  coordinator.close();
});

const get = (path: string): Promise<Response> => fetch(new URL(path, http.url));

describe("HTTP server", () => {
  it("serves the dashboard page with its script inline", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain('id="pareto"');
    expect(html).toContain("EventSource");
    expect(html).not.toMatch(/<script src=|<link rel="stylesheet"/);
  });

  it("answers /healthz with 200, and 503 when the service says it is unhealthy", async () => {
    expect(await (await get("/healthz")).json()).toMatchObject({ status: "ok", campaigns: 1 });
    healthy = false;
    expect((await get("/healthz")).status).toBe(503);
    healthy = true;
  });

  it("pushes trial updates over server-sent events", async () => {
    const ctrl = new AbortController();
    const res = await fetch(new URL(`/api/events?campaign=${campaign.id}`, http.url), { signal: ctrl.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const until = async (pred: (s: string) => boolean): Promise<void> => {
      while (!pred(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += decoder.decode(value);
      }
    };
    await until((s) => s.includes('"full":true'));
    const first = campaign.trials()[0]?.id as string;
    await runTrial(campaign, first, 0.9, 400);
    await until((s) => s.includes('"full":false') && s.includes('"state":"completed"'));
    expect(text).toContain("event: campaigns");
    ctrl.abort();
  });

  it("serves campaigns, trials and one trial with its progress", async () => {
    const [second] = campaign.trials().filter((t) => t.state === "waiting");
    await runTrial(campaign, second?.id as string, 0.8, 200);
    const list = (await (await get("/api/campaigns")).json()) as { id: string; front: string[]; hypervolume: number }[];
    expect(list.map((c) => c.id)).toEqual([campaign.id]);
    expect(list[0]?.front).toHaveLength(2);
    const one = (await (await get(`/api/campaigns/${campaign.id}`)).json()) as {
      campaign: { hypervolumeHistory: unknown[] };
      trials: { state: string; feasible: boolean; method: string }[];
    };
    expect(one.trials.filter((t) => t.state === "completed")).toHaveLength(2);
    expect(one.trials.every((t) => t.method === "magnitude")).toBe(true);
    expect(one.campaign.hypervolumeHistory).toHaveLength(2);
    const detail = (await (await get(`/api/campaigns/${campaign.id}/trials/${second?.id}`)).json()) as { progress: unknown[]; details: unknown };
    expect(detail.progress).toHaveLength(1);
    expect(detail.details).toEqual({ method: "magnitude" });
    const report = await (await get(`/api/campaigns/${campaign.id}/report`)).text();
    expect(report).toContain("Campaign summary");
  }, 30_000);

  it("exports Prometheus metrics: trials, duration, queue depth, workers, reports", async () => {
    const text = await (await get("/metrics")).text();
    expect(text).toContain(`prunesweep_trials{campaign="${campaign.id}",state="completed"} 2`);
    expect(text).toContain('prunesweep_trial_duration_seconds_count{state="completed"} 2');
    expect(text).toContain('prunesweep_trial_duration_seconds_sum{state="completed"} 5');
    expect(text).toContain("prunesweep_queue_pending 3");
    expect(text).toContain("prunesweep_queue_ack_pending 1");
    expect(text).toContain("prunesweep_workers_connected 2"); // idle (waiting) workers; none busy now
    expect(text).toContain('prunesweep_reports_total{kind="progress"} 2');
    expect(text).toMatch(/prunesweep_reports_per_second 0\.1/); // 6 reports in the last minute
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("answers 404 for unknown paths and campaigns, 405 for writes", async () => {
    expect((await get("/nope")).status).toBe(404);
    expect((await get("/api/campaigns/nope")).status).toBe(404);
    expect((await get(`/api/campaigns/${campaign.id}/trials/nope`)).status).toBe(404);
    expect((await fetch(new URL("/api/campaigns", http.url), { method: "POST" })).status).toBe(405);
  });
});

describe("HTTP server: pruned models", () => {
  it("serves a trial's saved model files from the blob store, so tf.loadLayersModel(<url>/model.json) finds its shard next to it", async () => {
    const { blobRefsOf } = await import("@prunesweep/proto");
    const files = [
      { name: "model.json", bytes: new TextEncoder().encode('{"modelTopology":{}}') },
      { name: "group1-shard1of1.bin", bytes: new Uint8Array([1, 2, 3, 4]) },
    ];
    const refs = blobRefsOf(files);
    const bySha = new Map(refs.map((r, i) => [r.sha256, files[i]?.bytes]));
    const c2 = new Coordinator({ store: new InMemoryCampaignStore(), dispatcher: new RecordingTrialDispatcher(), log: silentLogger });
    const server = await startHttpServer(c2, silentLogger, { host: "127.0.0.1", port: 0, blobs: { get: (r) => Promise.resolve(bySha.get(r.sha256)) } });
    try {
      const camp = await c2.submit(SPEC, "test");
      await new Promise((r) => setTimeout(r, 50));
      const [t] = camp.trials();
      const r = c2.reports(camp.id);
      await r.hello(t?.id ?? "", 1, "w1", "cpu");
      await r.result({ trialId: t?.id ?? "", attempt: 1, metrics: { accuracy: 0.9, nonzero_params: 10 }, details: { model: { files: refs } }, wallMs: 1, stoppedEarly: false, lastStep: 1 });
      const base = new URL(`/api/campaigns/${camp.id}/trials/${t?.id ?? ""}/model/`, server.url);
      const json = await fetch(new URL("model.json", base));
      expect(json.status).toBe(200);
      expect(json.headers.get("content-type")).toBe("application/json");
      expect(await json.text()).toBe('{"modelTopology":{}}');
      const shard = await fetch(new URL("group1-shard1of1.bin", base));
      expect(new Uint8Array(await shard.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 4]));
      const missing = await fetch(new URL("other.bin", base));
      expect(missing.status).toBe(404);
      expect(await missing.text()).toContain("has no saved model file other.bin");
      c2.close();
    } finally {
      await server.close();
    }
  });
});
