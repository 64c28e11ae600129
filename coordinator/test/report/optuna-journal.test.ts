import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JournalOp, OptunaJournalError, optunaDatetime, replayOptunaJournal, toOptunaJournal } from "../../src/report/optuna-journal.js";
import { TRIALS, fixtureResults } from "./results-fixture.js";
import { explainSkip, optunaMissing } from "../../../test/harness/requirements.js";

const EXPECTED_STATE = {
  completed: "COMPLETE",
  stopped_early: "PRUNED",
  failed: "FAIL",
  cancelled: "FAIL",
  running: "RUNNING",
  waiting: "WAITING",
} as const;

describe("toOptunaJournal", () => {
  it("writes Optuna's op codes, one JSON object per line", () => {
    const lines = toOptunaJournal(fixtureResults()).trim().split("\n").map((l) => JSON.parse(l) as { op_code: number; worker_id: string });
    expect(lines[0]).toMatchObject({ op_code: JournalOp.CREATE_STUDY, study_name: "fixture-abc123", directions: [2, 1] });
    expect(new Set(lines.map((l) => l.op_code))).toEqual(new Set([0, 2, 3, 4, 5, 6, 7, 8]));
    expect(lines.every((l) => l.worker_id === "prunesweep-export")).toBe(true);
    const param = lines.find((l) => l.op_code === JournalOp.SET_TRIAL_PARAM) as unknown as { distribution: unknown };
    expect(typeof param.distribution).toBe("string"); // Optuna stores distribution_to_json() strings
  });

  it("round-trips trials, states, values and parameters through a replay of the journal", () => {
    const { studies, trials } = replayOptunaJournal(toOptunaJournal(fixtureResults()));
    expect(studies).toHaveLength(1);
    expect(studies[0]?.directions).toEqual(["maximize", "minimize"]);
    expect(studies[0]?.systemAttrs["study:metric_names"]).toEqual(["accuracy", "nonzero_params"]);
    expect(studies[0]?.userAttrs["prunesweep.constraints"]).toEqual(["accuracy >= 0.8"]);
    expect(trials).toHaveLength(TRIALS.length);
    for (const t of TRIALS) {
      const o = trials[t.number];
      expect(o?.number).toBe(t.number);
      expect(o?.state).toBe(EXPECTED_STATE[t.state]);
      expect(o?.params).toEqual(t.params);
      expect(o?.userAttrs["prunesweep.id"]).toBe(t.id);
      expect(o?.userAttrs["metrics"]).toEqual(t.metrics);
      if (t.state === "completed") {
        expect(o?.values).toEqual([t.metrics["accuracy"], t.metrics["nonzero_params"]]);
        expect(Object.keys(o?.intermediateValues ?? {})).toEqual(["1", "2", "3", "4"]);
        expect(o?.datetimeComplete).toBe(optunaDatetime(t.timings.finishedAt as number));
      } else expect(o?.values).toBeNull();
    }
    const rounds = trials[2]?.distributions["sap.rounds"];
    expect(rounds).toEqual({ name: "IntDistribution", attributes: { log: false, step: 1, low: 3, high: 6 } });
    expect(trials[0]?.distributions["magnitude.scope"]).toEqual({ name: "CategoricalDistribution", attributes: { choices: ["global", "layer"] } });
    expect(trials[0]?.distributions["magnitude.sparsity"]).toMatchObject({ name: "FloatDistribution", attributes: { low: 0.5, high: 0.95 } });
  });

  it("infers distributions from the values when the spec is not available", () => {
    const { trials } = replayOptunaJournal(toOptunaJournal(fixtureResults({ spec: "" })));
    for (const t of TRIALS) expect(trials[t.number]?.params).toEqual(t.params);
    expect(trials[0]?.distributions["method"]).toEqual({ name: "CategoricalDistribution", attributes: { choices: ["magnitude", "sap"] } });
  });

  it("formats datetimes as Optuna does (naive, microseconds)", () => {
    expect(optunaDatetime(Date.parse("2026-11-01T10:00:00.123Z"))).toBe("2026-11-01T10:00:00.123000");
  });
});

describe("replayOptunaJournal", () => {
  const base = [
    { op_code: 0, worker_id: "a", study_name: "s", directions: [1] },
    { op_code: 4, worker_id: "a", study_id: 0, datetime_start: "2026-01-01T00:00:00.000000" },
    { op_code: 6, worker_id: "a", trial_id: 0, state: 1, values: [1.5], datetime_complete: "2026-01-01T00:00:01.000000" },
  ];
  const replay = (extra: object[]): ReturnType<typeof replayOptunaJournal> =>
    replayOptunaJournal([...base, ...extra].map((l) => JSON.stringify(l)).join("\n"));

  it("ignores updates to finished trials and duplicate study names", () => {
    const r = replay([
      { op_code: 6, worker_id: "a", trial_id: 0, state: 3, values: null, datetime_complete: "2026-01-01T00:00:02.000000" },
      { op_code: 0, worker_id: "b", study_name: "s", directions: [2] },
    ]);
    expect(r.trials[0]?.state).toBe("COMPLETE");
    expect(r.trials[0]?.values).toEqual([1.5]);
    expect(r.studies).toHaveLength(1);
  });

  it("drops a parameter whose distribution conflicts with an earlier trial's", () => {
    const float = JSON.stringify({ name: "FloatDistribution", attributes: { step: null, low: 0, high: 1, log: false } });
    const cat = JSON.stringify({ name: "CategoricalDistribution", attributes: { choices: ["a", "b"] } });
    const r = replay([
      { op_code: 4, worker_id: "a", study_id: 0, datetime_start: "2026-01-01T00:00:00.000000" },
      { op_code: 5, worker_id: "a", trial_id: 1, param_name: "x", param_value_internal: 0.5, distribution: float },
      { op_code: 4, worker_id: "a", study_id: 0, datetime_start: "2026-01-01T00:00:00.000000" },
      { op_code: 5, worker_id: "a", trial_id: 2, param_name: "x", param_value_internal: 1, distribution: cat },
      { op_code: 5, worker_id: "a", trial_id: 2, param_name: "y", param_value_internal: 1, distribution: cat },
    ]);
    expect(r.trials[1]?.params).toEqual({ x: 0.5 });
    expect(r.trials[2]?.params).toEqual({ y: "b" });
    expect(r.trials[2]?.number).toBe(2);
  });

  it("rejects unknown op codes and attrs with more than one key", () => {
    expect(() => replay([{ op_code: 42, worker_id: "a" }])).toThrow(OptunaJournalError);
    expect(() => replay([{ op_code: 2, worker_id: "a", study_id: 0, user_attr: { a: 1, b: 2 } }])).toThrow(/exactly one key/);
  });
});

/** Loads a journal file with Optuna itself and prints what it sees, as JSON. */
const OPTUNA_LOAD_SCRIPT = `
import json, sys, warnings
warnings.simplefilter("ignore")
import optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
try:
    from optuna.storages.journal import JournalFileBackend as Backend  # Optuna 4
except ImportError:
    from optuna.storages import JournalFileStorage as Backend  # Optuna 3.x
storage = optuna.storages.JournalStorage(Backend(sys.argv[1]))
summaries = optuna.get_all_study_summaries(storage)
study = optuna.load_study(study_name=summaries[0].study_name, storage=storage)
print(json.dumps({
  "name": study.study_name,
  "directions": [d.name for d in study.directions],
  "best": sorted(t.number for t in study.best_trials),
  "trials": [{"number": t.number, "state": t.state.name, "values": t.values, "params": t.params,
              "id": t.user_attrs.get("prunesweep.id")} for t in study.trials],
}))
`;

const noOptuna = explainSkip("optuna-journal.test.ts", optunaMissing());

describe.skipIf(noOptuna !== undefined)("toOptunaJournal with Optuna itself (python3-optuna)", () => {
  it("loads in optuna.storages.JournalStorage with the same trials, states, values and parameters", () => {
    const dir = mkdtempSync(join(tmpdir(), "prunesweep-optuna-"));
    try {
      const file = join(dir, "journal.log");
      writeFileSync(file, toOptunaJournal(fixtureResults()));
      const r = spawnSync("/usr/bin/python3", ["-c", OPTUNA_LOAD_SCRIPT, file], { encoding: "utf8", timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const study = JSON.parse(r.stdout) as { name: string; directions: string[]; best: number[]; trials: { number: number; state: string; values: number[] | null; params: unknown; id: string }[] };
      expect(study.name).toBe("fixture-abc123");
      expect(study.directions).toEqual(["MAXIMIZE", "MINIMIZE"]);
      expect(study.trials.map((t) => t.state)).toEqual(TRIALS.map((t) => EXPECTED_STATE[t.state]));
      for (const t of TRIALS) {
        const o = study.trials[t.number];
        expect(o?.params).toEqual(t.params);
        expect(o?.id).toBe(t.id);
        if (t.state === "completed") expect(o?.values).toEqual([t.metrics["accuracy"], t.metrics["nonzero_params"]]);
      }
      // Optuna's own front of the COMPLETE trials (it knows nothing of our constraints: 4 is on it).
      expect(study.best).toEqual([0, 1, 2, 4]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
