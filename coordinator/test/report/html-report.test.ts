import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildReport, namespaceSvgIds, writeReport } from "../../src/report/html-report.js";
import { trialsToCsv } from "../../src/report/exports.js";
import { INACTIVE_Y, exitCurveData, parallelData, paretoPlotData } from "../../src/report/plots.js";
import { resultsSummary, toSnapshots } from "../../src/results/results-file.js";
import { computeSummary } from "../../src/results/statistics.js";
import { TRIALS, fixtureResults } from "./results-fixture.js";

const tradeoff = (x: string) => {
  const t = resultsSummary(fixtureResults()).tradeoffs.find((f) => f.x === x);
  if (!t) throw new Error(`no trade-off front for ${x}`);
  return t;
};

const dir = mkdtempSync(join(tmpdir(), "prunesweep-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("report data", () => {
  it("classifies Pareto-plot points: front, dominated, infeasible, stopped early; one knee", () => {
    const pts = paretoPlotData(fixtureResults(), tradeoff("nonzero_params"));
    const cat = Object.fromEntries(pts.map((p) => [p.trial, p.category]));
    expect(cat).toEqual({ 0: "front", 1: "front", 2: "front", 3: "dominated", 4: "infeasible", 5: "stopped early" });
    expect(pts.filter((p) => p.knee)).toHaveLength(1);
    expect(pts.find((p) => p.trial === 2)?.method).toBe("sap");
  });

  it("lists the cost metrics trials report, in report order", () => {
    expect(resultsSummary(fixtureResults()).costMetrics).toEqual(["expected_macs", "effective_macs", "nonzero_params", "latency_ms_b1"]);
  });

  it("tracks hypervolume over finished trials and wall time, non-decreasing", () => {
    const hv = resultsSummary(fixtureResults()).hypervolumeHistory;
    expect(hv).toHaveLength(8); // every final trial
    for (let i = 1; i < hv.length; i++) expect(hv[i]?.hypervolume).toBeGreaterThanOrEqual(hv[i - 1]?.hypervolume ?? 0);
    expect(hv.every((p) => p.minutes !== undefined && p.minutes > 0)).toBe(true);
  });

  it("normalises parameters for parallel coordinates, dropping single-valued ones", () => {
    const d = parallelData(fixtureResults());
    expect(d?.axes).toContain("method");
    expect(d?.axes).not.toContain("finetune.epochs");
    expect(d?.axes.at(-1)).toBe("accuracy");
    expect(d?.lines.every((l) => (l.y >= 0 && l.y <= 1) || l.y === INACTIVE_Y)).toBe(true);
    expect(d?.labels.some((l) => l.label === "inactive")).toBe(true);
  });

  it("takes exit curves from front trials and ignores their absence", () => {
    expect(exitCurveData(fixtureResults()).map((p) => p.tau)).toEqual([0.7, 0.8, 0.9]);
    expect(exitCurveData(fixtureResults({ pareto: [] }))).toEqual([]);
  });

  it("estimates the compute saved by early stopping from the completed trials' steps", () => {
    const c = computeSummary(toSnapshots(fixtureResults()));
    expect(c.stoppedTrials).toBe(1);
    expect(c.stoppedMs).toBe(1_000);
    expect(c.stoppedIfCompletedMs).toBe(4_000); // 1 s for 1 step; completed trials run 4 steps
    expect(c.savedMs).toBe(3_000);
    expect(c.totalMs).toBe(5 * 4_000 + 1_000);
  });

  it("summarises each method's best trials", () => {
    const ms = resultsSummary(fixtureResults()).methods;
    expect(ms.map((x) => x.method)).toEqual(["magnitude", "sap"]);
    expect(ms[0]?.bestAccuracy?.number).toBe(0);
    expect(ms[1]?.cheapest?.number).toBe(2);
    expect(ms[0]?.onFront).toBe(2);
  });
});

describe("buildReport", () => {
  it("renders one self-contained HTML page with every plot inline", async () => {
    const { html, plots } = await buildReport(fixtureResults());
    expect(plots.map((p) => p.file)).toEqual([
      "pareto-expected_macs.svg",
      "pareto-effective_macs.svg",
      "pareto-nonzero_params.svg",
      "pareto-latency_ms_b1.svg",
      "hypervolume-trials.svg",
      "hypervolume-time.svg",
      "parallel-coordinates.svg",
      "early-exit.svg",
    ]);
    for (const p of plots) expect(p.svg.startsWith("<svg")).toBe(true);
    expect(html.match(/<svg /g)?.length).toBe(plots.length);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // offline: no scripts, no remote resources
    for (const s of ["Campaign summary", "Pareto front", "Hypervolume", "Parameters", "Best trials per method", "Early exits", "All trials"]) expect(html).toContain(s);
    expect(html).toContain("saved by early stopping");
    expect(html).toContain("NaNLossError");
  }, 30_000);

  it("notes the absence of early-exit curves", async () => {
    const { html, plots } = await buildReport(fixtureResults({ trials: TRIALS.map((t) => ({ ...t, details: undefined })) }));
    expect(plots.some((p) => p.file === "early-exit.svg")).toBe(false);
    expect(html).toContain("No early-exit trial on the front");
  }, 30_000);

  it("writes report.html and plots/*.svg", async () => {
    const files = await writeReport(fixtureResults(), dir);
    expect(files[0]).toBe(join(dir, "report.html"));
    expect(readdirSync(join(dir, "plots")).sort()).toContain("pareto-nonzero_params.svg");
    expect(readFileSync(join(dir, "plots", "hypervolume-trials.svg"), "utf8")).toContain('xmlns="http://www.w3.org/2000/svg"');
  }, 30_000);

  it("prefixes SVG ids so that inlined plots cannot collide", () => {
    expect(namespaceSvgIds('<clipPath id="clip1"/><g clip-path="url(#clip1)"/>', "p3")).toBe('<clipPath id="p3-clip1"/><g clip-path="url(#p3-clip1)"/>');
  });
});

describe("trialsToCsv", () => {
  it("writes one row per trial with full-precision values", () => {
    const lines = trialsToCsv(fixtureResults()).trim().split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[0]).toMatch(/^id,number,state,attempts,wall_ms,param\./);
    expect(lines[7]).toContain("NaNLossError: loss became NaN");
  });
});
