import { describe, expect, it } from "vitest";
import { Coordinator } from "../../src/coordinator.js";
import { SpecError, type SpecIssue } from "../../src/errors.js";
import { silentLogger } from "../../src/logger.js";
import { InMemoryCampaignStore } from "../../src/store/campaign-store.js";
import { RecordingTrialDispatcher } from "../../src/testing.js";

/** A spec with the given task, objectives and space (YAML flow mappings). */
const spec = (o: { task?: string; objectives?: string; constraints?: string; space?: string }): string => `
name: checks
task: ${o.task ?? "{ dataset: { synthetic: { samples: 60, features: 8, classes: 2 } }, model: mlp }"}
objectives: ${o.objectives ?? "[{ metric: accuracy, direction: maximize }]"}
${o.constraints ? `constraints: ${o.constraints}` : ""}
${o.space ? `space: ${o.space}` : ""}
budget: { maxTrials: 2 }
`;

/**
 * Submits `yaml` to a coordinator with an in-memory store and a recording dispatcher; returns
 * the issues of the SpecError it must throw, after checking that nothing was recorded or
 * published.
 */
async function rejected(yaml: string): Promise<SpecIssue[]> {
  const store = new InMemoryCampaignStore();
  const dispatcher = new RecordingTrialDispatcher();
  const coordinator = new Coordinator({ store, dispatcher, log: silentLogger });
  const err = await coordinator.submit(yaml, "checks.yaml").then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpecError);
  expect(dispatcher.sent).toEqual([]);
  expect(await store.listCampaigns()).toEqual([]);
  expect(coordinator.campaigns()).toEqual([]);
  return [...(err as SpecError).issues];
}

describe("cross-section spec checks (before anything is recorded or dispatched)", () => {
  it("accepts a campaign whose metrics, model settings and methods fit together", async () => {
    const store = new InMemoryCampaignStore();
    const dispatcher = new RecordingTrialDispatcher();
    const coordinator = new Coordinator({ store, dispatcher, log: silentLogger });
    await coordinator.submit(
      spec({
        task: "{ dataset: { synthetic: { samples: 60, features: 8, classes: 2 } }, model: deep-mlp, modelOptions: { width: 8, depth: 3 }, exits: [1] }",
        objectives: "[{ metric: ee_accuracy, direction: maximize }, { metric: accuracy_exit_2, direction: maximize }, { metric: removed_layers, direction: maximize }]",
        constraints: '["latency_ms_b64 < 100", "val_accuracy > 0.1"]',
        space: "{ method: { values: [layerprune, early-exit] }, layerprune.k: { int: [1, 2] } }",
      }),
    );
    expect(dispatcher.sent).toHaveLength(1); // budget.parallelism 1
    coordinator.close();
  });

  it("rejects an objective metric that nothing reports, with the metrics that are reported", async () => {
    const issues = await rejected(spec({ objectives: "[{ metric: acuracy, direction: maximize }]" }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("objectives.0.metric");
    expect(issues[0]?.message).toMatch(/^metric "acuracy" is never reported: it is not a metric any worker reports; reported: accuracy, val_accuracy, accuracy_exit_1,/);
  });

  it("rejects a method metric when the campaign does not run that method", async () => {
    const issues = await rejected(spec({ objectives: "[{ metric: sap_pqi, direction: maximize }]", space: "{ magnitude.sparsity: 0.5 }" }));
    expect(issues).toEqual([
      { path: "objectives.0.metric", message: expect.stringMatching(/^metric "sap_pqi" is never reported: it is reported only by the method sap, and this campaign runs magnitude; reported: /) as unknown },
    ]);
    // The default method (no `method` in the space) is magnitude too.
    expect((await rejected(spec({ objectives: "[{ metric: removed_units, direction: minimize }]" })))[0]?.message).toMatch(/only by the methods layerprune, gates, and this campaign runs magnitude/);
  });

  it("rejects constraint metrics that are reported only in progress, only with exits, or need a validation split", async () => {
    const issues = await rejected(
      spec({
        task: "{ dataset: { synthetic: { samples: 60, features: 8, classes: 2 } }, model: mlp, split: { train: 0.8, validation: 0, test: 0.2 } }",
        constraints: '["loss < 1", "ee_accuracy > 0.5", "val_accuracy > 0.1", "accuracy_exit_3 > 0.1", "latency_ms_b8 < 5"]',
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(["constraints.0", "constraints.1", "constraints.2", "constraints.3", "constraints.4"]);
    expect(issues[0]?.message).toMatch(/"loss" is never reported: it is reported only in progress reports/);
    expect(issues[1]?.message).toMatch(/"ee_accuracy" is never reported: it is reported only by models with early exits/);
    expect(issues[2]?.message).toMatch(/"val_accuracy" is never reported: task.split.validation is 0/);
    expect(issues[3]?.message).toMatch(/"accuracy_exit_3" is never reported: the model has 1 exit counting the final classifier \(k = 1 … 1\)/);
    expect(issues[4]?.message).toMatch(/"latency_ms_b8" is never reported: latency is measured at batch sizes 1 and 64/);
  });

  it("rejects model options out of the model's range, naming the value", async () => {
    const issues = await rejected(spec({ task: "{ dataset: synthetic, model: deep-mlp, modelOptions: { depth: 0, widht: 3 } }" }));
    expect(issues).toEqual([
      { path: "task.modelOptions.depth", message: "must be >= 1, got 0" },
      { path: "task.modelOptions.widht", message: "unknown key" },
    ]);
  });

  it("rejects exit positions past the model's blocks, and {every} that places none", async () => {
    const issues = await rejected(spec({ task: "{ dataset: synthetic, model: mlp, modelOptions: { hidden: [8, 8] }, exits: [1, 2, 5] }" }));
    expect(issues).toEqual([
      { path: "task.exits.1", message: 'exit position 2 is out of range; allowed: 0 … 1 ("mlp" has 2 blocks)' },
      { path: "task.exits.2", message: 'exit position 5 is out of range; allowed: 0 … 1 ("mlp" has 2 blocks)' },
    ]);
    expect(await rejected(spec({ task: "{ dataset: synthetic, model: res-mlp, modelOptions: { blocks: 3 }, exits: { every: 3 } }" }))).toEqual([
      { path: "task.exits.every", message: 'every 3 places no exit; allowed: 1 … 2 ("res-mlp" has 3 blocks)' },
    ]);
    expect(await rejected(spec({ task: "{ dataset: synthetic, model: mlp, exits: [1], modelOptions: { exitLossWeights: [1, 2, 3] } }" }))).toEqual([
      { path: "task.modelOptions.exitLossWeights", message: "3 weights given ([1, 2, 3]); expected 2 (1 exit + the final classifier)" },
    ]);
  });

  it("rejects an image model on vector data", async () => {
    const issues = await rejected(spec({ task: "{ dataset: { synthetic: { features: 16 } }, model: lenet5 }" }));
    expect(issues).toEqual([{ path: "task.model", message: expect.stringMatching(/^"lenet5" takes images .* synthetic gives vectors of 16 features/) as unknown }]);
  });

  it("rejects LayerPrune settings the model cannot honour: no removable layer, or k above the removable count", async () => {
    // lenet-300-100 on 8 features: no hidden layer keeps its width.
    const none = await rejected(spec({ task: "{ dataset: { synthetic: { features: 8 } }, model: lenet-300-100 }", space: "{ method: layerprune }" }));
    expect(none).toEqual([
      { path: "space.method", message: expect.stringMatching(/^layerprune.unit "layer" \(the default\) removes layers or blocks, and "lenet-300-100" with these options has none .*; allowed: layerprune.unit: filter$/) as unknown },
    ]);
    const k = await rejected(spec({ task: "{ dataset: mnist, model: resnet8 }", space: "{ layerprune.unit: { values: [filter, block] }, layerprune.k: { int: [1, 3] } }" }));
    expect(k).toEqual([
      { path: "space.layerprune.k", message: 'layerprune.k 3 is more than the 1 block "resnet8" can lose (basic blocks that do not downsample); allowed: 1 … 1' },
    ]);
  });
});
