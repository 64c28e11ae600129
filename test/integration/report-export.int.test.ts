/**
 * `prunesweep run` writes the HTML report and serves the dashboard; `report`, `pareto` and
 * `export` work on its out dir; the Optuna journal export loads in Optuna itself when
 * python3-optuna is installed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../harness/processes.js";
import { tinySpec } from "../fixtures/tiny-spec.js";
import { explainSkip, optunaMissing } from "../harness/requirements.js";

interface Results {
  campaign: { id: string };
  pareto: string[];
  trials: { id: string; number: number; state: string; params: Record<string, unknown>; metrics: Record<string, number> }[];
}

const noOptuna = explainSkip("report-export.int.test.ts", optunaMissing());
const dir = mkdtempSync(join(tmpdir(), "prunesweep-report-"));
const out = join(dir, "out");
let runOutput = "";
let results: Results;

async function cli(args: readonly string[]): Promise<{ code: number | string; out: string }> {
  const p = spawnCli(args);
  const code = await p.exited;
  return { code, out: p.output() };
}

beforeAll(async () => {
  writeFileSync(join(dir, "spec.yaml"), tinySpec("report-tiny", 5, 2, 'constraints: ["accuracy >= 0.3"]'));
  const run = await cli(["run", join(dir, "spec.yaml"), "--workers", "2", "--out", out]);
  runOutput = run.out;
  expect(run.code, run.out).toBe(0);
  results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("prunesweep run: report and dashboard", () => {
  it("prints the dashboard URL at start and writes report.html with SVG plots at the end", () => {
    expect(runOutput).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    expect(runOutput).toContain(`report: ${join(out, "report.html")}`);
    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html).toContain("report-tiny: accuracy vs cost");
    expect(html).not.toContain("<script");
    const plots = readdirSync(join(out, "plots"));
    expect(plots).toEqual(expect.arrayContaining(["pareto-nonzero_params.svg", "pareto-expected_macs.svg", "hypervolume-trials.svg", "parallel-coordinates.svg"]));
    expect(html.match(/<svg /g)?.length).toBe(plots.length);
  });

  it("regenerates the report and extracts fronts from the out dir", async () => {
    rmSync(join(out, "report.html"));
    expect((await cli(["report", out])).code).toBe(0);
    expect(existsSync(join(out, "report.html"))).toBe(true);
    const p = await cli(["pareto", out, "--objectives", "accuracy,expected_macs,latency_ms_b1", "--format", "csv"]);
    expect(p.code, p.out).toBe(0);
    const lines = p.out.trim().split("\n");
    expect(lines[0]).toMatch(/^rank,trial,id,knee,accuracy,expected_macs,latency_ms_b1/);
    expect(lines.length).toBeGreaterThan(1);
    const table = await cli(["pareto", out]);
    expect(table.out).toMatch(/hypervolume [\d.e+-]+ \(reference/);
  });

  it("exports JSON identical to results.json and CSV with one row per trial", async () => {
    const json = await cli(["export", out, "--format", "json"]);
    expect(JSON.parse(json.out)).toEqual(JSON.parse(readFileSync(join(out, "results.json"), "utf8")));
    const csv = await cli(["export", out, "--format", "csv"]);
    expect(csv.out.trim().split("\n")).toHaveLength(results.trials.length + 1);
  });

  it.skipIf(noOptuna !== undefined)("exports an Optuna journal that optuna.storages.JournalStorage loads with the same trials", async () => {
    const file = join(dir, "journal.log");
    const r = await cli(["export", out, "--format", "optuna-journal", "-o", file]);
    expect(r.code, r.out).toBe(0);
    const script = [
      "import json, sys, warnings",
      'warnings.simplefilter("ignore")',
      "import optuna",
      "try:\n    from optuna.storages.journal import JournalFileBackend as B\nexcept ImportError:\n    from optuna.storages import JournalFileStorage as B",
      "st = optuna.storages.JournalStorage(B(sys.argv[1]))",
      "s = optuna.load_study(study_name=optuna.get_all_study_summaries(st)[0].study_name, storage=st)",
      'print(json.dumps({"name": s.study_name, "trials": [{"n": t.number, "state": t.state.name, "values": t.values, "params": t.params} for t in s.trials]}))',
    ].join("\n");
    const py = spawnSync("/usr/bin/python3", ["-c", script, file], { encoding: "utf8", timeout: 60_000 });
    expect(py.status, py.stderr).toBe(0);
    const study = JSON.parse(py.stdout) as { name: string; trials: { n: number; state: string; values: number[] | null; params: unknown }[] };
    expect(study.name).toBe(results.campaign.id);
    expect(study.trials).toHaveLength(results.trials.length);
    for (const t of results.trials) {
      const o = study.trials[t.number];
      expect(o?.state).toBe(t.state === "completed" ? "COMPLETE" : t.state === "stopped_early" ? "PRUNED" : "FAIL");
      expect(o?.params).toEqual(t.params);
      if (t.state === "completed") expect(o?.values).toEqual([t.metrics["accuracy"], t.metrics["nonzero_params"]]);
    }
  }, 60_000);
});
