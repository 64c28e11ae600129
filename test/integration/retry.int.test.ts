/**
 * `prunesweep retry`: trials that failed for good stay listed with their last error, and run
 * again in the same campaign (same out dir, same event log) once the cause is fixed; every
 * trial ends recorded once.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { JetStreamCampaignStore, connectNats, type CampaignEvent } from "@prunesweep/coordinator";
import { TRIALS_STREAM } from "@prunesweep/proto";
import { startNatsServer } from "@prunesweep/coordinator/cli";
import { afterAll, describe, expect, it } from "vitest";
import { tinySpec } from "../fixtures/tiny-spec.js";
import { startTestCluster } from "../harness/cluster.js";
import { NO_WEBGPU_ENV, spawnCli } from "../harness/processes.js";

const dir = mkdtempSync(join(tmpdir(), "prunesweep-retry-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Workers of the first run: on the WebGPU backend with no adapter, so every trial fails at its
 * start, non-retryably; a spec check cannot see it coming. Retries run on the default backend.
 */
const BROKEN_WORKERS = { ...NO_WEBGPU_ENV, PRUNESWEEP_BACKEND: "webgpu" };

interface Results {
  campaign: { id: string };
  trials: { id: string; number: number; state: string; error?: string; attempts: number }[];
}
const results = (out: string): Results => JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results;

/** The campaign's event log from the out dir's JetStream store. */
async function events(out: string, campaignId: string): Promise<CampaignEvent[]> {
  const nats = await startNatsServer({ storeDir: join(out, "nats") });
  try {
    const nc = await connectNats({ url: nats.url, name: "test-reader" });
    try {
      return [...(await (await JetStreamCampaignStore.create(nc)).load(campaignId))];
    } finally {
      await nc.close();
    }
  } finally {
    await nats.stop();
  }
}

describe("prunesweep retry <out-dir>", () => {
  it("keeps failed trials with their last error and re-runs them in the same campaign", async () => {
    const spec = join(dir, "spec.yaml");
    writeFileSync(spec, tinySpec("retry-tiny", 3, 1));
    const out = join(dir, "out");
    const run = spawnCli(["run", spec, "--workers", "1", "--out", out], BROKEN_WORKERS);
    expect(await run.exited, run.output()).toBe(1);
    const failed = results(out);
    expect(failed.trials.map((t) => t.state)).toEqual(["failed", "failed", "failed"]);
    for (const t of failed.trials) expect(t.error).toContain('backend "webgpu" requested but no adapter');
    const status = spawnCli(["status", out]);
    expect(await status.exited, status.output()).toBe(0);
    expect(status.output()).toContain("failed 3");
    expect(status.output()).toMatch(/failed trials, by last error \(prunesweep retry runs them again\):\n {2}3 × [^\n]*backend "webgpu" requested but no adapter[^\n]* \(trials 0, 1, 2\)/);

    // Nothing to choose, or a trial that did not fail: refused before anything starts.
    const none = spawnCli(["retry", out]);
    expect(await none.exited).toBe(2);
    expect(none.output()).toContain("--failed (every failed trial) or --trials N,...");
    const unknown = spawnCli(["retry", out, "--trials", "7", "--workers", "0"]);
    expect(await unknown.exited, unknown.output()).toBe(2);
    expect(unknown.output()).toContain("no trial 7 in campaign");

    // The cause fixed: the retries' workers run on the default backend.
    const some = spawnCli(["retry", out, "--trials", "0,2", "--workers", "1"]);
    expect(await some.exited, some.output()).toBe(0);
    expect(some.output()).toContain("retrying 2 failed trials: 0, 2");
    expect(results(out).trials.map((t) => t.state)).toEqual(["completed", "failed", "completed"]);
    const completed = spawnCli(["retry", out, "--trials", "0", "--workers", "0"]);
    expect(await completed.exited, completed.output()).toBe(2);
    expect(completed.output()).toContain("only failed trials can be retried: trial 0 is completed");

    const rest = spawnCli(["retry", out, "--failed", "--workers", "1"]);
    expect(await rest.exited, rest.output()).toBe(0);
    const final = results(out);
    expect(final.campaign.id).toBe(failed.campaign.id);
    expect(final.trials.map((t) => [t.number, t.state])).toEqual([
      [0, "completed"],
      [1, "completed"],
      [2, "completed"],
    ]);
    // Recorded once: one TrialCompleted per trial after its one final failure, in the same log.
    const log = await events(out, final.campaign.id);
    for (const t of final.trials) {
      expect(log.filter((e) => e.type === "TrialCompleted" && e.trialId === t.id), t.id).toHaveLength(1);
      expect(log.filter((e) => e.type === "TrialFailed" && e.final && e.trialId === t.id), t.id).toHaveLength(1);
    }
    expect(log.filter((e) => e.type === "TrialCreated")).toHaveLength(3);
  });
});

describe("prunesweep retry <campaign> (a coordinator's campaign, over gRPC)", () => {
  it("re-queues the chosen failed trial on the coordinator and refuses one that did not fail", async () => {
    const cluster = await startTestCluster();
    try {
      const campaign = await cluster.coordinator.submit(tinySpec("retry-remote", 2, 2));
      const reports = cluster.coordinator.reports(campaign.id);
      const [a, b] = campaign.trials().map((t) => t.id) as [string, string];
      await reports.hello(a, 1, "w", "cpu");
      await reports.failure({ trialId: a, attempt: 1, error: "InvalidTaskError: broken", retryable: false });
      await reports.hello(b, 1, "w", "cpu");
      await reports.result({ trialId: b, attempt: 1, metrics: { accuracy: 0.5, nonzero_params: 10 }, details: {}, wallMs: 1, stoppedEarly: false, lastStep: 1 });
      await campaign.finished;
      expect(campaign.trial(a)).toMatchObject({ state: "failed", error: "InvalidTaskError: broken" });

      const address = ["--coordinator", `127.0.0.1:${cluster.grpc.port}`];
      const refused = spawnCli(["retry", campaign.id, "--trials", "1", ...address]);
      expect(await refused.exited, refused.output()).toBe(2);
      expect(refused.output()).toContain("only failed trials can be retried: trial 1 is completed");
      const retried = spawnCli(["retry", campaign.id, "--failed", ...address]);
      expect(await retried.exited, retried.output()).toBe(0);
      expect(retried.output()).toContain(`${campaign.id}  running`);
      expect(campaign.trial(a)).toMatchObject({ state: "waiting", attempts: 0, retries: 1 });
      expect(campaign.status).toBe("running");
      // Its assignment was published anew under a new dedupe id (no worker consumes this queue:
      // the two first assignments are still there, plus the retry's), and a hello starts attempt 1.
      const jsm = await jetstreamManager(cluster.nc);
      expect((await jsm.streams.info(TRIALS_STREAM)).state.messages).toBe(3);
      expect(await reports.hello(a, 1, "w2", "cpu")).toEqual({ kind: "run" });
    } finally {
      await cluster.close();
    }
  });
});
