import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnCli } from "../harness/processes.js";
import { tinySpec } from "../fixtures/tiny-spec.js";
import { check } from "../harness/wait.js";
import { startNatsServer } from "@prunesweep/coordinator/cli";

const dir = mkdtempSync(join(tmpdir(), "prunesweep-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function specFile(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("prunesweep run (local mode)", () => {
  it("starts nats-server, the coordinator and 2 workers, and writes results.json and trials.csv", async () => {
    const spec = specFile("tiny.yaml", tinySpec("cli-tiny", 4, 2));
    const out = join(dir, "out");
    const run = spawnCli(["run", spec, "--workers", "2", "--out", out]);
    const code = await run.exited;
    expect(code, run.output()).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      campaign: { id: string; name: string };
      objectives: unknown[];
      trials: { id: string; state: string; params: Record<string, unknown>; metrics: Record<string, number>; attempts: number }[];
      pareto: string[];
    };
    expect(results.campaign.name).toBe("cli-tiny");
    expect(results.objectives).toHaveLength(2);
    expect(results.trials).toHaveLength(4);
    for (const t of results.trials) {
      expect(t.state).toBe("completed");
      expect(typeof t.params["sparsity"]).toBe("number");
      expect(t.metrics["accuracy"]).toBeGreaterThan(0);
      expect(t.attempts).toBeGreaterThanOrEqual(1);
    }
    expect(results.pareto.length).toBeGreaterThan(0);
    expect(readFileSync(join(out, "trials.csv"), "utf8").split("\n")[0]).toContain("param.sparsity");
    expect(run.output()).toContain("Pareto front");
  });

  it("resumes an interrupted campaign with --resume, keeping the results recorded before the interruption", async () => {
    const spec = specFile("resume.yaml", tinySpec("cli-resume", 8, 2));
    const out = join(dir, "resume-out");
    const first = spawnCli(["run", spec, "--workers", "2", "--out", out]);
    await check(() => (first.output().match(/trial \d+ completed/g) ?? []).length >= 2, 120_000);
    first.child.kill("SIGINT");
    expect(await first.exited).toBe(130);
    expect(existsSync(join(out, "results.json"))).toBe(false);

    const again = spawnCli(["run", spec, "--out", out]);
    expect(await again.exited).toBe(2);
    expect(again.output()).toContain("--resume");

    const resumed = spawnCli(["run", spec, "--workers", "2", "--out", out, "--resume"]);
    expect(await resumed.exited, resumed.output()).toBe(0);
    expect(resumed.output()).toContain("resuming campaign");
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { trials: { state: string }[] };
    expect(results.trials).toHaveLength(8);
    expect(results.trials.every((t) => t.state === "completed")).toBe(true);
  });

  it("passes NATS user/password through to the coordinator and every worker", async () => {
    const nats = await startNatsServer({ storeDir: join(dir, "auth-nats"), args: ["--user", "sweeper", "--pass", "hunter2"] });
    try {
      const spec = specFile("auth.yaml", tinySpec("cli-nats-auth", 2, 2));
      const denied = spawnCli(["run", spec, "--nats", nats.url, "--out", join(dir, "auth-denied")]);
      expect(await denied.exited).toBe(1);
      expect(denied.output()).toMatch(/cannot reach NATS|Authorization/i);
      const run = spawnCli(["run", spec, "--workers", "2", "--nats", nats.url, "--nats-user", "sweeper", "--nats-pass", "hunter2", "--out", join(dir, "auth-out")]);
      expect(await run.exited, run.output()).toBe(0);
      const results = JSON.parse(readFileSync(join(dir, "auth-out", "results.json"), "utf8")) as { trials: { state: string }[] };
      expect(results.trials.every((t) => t.state === "completed")).toBe(true);
    } finally {
      await nats.stop();
    }
  });

  it("refuses --nats-replicas 3 on a single nats-server with exit code 2, saying why", async () => {
    const run = spawnCli(["run", specFile("r3.yaml", tinySpec("cli-r3", 2, 1)), "--nats-replicas", "3", "--out", join(dir, "r3-out")]);
    expect(await run.exited, run.output()).toBe(2);
    expect(run.output()).toContain("--nats-replicas 3: cannot create stream PRUNESWEEP_EVENTS");
    expect(run.output()).toContain("not in a JetStream cluster; use --nats-replicas 1");
  });

  it("rejects an out-of-range value before starting anything, naming the path, with exit code 2", async () => {
    const bad = tinySpec("cli-bad").replace("sparsity: { min: 0.3, max: 0.95 }", "sparsity: { min: 0.3, max: 1.5 }");
    const out = join(dir, "bad-out");
    const run = spawnCli(["run", specFile("bad.yaml", bad), "--out", out]);
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/space\.sparsity\.max: must be <=? ?<? ?1/);
    expect(existsSync(out)).toBe(false);
  });

  it("rejects an unknown key with its path and exit code 2", async () => {
    const bad = tinySpec("cli-bad2").replace("seed: 7", "seed: 7\nsede: 8");
    const run = spawnCli(["run", specFile("bad2.yaml", bad)]);
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain("sede");
  });

  it("fails within 10 seconds with a clear message when --nats is unreachable", async () => {
    const started = Date.now();
    const run = spawnCli(["run", specFile("tiny2.yaml", tinySpec("cli-unreach", 2, 1)), "--nats", "nats://127.0.0.1:1", "--out", join(dir, "u")]);
    const code = await run.exited;
    expect(Date.now() - started).toBeLessThan(12_000);
    expect(code).toBe(1);
    expect(run.output()).toContain("cannot reach NATS at nats://127.0.0.1:1");
  });

  it("says how to install nats-server when the binary is missing", async () => {
    const run = spawnCli(["run", specFile("tiny3.yaml", tinySpec("cli-nobin", 2, 1)), "--out", join(dir, "n")], {
      NATS_SERVER_BIN: "/nonexistent/nats-server",
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("apt-get install -y nats-server");
  });
});
