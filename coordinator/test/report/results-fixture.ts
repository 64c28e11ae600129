import type { ResultsFile, ResultsTrial } from "../../src/results/results-file.js";

/** A spec with two methods, conditional, categorical, integer and fixed parameters. */
export const FIXTURE_SPEC = `
name: fixture
seed: 1
task: { dataset: synthetic, model: mlp }
objectives:
  - { metric: accuracy, direction: maximize }
  - { metric: nonzero_params, direction: minimize }
constraints: ["accuracy >= 0.8"]
space:
  method: { values: [magnitude, sap] }
  magnitude.sparsity: { min: 0.5, max: 0.95 }
  magnitude.scope: { values: [global, layer] }
  sap.p: { min: 0.25, max: 1.0 }
  sap.q: { min: 1.0, max: 2.0 }
  sap.rounds: { int: [3, 6] }
  finetune.epochs: 2
sampler: random
budget: { maxTrials: 10, parallelism: 2 }
`;

const T0 = Date.parse("2026-11-01T10:00:00.000Z");

function trial(
  number: number,
  state: ResultsTrial["state"],
  params: ResultsTrial["params"],
  metrics: ResultsTrial["metrics"],
  extra: Partial<ResultsTrial> = {},
): ResultsTrial {
  const finished = state !== "waiting" && state !== "running";
  const started = state !== "waiting";
  return {
    id: `fixture-abc123-${String(number).padStart(5, "0")}`,
    number,
    state,
    params: { "finetune.epochs": 2, ...params },
    metrics,
    attempts: started ? 1 : 0,
    timings: {
      createdAt: T0 + number * 1000,
      ...(started && { startedAt: T0 + number * 1000 + 100 }),
      ...(finished && { finishedAt: T0 + (number + 5) * 60_000 }),
      ...(finished && state !== "failed" && state !== "cancelled" && { wallMs: state === "stopped_early" ? 1_000 : 4_000 }),
    },
    ...(started && { worker: `w${number % 2}`, backend: "wasm" }),
    ...(finished &&
      state !== "failed" &&
      state !== "cancelled" && {
        progress: Array.from({ length: state === "stopped_early" ? 1 : 4 }, (_, i) => ({ step: i + 1, phase: "finetune", metrics: { val_accuracy: 0.5 + i * 0.1, loss: 1 - i * 0.2 } })),
      }),
    ...extra,
  };
}

const mag = (s: number, scope = "global") => ({ method: "magnitude", "magnitude.sparsity": s, "magnitude.scope": scope });
const sap = (p: number, q: number, rounds: number) => ({ method: "sap", "sap.p": p, "sap.q": q, "sap.rounds": rounds });
const m = (accuracy: number, nz: number, extra: Record<string, number> = {}) => ({
  accuracy,
  nonzero_params: nz,
  expected_macs: nz - 20,
  effective_macs: nz - 20,
  ...extra,
});

/** Ten trials in every state: front {0, 1, 2}, 3 dominated, 4 infeasible (accuracy < 0.8). */
export const TRIALS: readonly ResultsTrial[] = [
  trial(0, "completed", mag(0.5), m(0.95, 500, { latency_ms_b1: 0.5 })),
  trial(1, "completed", mag(0.7, "layer"), m(0.93, 300, { latency_ms_b1: 0.4 })),
  trial(2, "completed", sap(0.5, 1.5, 4), m(0.9, 200, { latency_ms_b1: 0.3 }), {
    details: {
      method: "sap",
      exitCurve: [
        { tau: 0.7, accuracy: 0.86, expectedMacs: 120 },
        { tau: 0.8, accuracy: 0.88, expectedMacs: 150 },
        { tau: 0.9, accuracy: 0.9, expectedMacs: 180 },
      ],
    },
  }),
  trial(3, "completed", sap(0.3, 1.2, 3), m(0.85, 400)),
  trial(4, "completed", mag(0.95), m(0.7, 100)),
  trial(5, "stopped_early", mag(0.9), { accuracy: 0.6, nonzero_params: 250 }),
  trial(6, "failed", sap(0.9, 1.1, 6), {}, { error: "NaNLossError: loss became NaN" }),
  trial(7, "cancelled", mag(0.6), {}),
  trial(8, "running", mag(0.8), { val_accuracy: 0.7 }),
  trial(9, "waiting", sap(0.4, 1.9, 5), {}),
];

/** The fixture campaign as results.json holds it. */
export function fixtureResults(overrides: Partial<ResultsFile> = {}): ResultsFile {
  return {
    campaign: { id: "fixture-abc123", name: "fixture", status: "running", createdAt: new Date(T0).toISOString(), maxTrials: 10 },
    spec: FIXTURE_SPEC,
    objectives: [
      { metric: "accuracy", direction: "maximize" },
      { metric: "nonzero_params", direction: "minimize" },
    ],
    constraints: ["accuracy >= 0.8"],
    trials: TRIALS,
    pareto: [TRIALS[0]?.id ?? "", TRIALS[1]?.id ?? "", TRIALS[2]?.id ?? ""],
    hypervolume: 0,
    hypervolumeReference: [],
    counts: {},
    ...overrides,
  };
}
