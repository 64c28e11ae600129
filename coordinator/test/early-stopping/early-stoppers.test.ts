import { describe, expect, it } from "vitest";
import type { ObjectiveSpec } from "../../src/domain/objectives.js";
import type { Metrics, TrialSnapshot, TrialState } from "../../src/domain/trial.js";
import {
  AshaStopper,
  EARLY_STOPPER_NAMES,
  MedianStopper,
  MoAshaStopper,
  createEarlyStopper,
  defaultMoAshaMetrics,
  median,
  rungsReached,
  type StopperView,
} from "../../src/early-stopping/index.js";
import { SpecError } from "../../src/errors.js";

/** A trial with progress reports at steps 1..n (`reports[i]` at step i + 1). */
function trial(number: number, state: TrialState, reports: readonly Metrics[], firstStep = 1): TrialSnapshot {
  return {
    id: `t${number}`,
    number,
    state,
    params: {},
    metrics: reports[reports.length - 1] ?? {},
    progress: reports.map((metrics, i) => ({ step: firstStep + i, phase: "finetune", metrics })),
    attempts: 1,
    createdAt: number,
  };
}

const acc = (...xs: number[]): Metrics[] => xs.map((v) => ({ val_accuracy: v }));
const OBJ: ObjectiveSpec[] = [{ metric: "val_accuracy", direction: "maximize" }];
const view = (trials: TrialSnapshot[], objectives: ObjectiveSpec[] = OBJ): StopperView => ({ trials, objectives, constraints: [] });

describe("median", () => {
  it("averages the two middle values of an even count", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe("MedianStopper", () => {
  // Completed trials' val_accuracy at step 2: 0.5 .. 0.9, median 0.7.
  const done = [0.5, 0.6, 0.7, 0.8, 0.9].map((v, i) => trial(i, "completed", acc(0.1, v, v)));

  it("stops a trial strictly worse than the median of completed trials at the same step", () => {
    const s = new MedianStopper();
    const at = (v: number): string => {
      const t = trial(9, "running", acc(0.99, v));
      return s.decide(view([...done, t]), t, 2);
    };
    expect(at(0.65)).toBe("stop");
    expect(at(0.7)).toBe("continue");
    expect(at(0.75)).toBe("continue");
  });

  it("minimises when the watched metric is minimised", () => {
    const s = new MedianStopper({ metric: { metric: "loss", direction: "minimize" } });
    const others = [1, 2, 3, 4, 5].map((v, i) => trial(i, "completed", [{ loss: v }]));
    const bad = trial(9, "running", [{ loss: 3.5 }]);
    const good = trial(10, "running", [{ loss: 2.5 }]);
    expect(s.decide(view([...others, bad]), bad, 1)).toBe("stop");
    expect(s.decide(view([...others, good]), good, 1)).toBe("continue");
  });

  it("waits for nStartupTrials completed trials", () => {
    const t = trial(9, "running", acc(0.1, 0.1));
    const running = [0.5, 0.6, 0.7].map((v, i) => trial(20 + i, "running", acc(v, v)));
    expect(new MedianStopper().decide(view([...done.slice(0, 4), ...running, t]), t, 2)).toBe("continue");
    expect(new MedianStopper({ nStartupTrials: 4 }).decide(view([...done.slice(0, 4), t]), t, 2)).toBe("stop");
  });

  it("never judges warm-up steps, then judges every intervalSteps", () => {
    const t = trial(9, "running", acc(0, 0, 0, 0, 0));
    const others = [0.5, 0.6, 0.7, 0.8, 0.9].map((v, i) => trial(i, "completed", acc(v, v, v, v, v)));
    const s = new MedianStopper({ nWarmupSteps: 2, intervalSteps: 2 });
    expect([1, 2, 3, 4, 5].map((step) => s.decide(view([...others, t]), t, step))).toEqual(["continue", "continue", "stop", "continue", "stop"]);
  });

  it("continues when no completed trial reported the step", () => {
    const t = trial(9, "running", acc(0, 0, 0, 0));
    expect(new MedianStopper().decide(view([...done, t]), t, 4)).toBe("continue");
  });

  it("watches the first objective by default", () => {
    const s = new MedianStopper();
    const t = trial(9, "running", [{ val_accuracy: 0.1, loss: 0 }, { val_accuracy: 0.1, loss: 0 }]);
    expect(s.decide(view([...done, t], [{ metric: "loss", direction: "minimize" }]), t, 2)).toBe("continue"); // no one else reports loss
    expect(s.decide(view([...done, t]), t, 2)).toBe("stop");
  });
});

describe("rungsReached", () => {
  const o = { minResource: 1, reductionFactor: 3, minEarlyStoppingRate: 0 };
  it("lists the rungs minResource·η^(s+k) first reached by a report", () => {
    expect(rungsReached(1, 0, o)).toEqual([1]);
    expect(rungsReached(2, 1, o)).toEqual([]);
    expect(rungsReached(3, 2, o)).toEqual([3]);
    expect(rungsReached(10, 2, o)).toEqual([3, 9]);
    expect(rungsReached(4, 0, { ...o, minResource: 2, minEarlyStoppingRate: 1 })).toEqual([]);
    expect(rungsReached(6, 0, { ...o, minResource: 2, minEarlyStoppingRate: 1 })).toEqual([6]);
  });
});

describe("AshaStopper", () => {
  const s = new AshaStopper({ reductionFactor: 3, minResource: 1 });

  it("lets the first trial at a rung through and then keeps the top third", () => {
    const first = trial(0, "running", acc(0.5));
    expect(s.decide(view([first]), first, 1)).toBe("continue");
    // Three at rung 1 (0.5, 0.7, x): only the best continues.
    const second = trial(1, "completed", acc(0.7, 0.8, 0.9));
    const worse = trial(2, "running", acc(0.6));
    const best = trial(3, "running", acc(0.8));
    expect(s.decide(view([first, second, worse]), worse, 1)).toBe("stop");
    expect(s.decide(view([first, second, best]), best, 1)).toBe("continue");
    // Six at rung 1 (0.5, 0.7, 0.6, 0.8, 0.65, x): the best two (0.8, 0.7) continue.
    const pool = [first, second, worse, best, trial(4, "stopped_early", acc(0.65))];
    const third = trial(5, "running", acc(0.68));
    const tied = trial(6, "running", acc(0.7));
    expect(s.decide(view([...pool, third]), third, 1)).toBe("stop");
    expect(s.decide(view([...pool, tied]), tied, 1)).toBe("continue");
  });

  it("follows val_accuracy when the first objective is the test accuracy, which progress reports do not carry", () => {
    const objectives: ObjectiveSpec[] = [
      { metric: "accuracy", direction: "maximize" },
      { metric: "effective_macs", direction: "minimize" },
    ];
    const ts = [0.9, 0.8, 0.3].map((v, i) => trial(i, "running", acc(v)));
    expect(ts.map((t) => s.decide(view(ts, objectives), t, 1))).toEqual(["continue", "stop", "stop"]);
    const m = new MedianStopper({ nStartupTrials: 3 });
    const done = [0.5, 0.6, 0.7].map((v, i) => trial(i, "completed", acc(v)));
    const low = trial(9, "running", acc(0.55));
    expect(m.decide(view([...done, low], objectives), low, 1)).toBe("stop");
  });

  it("only decides at rungs, with the value of the first report at or past the rung", () => {
    const leaders = [0.9, 0.9, 0.9].map((v, i) => trial(i, "completed", acc(v, v, v, v)));
    const t = trial(9, "running", acc(0.1, 0.1, 0.1));
    expect(s.decide(view([...leaders, t]), t, 2)).toBe("continue"); // not a rung
    expect(s.decide(view([...leaders, t]), t, 3)).toBe("stop");
    const gap = trial(10, "running", acc(0.1), 4); // first report at step 4 reaches rungs 1 and 3
    expect(s.decide(view([...leaders, gap]), gap, 4)).toBe("stop");
  });

  it("decides the same for the same view, whatever the order of its trials", () => {
    const ts = [0.3, 0.9, 0.5, 0.7, 0.2, 0.8].map((v, i) => trial(i, "running", acc(v)));
    for (const t of ts) {
      const a = s.decide(view(ts), t, 1);
      expect(s.decide(view([...ts].reverse()), t, 1)).toBe(a);
    }
    expect(ts.map((t) => s.decide(view(ts), t, 1))).toEqual(["stop", "continue", "stop", "stop", "stop", "continue"]);
  });
});

describe("MoAshaStopper", () => {
  const metrics = [
    { metric: "val_accuracy", direction: "maximize" as const },
    { metric: "sparsity", direction: "maximize" as const },
  ];
  const s = new MoAshaStopper({ reductionFactor: 3, metrics });
  const at = (number: number, a: number, sp: number): TrialSnapshot => trial(number, "running", [{ val_accuracy: a, sparsity: sp }]);

  it("keeps every trial on the rung's Pareto front, even beyond the top 1/η", () => {
    // Five mutually non-dominated trials and one dominated: ⌊6/3⌋ = 2, yet all five continue.
    const front = [at(0, 0.95, 0.1), at(1, 0.9, 0.3), at(2, 0.85, 0.5), at(3, 0.8, 0.7), at(4, 0.7, 0.9)];
    const dominated = at(5, 0.8, 0.2);
    const all = [...front, dominated];
    for (const t of front) expect(s.decide(view(all), t, 1)).toBe("continue");
    expect(s.decide(view(all), dominated, 1)).toBe("stop");
  });

  it("keeps dominated trials within the top ⌊n/η⌋ by rank and crowding distance", () => {
    // Front {A}; rank 1 {B, C, D}: n = 7 → 2 continue: A and the rank-1 trial with the
    // largest crowding distance (an end of its front: B or D, B first by number).
    const a = at(0, 0.99, 0.99);
    const b = at(1, 0.9, 0.1);
    const c = at(2, 0.5, 0.5);
    const d = at(3, 0.1, 0.9);
    const rest = [at(4, 0.05, 0.05), at(5, 0.04, 0.04), at(6, 0.03, 0.03)];
    const all = [a, b, c, d, ...rest];
    expect(all.map((t) => s.decide(view(all), t, 1))).toEqual(["continue", "continue", "stop", "stop", "stop", "stop", "stop"]);
  });

  it("compares val_accuracy and, for a cost objective, sparsity by default", () => {
    const objectives: ObjectiveSpec[] = [
      { metric: "accuracy", direction: "maximize" },
      { metric: "effective_macs", direction: "minimize" },
    ];
    expect(defaultMoAshaMetrics(objectives, { val_accuracy: 0.9, loss: 0.3, sparsity: 0.8 })).toEqual(metrics);
    expect(defaultMoAshaMetrics(objectives, { val_accuracy: 0.9, loss: 0.3 })).toEqual([metrics[0]]);
    expect(defaultMoAshaMetrics([{ metric: "loss", direction: "minimize" }], { val_accuracy: 0.9, loss: 0.3, sparsity: 0.5 })).toEqual([
      metrics[0],
      { metric: "loss", direction: "minimize" },
    ]);
    const dflt = new MoAshaStopper({ reductionFactor: 3 });
    const trials = [at(0, 0.9, 0.1), at(1, 0.5, 0.9), at(2, 0.4, 0.05)];
    expect(trials.map((t) => dflt.decide(view(trials, objectives), t, 1))).toEqual(["continue", "continue", "stop"]);
  });
});

describe("createEarlyStopper", () => {
  it("builds every stopper a spec may name", () => {
    for (const name of EARLY_STOPPER_NAMES) expect(createEarlyStopper({ name }).name).toBe(name);
  });

  it("passes options through", () => {
    const s = createEarlyStopper({ name: "median", nStartupTrials: 0, metric: "loss", direction: "minimize" });
    const others = [trial(0, "completed", [{ loss: 1 }])];
    const t = trial(1, "running", [{ loss: 2 }]);
    expect(s.decide(view([...others, t]), t, 1)).toBe("stop");
  });

  it("reports invalid options at earlyStopping.<option>", () => {
    const msg = (config: Record<string, unknown>): string => {
      try {
        createEarlyStopper({ name: "asha", ...config } as { name: string });
      } catch (e) {
        expect(e).toBeInstanceOf(SpecError);
        return String(e);
      }
      return "";
    };
    expect(msg({ reductionFactor: 1 })).toMatch(/earlyStopping.reductionFactor: must be >= 2/);
    expect(msg({ metric: "val_accuracy" })).toMatch(/earlyStopping.direction: required with metric/);
    expect(msg({ direction: "up" })).toMatch(/earlyStopping.direction/);
    expect(msg({ name: "mo-asha", metrics: [{ metric: "a" }] })).toMatch(/earlyStopping.metrics.0.direction/);
    expect(msg({ name: "hyperband" })).toContain(`earlyStopping.name: unknown early stopper "hyperband"; must be one of: ${EARLY_STOPPER_NAMES.join(", ")}`);
    expect(msg({ rungs: 3 })).toMatch(/earlyStopping/);
  });
});
