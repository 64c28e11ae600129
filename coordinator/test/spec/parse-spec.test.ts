import { describe, expect, it } from "vitest";
import { SpecError, type SpecIssue } from "../../src/errors.js";
import { EARLY_STOPPER_NAMES } from "../../src/early-stopping/index.js";
import { SAMPLER_NAMES } from "../../src/samplers/index.js";
import { parseCampaignSpec, validateCampaignSpec } from "../../src/spec/index.js";
import { FULL_SPEC, MINIMAL_SPEC, minimalWith } from "../fixtures/specs.js";

/** The issues a spec raises (fails the test when it parses). */
function issuesOf(yaml: string): SpecIssue[] {
  try {
    parseCampaignSpec(yaml, "test.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return [...(err as SpecError).issues];
  }
  throw new Error("expected a SpecError");
}

const messageAt = (issues: SpecIssue[], path: string): string | undefined => issues.find((i) => i.path === path)?.message;

describe("parseCampaignSpec", () => {
  it("parses the documented example with defaults filled in", () => {
    const spec = parseCampaignSpec(FULL_SPEC, "campaign.yaml");
    expect(spec.name).toBe("mnist-pruning");
    expect(spec.seed).toBe(1);
    expect(spec.task).toEqual({
      dataset: { kind: "builtin", name: "mnist" },
      split: { train: 0.7, validation: 0.1, test: 0.2 },
      model: "mlp",
      modelOptions: { hidden: [300, 100] },
      exits: { positions: [], every: 0 },
      pretrain: { epochs: 5, optimizer: "adam", learningRate: 0.001, batchSize: 64 },
      backend: "auto",
      maxTrainExamples: 0,
      artifacts: { keep: "all", maxBytes: 64 * 1024 * 1024 },
    });
    expect(spec.objectives).toEqual([
      { metric: "accuracy", direction: "maximize" },
      { metric: "expected_macs", direction: "minimize" },
    ]);
    expect(spec.constraints).toEqual([{ metric: "accuracy", op: ">=", value: 0.9, source: "accuracy >= 0.9" }]);
    expect(spec.space.map((p) => p.name)).toEqual([
      "method",
      "magnitude.sparsity",
      "magnitude.scope",
      "finetune.epochs",
      "finetune.learningRate",
      "finetune.batchSize",
    ]);
    expect(spec.space[1]).toEqual({
      name: "magnitude.sparsity",
      distribution: { type: "float", min: 0.5, max: 0.99, log: false },
      when: { method: ["magnitude"] },
    });
    expect(spec.space[3]?.distribution).toEqual({ type: "fixed", value: 2 });
    expect(spec.space[4]?.distribution).toEqual({ type: "float", min: 1e-4, max: 0.1, log: true });
    expect(spec.space[5]?.distribution).toEqual({ type: "int", min: 16, max: 128, step: 16, log: false });
    expect(spec.paramConstraints).toEqual([
      { left: "magnitude.sparsity", op: "<=", right: 0.95, source: "magnitude.sparsity <= 0.95" },
    ]);
    expect(spec.sampler).toEqual({ name: "random" });
    expect(spec.earlyStopping).toEqual({ name: "mo-asha", reductionFactor: 3, minResource: 1 });
    expect(spec.budget).toEqual({ maxTrials: 100, parallelism: 8, maxRetries: 3, maxWallMinutes: 120, maxSteps: 0, checkpointEvery: 1, trialTimeoutMs: 0 });
  });

  it("fills every default of a minimal spec", () => {
    const spec = parseCampaignSpec(MINIMAL_SPEC);
    expect(spec.seed).toBe(0);
    expect(spec.task.dataset).toEqual({ kind: "synthetic", samples: 1000, features: 64, classes: 10 });
    expect(spec.task.split).toEqual({ train: 0.7, validation: 0.1, test: 0.2 });
    expect(spec.task.model).toBe("lenet-300-100");
    expect(spec.task.modelOptions).toEqual({});
    expect(spec.task.exits).toEqual({ positions: [], every: 0 });
    expect(spec.task.pretrain).toEqual({ epochs: 3, optimizer: "adam", learningRate: 0.001, batchSize: 64 });
    expect(spec.task.backend).toBe("auto");
    expect(spec.task.maxTrainExamples).toBe(0);
    expect(spec.constraints).toEqual([]);
    expect(spec.space).toEqual([]);
    expect(spec.paramConstraints).toEqual([]);
    // The best measured on recorded real trials (bench/results/search-efficiency.md).
    expect(spec.sampler).toEqual({ name: "tpe" });
    expect(spec.earlyStopping).toEqual({ name: "none" });
    expect(spec.budget).toEqual({ maxTrials: 4, parallelism: 1, maxRetries: 3, maxWallMinutes: 0, maxSteps: 0, checkpointEvery: 1, trialTimeoutMs: 0 });
  });

  it("reads every dataset and exits form", () => {
    const task = (t: string): ReturnType<typeof parseCampaignSpec>["task"] =>
      parseCampaignSpec(MINIMAL_SPEC.replace("task: { dataset: synthetic }", `task: ${t}`)).task;
    expect(task("{ dataset: { idx: { images: a.idx, labels: b.idx } } }").dataset).toEqual({
      kind: "idx",
      images: "a.idx",
      labels: "b.idx",
    });
    expect(task("{ dataset: { cifar10: data/cifar } }").dataset).toEqual({ kind: "cifar10", dir: "data/cifar" });
    expect(task("{ dataset: { synthetic: { samples: 50, classes: 3 } } }").dataset).toEqual({
      kind: "synthetic",
      samples: 50,
      features: 64,
      classes: 3,
    });
    expect(task("{ dataset: mnist, model: deep-mlp, exits: [2, 1] }").exits).toEqual({ positions: [1, 2], every: 0 });
    expect(task("{ dataset: mnist, model: deep-mlp, exits: { every: 2 } }").exits).toEqual({ positions: [], every: 2 });
  });

  it("reads budget.trialTimeout as a duration with a unit, 0 for none, naming a bad value", () => {
    const timeout = (v: string): number => parseCampaignSpec(MINIMAL_SPEC.replace(/budget: \{/, `budget: { trialTimeout: ${v}, `)).budget.trialTimeoutMs;
    expect(timeout('"90s"')).toBe(90_000);
    expect(timeout("500ms")).toBe(500);
    expect(timeout("1.5m")).toBe(90_000);
    expect(timeout("2h")).toBe(7_200_000);
    expect(timeout("0")).toBe(0);
    expect(parseCampaignSpec(MINIMAL_SPEC).budget.trialTimeoutMs).toBe(0);
    for (const bad of ["90", "soon", '"-1s"', '"0.1ms"']) {
      const issues = issuesOf(MINIMAL_SPEC.replace(/budget: \{/, `budget: { trialTimeout: ${bad}, `));
      expect(issues).toEqual([
        { path: "budget.trialTimeout", message: expect.stringMatching(/^expected a duration of at least 1 ms with a unit \(ms, s, m or h\), e\.g\. "90s", or 0 for none, got /) as unknown },
      ]);
    }
  });

  it("reads every bring-your-own dataset form, the test set and the normalisation", () => {
    const task = (t: string): ReturnType<typeof parseCampaignSpec>["task"] =>
      parseCampaignSpec(MINIMAL_SPEC.replace("task: { dataset: synthetic }", `task: ${t}`)).task;
    expect(task("{ dataset: { images: data/train } }").dataset).toEqual({ kind: "images", dir: "data/train" });
    expect(task("{ dataset: { images: d, size: [28, 32], channels: 3 } }").dataset).toEqual({ kind: "images", dir: "d", size: [28, 32], channels: 3 });
    expect(task("{ dataset: { npy: { x: x.npy, y: y.npy } } }").dataset).toEqual({ kind: "npy", x: "x.npy", y: "y.npy" });
    expect(task("{ dataset: { npz: d.npz } }").dataset).toEqual({ kind: "npz", file: "d.npz", x: "x", y: "y" });
    expect(task("{ dataset: { npz: d.npz, x: x_train, y: y_train } }").dataset).toEqual({ kind: "npz", file: "d.npz", x: "x_train", y: "y_train" });
    expect(task("{ dataset: { csv: iris.csv, label: species } }").dataset).toEqual({ kind: "csv", file: "iris.csv", label: "species" });
    // A test set: the split defaults to train and validation only.
    const withTest = task("{ dataset: { images: tr }, test: { images: te } }");
    expect(withTest.test).toEqual({ kind: "images", dir: "te" });
    expect(withTest.split).toEqual({ train: 0.9, validation: 0.1, test: 0 });
    // CIFAR-10 brings its own test set.
    expect(task("{ dataset: { cifar10: c } }").split).toEqual({ train: 0.9, validation: 0.1, test: 0 });
    expect(task("{ dataset: mnist }").split).toEqual({ train: 0.7, validation: 0.1, test: 0.2 });
    expect(task("{ dataset: mnist }").test).toBeUndefined();
    expect(task("{ dataset: mnist, normalize: { mean: 0.1307, std: 0.3081 } }").normalize).toEqual({ mean: [0.1307], std: [0.3081] });
    expect(task("{ dataset: mnist, normalize: { scale: 1, mean: [1, 2, 3] } }").normalize).toEqual({ scale: 1, mean: [1, 2, 3], std: [] });
  });

  it("reports bad dataset, test set, split and normalisation settings with their paths", () => {
    const issues = (t: string): SpecIssue[] => issuesOf(MINIMAL_SPEC.replace("task: { dataset: synthetic }", `task: ${t}`));
    expect(messageAt(issues("{ dataset: { images: d, channels: 2 } }"), "task.dataset.channels")).toBe("must be 1 (grayscale) or 3 (RGB)");
    expect(messageAt(issues("{ dataset: { images: d, size: [0, 4] } }"), "task.dataset.size.0")).toBe("must be >= 1, got 0");
    expect(messageAt(issues("{ dataset: { csv: a.csv } }"), "task.dataset.label")).toBe("required");
    expect(messageAt(issues("{ dataset: { npy: { x: a.npy } } }"), "task.dataset.npy.y")).toBe("required");
    expect(messageAt(issues("{ dataset: mnist, test: mnist }"), "task.test")).toMatch(/must be one of: \{idx: \{images, labels\}\}, \{images: dir/);
    expect(messageAt(issues("{ dataset: mnist, test: { synthetic: {} } }"), "task.test")).toMatch(/must be one of/);
    expect(messageAt(issues("{ dataset: mnist, test: { images: t }, split: { train: 0.7, validation: 0.1, test: 0.2 } }"), "task.split.test")).toBe("must be 0: task.test is the test set");
    expect(messageAt(issues("{ dataset: { cifar10: c }, split: { train: 0.7, validation: 0.1, test: 0.2 } }"), "task.split.test")).toBe(
      "must be 0: the dataset's own test set (cifar10) is the test set",
    );
    expect(messageAt(issues("{ dataset: mnist, split: { train: 0.9, validation: 0.1, test: 0 } }"), "task.split.test")).toBe("must be > 0 (or give a test set in task.test)");
    expect(messageAt(issues("{ dataset: mnist, normalize: { std: [1, 0] } }"), "task.normalize.std")).toBe("every std must be > 0");
    expect(messageAt(issues("{ dataset: mnist, normalize: { mean: 1, shift: 2 } }"), "task.normalize.shift")).toBe("unknown key");
  });

  it("accepts strategy names as plain strings", () => {
    const spec = parseCampaignSpec(minimalWith("sampler: grid\nearlyStopping: median"));
    expect(spec.sampler).toEqual({ name: "grid" });
    expect(spec.earlyStopping).toEqual({ name: "median" });
  });

  it("reports an unknown key with its path", () => {
    const issues = issuesOf(MINIMAL_SPEC.replace("dataset: synthetic", "dataset: synthetic, modle: mlp"));
    expect(issues).toContainEqual({ path: "task.modle", message: "unknown key" });
  });

  it("reports a wrong type with the expected and actual types", () => {
    const issues = issuesOf(minimalWith("seed: abc").replace("budget: { maxTrials: 4 }", "budget: { maxTrials: 4, parallelism: 1.5 }"));
    expect(messageAt(issues, "seed")).toBe("expected a number, got string");
    expect(messageAt(issues, "budget.parallelism")).toBe("expected an integer, got 1.5");
  });

  it("refuses a checkpoint interval that is not a whole number of epochs >= 0, naming it", () => {
    const negative = issuesOf(MINIMAL_SPEC.replace("budget: { maxTrials: 4 }", "budget: { maxTrials: 4, checkpointEvery: -1 }"));
    expect(messageAt(negative, "budget.checkpointEvery")).toBe("must be >= 0, got -1");
    const fraction = issuesOf(MINIMAL_SPEC.replace("budget: { maxTrials: 4 }", "budget: { maxTrials: 4, checkpointEvery: 0.5 }"));
    expect(messageAt(fraction, "budget.checkpointEvery")).toBe("expected an integer, got 0.5");
  });

  it("reports an out-of-range parameter bound against the catalogue", () => {
    const issues = issuesOf(minimalWith("space:\n  sparsity: { min: 0.5, max: 1.5 }"));
    expect(issues).toEqual([{ path: "space.sparsity.max", message: "must be < 1, got 1.5" }]);
  });

  it("collects every issue, not just the first, in spec order", () => {
    const issues = issuesOf(`
name: Bad_Name
task: { dataset: mnist, split: { train: 0.5, validation: 0.1, test: 0.1 } }
objectives:
  - { metric: accuracy, direction: maximize }
  - { metric: accuracy, direction: maximize }
constraints: ["accuracy => 0.9"]
space:
  magnitude.sparsty: { min: 0.1, max: 0.2 }
sampler: { name: annealing }
earlyStopping: { name: hyperband }
budget: { parallelism: 0 }
`);
    expect(issues.map((i) => i.path)).toEqual([
      "name",
      "task.split",
      "objectives.1.metric",
      "constraints.0",
      "space.magnitude.sparsty",
      "sampler.name",
      "earlyStopping.name",
      "budget.maxTrials",
      "budget.parallelism",
    ]);
    expect(messageAt(issues, "task.split")).toBe("must sum to 1, got 0.7");
    expect(messageAt(issues, "objectives.1.metric")).toBe('duplicate metric "accuracy"');
    expect(messageAt(issues, "space.magnitude.sparsty")).toMatch(/^unknown parameter of method magnitude; known: sparsity, scope\b/);
    expect(messageAt(issues, "sampler.name")).toMatch(new RegExp(`^must be one of: ${SAMPLER_NAMES.join(", ")}, got "`));
    expect(messageAt(issues, "earlyStopping.name")).toMatch(new RegExp(`^must be one of: ${EARLY_STOPPER_NAMES.join(", ")}, got "`));
    expect(messageAt(issues, "budget.maxTrials")).toBe("required");
    expect(messageAt(issues, "budget.parallelism")).toBe("must be >= 1, got 0");
  });

  it("names the constraint that does not parse", () => {
    const issues = issuesOf(minimalWith('constraints: ["accuracy >= 0.9", "accuracy ~ 1"]'));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("constraints.1");
    expect(issues[0]?.message).toMatch(/cannot parse "accuracy ~ 1"/);
  });

  it("parses flipped metric constraints", () => {
    const spec = parseCampaignSpec(minimalWith('constraints: ["0.9 < accuracy"]'));
    expect(spec.constraints[0]).toMatchObject({ metric: "accuracy", op: ">", value: 0.9 });
  });

  it("checks sampler options of implemented samplers", () => {
    const issues = issuesOf(minimalWith("sampler: { name: grid, gridPoints: 1, colour: red }"));
    expect(issues).toEqual([
      { path: "sampler.gridPoints", message: "must be >= 2, got 1" },
      { path: "sampler.colour", message: "unknown key" },
    ]);
    expect(parseCampaignSpec(minimalWith("sampler: { name: nsga2, populationSize: 24 }")).sampler).toEqual({
      name: "nsga2",
      populationSize: 24,
    });
  });

  it("rejects names outside [a-z0-9-]{1,63}", () => {
    expect(messageAt(issuesOf(MINIMAL_SPEC.replace("name: tiny", `name: ${"a".repeat(64)}`)), "name")).toBe(
      "must be at most 63 characters long, got 64 characters",
    );
    expect(messageAt(issuesOf(MINIMAL_SPEC.replace("name: tiny", 'name: ""')), "name")).toBe("must not be empty");
  });

  it("requires at least one objective", () => {
    const issues = issuesOf(MINIMAL_SPEC.replace("objectives: [{ metric: accuracy, direction: maximize }]", "objectives: []"));
    expect(issues).toEqual([{ path: "objectives", message: "must have at least 1 item, got 0 items" }]);
  });

  it("reports a YAML syntax error with its line", () => {
    const err = (() => {
      try {
        parseCampaignSpec("name: x\ntask: { dataset: mnist\nbudget: 1\n", "broken.yaml");
      } catch (e) {
        return e as SpecError;
      }
      throw new Error("expected a SpecError");
    })();
    expect(err).toBeInstanceOf(SpecError);
    expect(err.message).toMatch(/^broken\.yaml: /);
    expect(err.issues[0]?.message).toMatch(/YAML syntax error at line \d+, column \d+/);
  });

  it("rejects duplicate keys", () => {
    expect(issuesOf("name: a\nname: b\n")[0]?.message).toMatch(/line 2.*unique/);
  });

  it("rejects a document that is not a mapping", () => {
    expect(issuesOf("- 1\n- 2\n")[0]?.message).toMatch(/expected a mapping/);
    expect(issuesOf("")[0]?.message).toMatch(/empty document/);
  });

  it("rejects texts over 1 MiB without parsing them", () => {
    const huge = `${MINIMAL_SPEC}# ${"x".repeat(1024 * 1024)}\n`;
    expect(issuesOf(huge)[0]?.message).toMatch(/limit is 1048576/);
  });

  it("rejects nesting deeper than 32 levels, flow or block, without crashing", () => {
    expect(issuesOf(`a: ${"[".repeat(200_000)}${"]".repeat(200_000)}`)[0]?.message).toMatch(/deeper than 32/);
    const block = Array.from({ length: 40 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + " 1\n";
    expect(issuesOf(block)[0]?.message).toMatch(/deeper than 32/);
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 100_000; i++) cur = (cur["a"] = {}) as Record<string, unknown>;
    expect(() => validateCampaignSpec(deep)).toThrow(/deeper than 32/);
  });

  it("caps alias expansion", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
    ].join("\n");
    expect(issuesOf(bomb)[0]?.message).toMatch(/YAML could not be read|alias/i);
  });
});

describe("validateCampaignSpec", () => {
  it("validates a plain object (e.g. from JSON) like YAML", () => {
    const spec = validateCampaignSpec({
      name: "json",
      task: { dataset: "mnist" },
      objectives: [{ metric: "accuracy", direction: "maximize" }],
      budget: { maxTrials: 1 },
    });
    expect(spec.task.dataset).toEqual({ kind: "builtin", name: "mnist" });
  });

  it("prefixes the source to the message", () => {
    expect(() => validateCampaignSpec({}, "x.json")).toThrow(/^x\.json: invalid campaign spec/);
  });
});
