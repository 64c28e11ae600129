/**
 * Operator commands against a real coordinator process (with a bearer token) and real
 * workers: submit, status, trials, pareto, report, export, cancel over gRPC; /metrics and
 * /healthz over HTTP.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, type LocalNatsServer } from "@prunesweep/coordinator/cli";
import { spawnCli, spawnWorker, stop, type Spawned } from "../harness/processes.js";
import { check } from "../harness/wait.js";
import { tinySpec } from "../fixtures/tiny-spec.js";

const TOKEN = "operator-test-token";
const dir = mkdtempSync(join(tmpdir(), "prunesweep-operator-"));
let nats: LocalNatsServer;
let coordinator: Spawned;
let address = "";
let dashboard = "";
const workers: Spawned[] = [];
let campaignId = "";

async function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | string; out: string }> {
  const p = spawnCli(args, env);
  const code = await p.exited;
  return { code, out: p.output() };
}
const auth = (): string[] => ["--coordinator", address, "--token-file", join(dir, "token")];

beforeAll(async () => {
  writeFileSync(join(dir, "token"), `${TOKEN}\n`);
  writeFileSync(join(dir, "tiny.yaml"), tinySpec("op-tiny", 4, 2, 'constraints: ["accuracy >= 0.3"]'));
  writeFileSync(join(dir, "long.yaml"), tinySpec("op-long", 40, 1));
  nats = await startNatsServer({ storeDir: join(dir, "nats") });
  coordinator = spawnCli(
    ["coordinator", "--nats", nats.url, "--host", "127.0.0.1", "--port", "0", "--http-port", "0", "--store", "memory", "--token-file", join(dir, "token"), "--log-level", "warn"],
  );
  await check(() => /dashboard at (http:\S+)/.test(coordinator.output()), 30_000);
  address = /listening on (\S+) /.exec(coordinator.output())?.[1] ?? "";
  dashboard = /dashboard at (http:\S+)/.exec(coordinator.output())?.[1] ?? "";
  for (const id of ["op-w1", "op-w2"]) workers.push(spawnWorker(nats.url, id, [], { PRUNESWEEP_TOKEN: TOKEN }));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => stop(w)));
  if (coordinator) await stop(coordinator);
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("operator commands against a coordinator", () => {
  it("rejects a call without the bearer token, and an invalid spec before any call", async () => {
    const denied = await cli(["submit", join(dir, "tiny.yaml"), "--coordinator", address]);
    expect(denied.code).toBe(1);
    expect(denied.out).toContain("UNAUTHENTICATED");
    expect(denied.out).toContain("--token-file");
    writeFileSync(join(dir, "bad.yaml"), tinySpec("op-bad").replace("max: 0.95", "max: 1.5"));
    const bad = await cli(["submit", join(dir, "bad.yaml"), ...auth()]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain("space.sparsity.max");
  });

  it("submits with the token and the campaign runs to completion on the workers", async () => {
    const r = await cli(["submit", join(dir, "tiny.yaml"), ...auth(), "--json"]);
    expect(r.code, r.out).toBe(0);
    campaignId = (JSON.parse(r.out) as { id: string }).id;
    expect(campaignId).toMatch(/^op-tiny-[0-9a-f]{6}$/);
    await check(async () => {
      const c = (await (await fetch(`${dashboard}api/campaigns/${campaignId}`)).json()) as { campaign: { status: string } };
      return c.campaign.status === "completed";
    }, 90_000, 500);
  }, 120_000);

  it("status, trials and pareto read the campaign over gRPC", async () => {
    const list = await cli(["status", ...auth(), "--json"], {});
    expect((JSON.parse(list.out) as { id: string }[]).map((c) => c.id)).toContain(campaignId);
    const status = await cli(["status", campaignId, ...auth()]);
    expect(status.out).toContain(`campaign ${campaignId} (op-tiny)`);
    expect(status.out).toMatch(/Pareto front: \d+ trials, hypervolume/);
    const trials = await cli(["trials", campaignId, ...auth(), "--state", "completed", "--sort", "accuracy", "--json"]);
    const rows = JSON.parse(trials.out) as { state: string; metrics: { accuracy: number } }[];
    expect(rows).toHaveLength(4);
    expect(rows.map((t) => t.metrics.accuracy)).toEqual([...rows.map((t) => t.metrics.accuracy)].sort((a, b) => b - a));
    const pareto = await cli(["pareto", campaignId, ...auth(), "--objectives", "accuracy,expected_macs:min", "--constraint", "accuracy>=0.3", "--format", "json"]);
    expect(pareto.code, pareto.out).toBe(0);
    const front = JSON.parse(pareto.out) as { objectives: { metric: string; direction: string }[]; front: { knee: boolean }[]; hypervolume: number };
    expect(front.objectives).toEqual([
      { metric: "accuracy", direction: "maximize" },
      { metric: "expected_macs", direction: "minimize" },
    ]);
    expect(front.front.length).toBeGreaterThan(0);
    expect(front.front.filter((f) => f.knee)).toHaveLength(1);
    expect(front.hypervolume).toBeGreaterThan(0);
  }, 60_000);

  it("report and export work on a coordinator's campaign", async () => {
    const out = join(dir, "report");
    const rep = await cli(["report", campaignId, ...auth(), "--out", out]);
    expect(rep.code, rep.out).toBe(0);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("<svg");
    expect(existsSync(join(out, "plots", "pareto-nonzero_params.svg"))).toBe(true);
    const csv = await cli(["export", campaignId, ...auth(), "--format", "csv"]);
    expect(csv.out.trim().split("\n")).toHaveLength(5);
  }, 60_000);

  it("cancels a running campaign", async () => {
    const sub = await cli(["submit", join(dir, "long.yaml"), ...auth(), "--json"]);
    const id = (JSON.parse(sub.out) as { id: string }).id;
    const r = await cli(["cancel", id, ...auth(), "--json"]);
    expect(r.code, r.out).toBe(0);
    expect((JSON.parse(r.out) as { state: string }).state).toBe("cancelled");
    const missing = await cli(["cancel", "nope-000000", ...auth()]);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain("not found");
  }, 60_000);

  it("serves /metrics and /healthz", async () => {
    const health = await fetch(`${dashboard}healthz`);
    expect(health.status).toBe(200);
    const text = await (await fetch(`${dashboard}metrics`)).text();
    expect(text).toContain(`prunesweep_trials{campaign="${campaignId}",state="completed"} 4`);
    const observed = Number(/prunesweep_trial_duration_seconds_count\{state="completed"\} (\d+)/.exec(text)?.[1]);
    expect(observed).toBeGreaterThanOrEqual(4); // the cancelled campaign may have completed some too
    expect(text).toMatch(/prunesweep_queue_pending \d+/);
    expect(text).toMatch(/prunesweep_workers_connected \d+/);
    expect(Number(/prunesweep_reports_total\{kind="result"\} (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(4);
  });
});
