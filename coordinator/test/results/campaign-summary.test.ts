import { describe, expect, it } from "vitest";
import { Coordinator } from "../../src/coordinator.js";
import { RecordingTrialDispatcher } from "../../src/testing.js";
import { campaignJson } from "../../src/http/api-views.js";
import { silentLogger } from "../../src/logger.js";
import { buildResultsFile, resultsSummary } from "../../src/results/results-file.js";
import { summaryOf } from "../../src/results/campaign-summary.js";
import { InMemoryCampaignStore } from "../../src/store/campaign-store.js";

const SPEC = `
name: summary
seed: 2
task: { dataset: synthetic, model: mlp }
objectives: [{ metric: accuracy, direction: maximize }, { metric: nonzero_params, direction: minimize }]
constraints: ["accuracy >= 0.5"]
space: { sparsity: { min: 0.1, max: 0.9 } }
budget: { maxTrials: 5, parallelism: 5 }
`;

/** (accuracy, nonzero_params, expected_macs) of five completed trials. */
const RESULTS: readonly [number, number, number][] = [
  [0.9, 400, 90], // front on both; on the expected_macs front too
  [0.8, 200, 95], // front over (accuracy, nonzero_params); dominated by the first on expected_macs
  [0.7, 300, 80], // dominated on nonzero_params; cheapest on expected_macs
  [0.4, 100, 10], // infeasible
  [0.85, 250, 85], // front on both
];

async function finishedCampaign() {
  const coordinator = new Coordinator({ store: new InMemoryCampaignStore(), dispatcher: new RecordingTrialDispatcher(), log: silentLogger });
  const campaign = await coordinator.submit(SPEC, "summary.yaml");
  const reports = coordinator.reports(campaign.id);
  for (const [i, t] of campaign.trials().entries()) {
    const [accuracy, nz, macs] = RESULTS[i] as [number, number, number];
    await reports.hello(t.id, 1, "w", "cpu");
    await reports.result({ trialId: t.id, attempt: 1, metrics: { accuracy, nonzero_params: nz, expected_macs: macs }, details: {}, wallMs: 1_000, stoppedEarly: false, lastStep: 1 });
  }
  return { coordinator, campaign };
}

describe("campaign summary", () => {
  it("is computed once per state of the campaign and shared by every reader", async () => {
    const { campaign } = await finishedCampaign();
    const s = summaryOf(campaign);
    expect(summaryOf(campaign)).toBe(s);
    expect(s.front).toBe(s.front); // each part too
    // A results file built from the campaign carries the same summary: the report, the
    // pareto table and results.json read one computation.
    expect(resultsSummary(buildResultsFile(campaign))).toBe(s);
    await campaign.finished;
    expect(summaryOf(campaign)).toBe(s); // CampaignFinished changes no trial
  });

  it("computes the objective front, the accuracy-vs-cost fronts and their knees", async () => {
    const { campaign } = await finishedCampaign();
    const s = summaryOf(campaign);
    const id = (i: number) => campaign.trials()[i]?.id;
    expect(s.frontIds).toEqual([id(0), id(4), id(1)]); // best accuracy first
    expect(s.costMetrics).toEqual(["expected_macs", "nonzero_params"]);
    const macs = s.tradeoffs.find((t) => t.x === "expected_macs");
    expect(macs).toMatchObject({ y: "accuracy", front: [id(2), id(4), id(0)] }); // cheapest first
    expect(macs?.knee).toBeDefined();
    expect(macs?.front).toContain(macs?.knee);
    expect(s.counts.completed).toBe(5);
    expect(s.hypervolumeHistory).toHaveLength(5);
  });

  it("is what the dashboard API serves: front, knee, trade-offs and methods", async () => {
    const { campaign } = await finishedCampaign();
    const s = summaryOf(campaign);
    const full = campaignJson(campaign, true);
    expect(full.front).toEqual(s.frontIds);
    expect(full.knee).toBe(s.front.knee);
    expect(full.tradeoffs).toEqual(s.tradeoffs);
    expect(full.methods).toEqual(["magnitude"]);
    expect(campaignJson(campaign)).not.toHaveProperty("tradeoffs");
  });
});
