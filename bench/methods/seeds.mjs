// Merges several seeds of bench/methods/run.mjs (part (a): SAP (0.5, 1) and (1, 2), lottery
// ticket and one-shot over pruning rounds) into one report with the spread over seeds:
//
//   node bench/methods/run.mjs --model lenet5 --seed S --rounds T --epochs E --out methods-cnn-a-sS   (S = 1, 2, 3)
//   node bench/methods/seeds.mjs [--prefix methods-cnn-a-s[,methods-cnn-a-resnet8-s]] [--out methods-cnn-a] [--collapse-drop 0.05] [--pqi-tol 0.005]
//
// Reads bench/results/<prefix>*.json (an incomplete file, one still running or cut short, adds
// the rounds it has), writes bench/results/<out>.json and <out>.md: per method and round the
// mean and min–max over seeds of the remaining weights, the validation accuracy and the PQI
// (the worker's own per-round computation, recorded in the trial details and progress), the
// round at which each seed collapses, the shape of each PQI curve, and a verdict per finding
// next to the paper's claim. Needs no build and trains nothing.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "..", "results");

const { values: args } = parseArgs({
  options: {
    /** Comma-separated file-name prefixes, one per model (its seeds' files). */
    prefix: { type: "string", default: "methods-cnn-a-s" },
    out: { type: "string", default: "methods-cnn-a" },
    /** Collapse: validation accuracy more than this below the dense net's (round 0). */
    "collapse-drop": { type: "string", default: "0.05" },
    /** A PQI move smaller than this (absolute) is not a change of direction. */
    "pqi-tol": { type: "string", default: "0.005" },
    /** The machine's load average while the runs trained, as observed (recorded in the report). */
    "load-average": { type: "string", default: "" },
    /** The runs' CPU time, as measured outside (e.g. /usr/bin/time per seed; recorded in the report). */
    "cpu-time": { type: "string", default: "" },
  },
});
const collapseDrop = Number(args["collapse-drop"]);
const pqiTol = Number(args["pqi-tol"]);
if (!(collapseDrop > 0 && collapseDrop < 1)) throw new Error(`--collapse-drop must be in (0, 1), got ${args["collapse-drop"]}`);
if (!(pqiTol >= 0)) throw new Error(`--pqi-tol must be >= 0, got ${args["pqi-tol"]}`);

const LABELS = { sap05: "SAP (0.5, 1)", sap12: "SAP (1, 2)", lt: "lottery-ticket (P=0.2)", os: "one-shot (P=0.2)" };
/** run.mjs's --only prefix of each label. */
const ONLY = { [LABELS.sap05]: "SAP (0.5", [LABELS.sap12]: "SAP (1", [LABELS.lt]: "lottery", [LABELS.os]: "one-shot" };

/**
 * The paper's figures (Diao et al., ICLR 2023; CIFAR-10, global scope, E=200 epochs of SGD per
 * round), read off its plots, so approximate: its `cnn` over T=30 rounds and ResNet18 over T=15.
 */
const PAPER = {
  setting: "CIFAR-10, global scope, E=200 SGD epochs per round; values read off the paper's figures (≈)",
  cnn: {
    dense: 0.903,
    [LABELS.lt]: { remainingT10: 0.107, accT10: 0.9, remainingT30: 0.0012, accT30: 0.82 },
    [LABELS.sap05]: { remainingT1: 0.69, remainingT10: 0.06, accT10: 0.895, remainingT30: 0.0005, accT30: 0.775 },
    [LABELS.os]: { remainingT10: 0.107, accT10: 0.895, remainingT30: 0.0012, accT30: 0.58 },
    [LABELS.sap12]: { remainingT3: 0.025, remainingT5: 0, accT10: 0.51, accT30: 0.25, collapse: "≈0 % of the weights from T≈5; ≈51 % accuracy at T=10" },
  },
  resnet18: {
    dense: 0.953,
    [LABELS.sap05]: { remainingT5: 0.226, remainingT10: 0.075, remainingT15: 0.023, accT15: 0.945 },
    [LABELS.lt]: { remainingT5: 0.328, accT15: 0.948 },
    [LABELS.sap12]: { remainingT5: 0.005, accT15: 0.495 },
  },
  pqiCurve: "along a run the PQI first falls (regularisation), then rises as the compression limit nears, then falls when the model collapses",
};

const pct = (v, d = 1) => (v === undefined || v === null || !Number.isFinite(v) ? "–" : `${(100 * v).toFixed(d)}`);
const spread = (s, d = 1) => (s === undefined ? "–" : s.n > 1 ? `${pct(s.mean, d)} (${pct(s.min, d)}–${pct(s.max, d)})` : pct(s.mean, d));
/** mean, min, max and n of the finite numbers in `xs`; undefined when there are none. */
function stats(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x));
  if (v.length === 0) return undefined;
  return { mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/** First round > 0 whose validation accuracy is `collapseDrop` below round 0's, or null. */
const collapseRound = (rounds) => rounds[0]?.round !== 0 ? null : rounds.find((x) => x.round > 0 && x.val_accuracy < rounds[0].val_accuracy - collapseDrop)?.round ?? null;

/**
 * The direction changes of a curve, ignoring moves smaller than `tol` (a zigzag filter): a list
 * of segments {dir: "down" | "up", from, to} with the rounds of the extremes that end them.
 */
function segments(rounds, key, tol) {
  const pts = rounds.filter((r) => Number.isFinite(r[key]));
  const out = [];
  if (pts.length < 2) return out;
  let dir = 0;
  let ext = pts[0];
  let start = pts[0];
  for (const p of pts.slice(1)) {
    const x = p[key];
    if (dir === 0) {
      if (x < ext[key] - tol || x > ext[key] + tol) {
        dir = x < ext[key] ? -1 : 1;
        ext = p;
      }
    } else if ((dir < 0 && x < ext[key]) || (dir > 0 && x > ext[key])) {
      ext = p;
    } else if ((dir < 0 && x > ext[key] + tol) || (dir > 0 && x < ext[key] - tol)) {
      out.push({ dir: dir < 0 ? "down" : "up", from: start.round, to: ext.round, fromValue: start[key], toValue: ext[key] });
      start = ext;
      dir = -dir;
      ext = p;
    }
  }
  if (dir !== 0) out.push({ dir: dir < 0 ? "down" : "up", from: start.round, to: ext.round, fromValue: start[key], toValue: ext[key] });
  return out;
}
const arrows = (segs) => (segs.length === 0 ? "flat" : segs.map((s) => (s.dir === "down" ? "↓" : "↑")).join(""));
/** Whether the segments contain the paper's fall → rise → fall, in that order, back to back. */
const hasPaperShape = (segs) => arrows(segs).includes("↓↑↓");

/** What fixes the dense pretrained net of a run: the task (model, data, seed, pretraining). */
const taskKey = (config) => JSON.stringify(config.task);

/** Round 0 of every finished run in bench/results/methods-*.json, by {@link taskKey}. */
const denseByTask = new Map();
for (const f of readdirSync(outDir).filter((x) => x.startsWith("methods-") && x.endsWith(".json")).sort()) {
  const doc = JSON.parse(readFileSync(join(outDir, f), "utf8"));
  const dense = Array.isArray(doc.runs) && doc.config?.task ? doc.runs.find((r) => r.rounds?.[0]?.round === 0)?.rounds[0] : undefined;
  if (dense && !denseByTask.has(taskKey(doc.config))) denseByTask.set(taskKey(doc.config), { file: f, dense });
}

/** One model: the per-seed files bench/results/<prefix>*.json merged. */
function aggregate(prefix) {
  const files = readdirSync(outDir)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".json"))
    .sort();
  if (files.length === 0) throw new Error(`no bench/results/${prefix}*.json: run bench/methods/run.mjs --out ${prefix}<seed> first`);
  const seeds = files.map((f) => {
    const doc = JSON.parse(readFileSync(join(outDir, f), "utf8"));
    if (!Array.isArray(doc.runs) || !doc.config) throw new Error(`${f}: not a bench/methods/run.mjs result (no runs/config)`);
    // Round 0 (the dense pretrained net) is shared by every method of a seed; a run still in
    // progress has reported rounds 1.. only, and takes it from a finished run of the same file
    // or, failing that, of another file with the same task (model, data, seed, pretraining).
    const own = doc.runs.find((r) => r.rounds[0]?.round === 0)?.rounds[0];
    const borrowed = own ? undefined : denseByTask.get(taskKey(doc.config));
    const dense = own ?? borrowed?.dense;
    const runs = doc.runs.map((r) => ({ ...r, rounds: r.rounds[0]?.round === 0 || !dense ? r.rounds : [dense, ...r.rounds] }));
    return { file: f, seed: doc.config.task.seed, complete: doc.complete !== false, config: doc.config, wallMs: doc.wallMs, date: doc.date, runs, ...(borrowed && { round0From: borrowed.file }) };
  });
  const cfg = seeds[0].config;
  for (const s of seeds) {
    for (const k of ["T", "E", "P", "weightDecay"]) if (s.config[k] !== cfg[k]) throw new Error(`${s.file}: ${k}=${s.config[k]} differs from ${seeds[0].file}'s ${cfg[k]}`);
    if (s.config.task.model !== cfg.task.model) throw new Error(`${s.file}: model ${s.config.task.model} differs from ${cfg.task.model}`);
  }
  const labels = [LABELS.sap05, LABELS.sap12, LABELS.lt, LABELS.os].filter((l) => seeds.some((s) => s.runs.some((r) => r.label === l)));

  // Per method: the rounds over seeds, the collapse and the PQI shape per seed.
  const methods = labels.map((label) => {
    const perSeed = seeds
      .map((s) => ({ seed: s.seed, complete: s.complete, run: s.runs.find((r) => r.label === label) }))
      .filter((x) => x.run !== undefined);
    const maxRound = Math.max(...perSeed.map((x) => x.run.rounds[x.run.rounds.length - 1]?.round ?? 0));
    const rounds = [];
    for (let t = 0; t <= maxRound; t++) {
      const at = perSeed.map((x) => x.run.rounds.find((r) => r.round === t)).filter((r) => r !== undefined);
      const row = { round: t, seeds: at.length };
      for (const k of ["remaining", "val_accuracy", "pqi_05_1", "pqi_1_2", "gini", "pqi"]) {
        const s = stats(at.map((r) => r[k]));
        if (s) row[k] = s;
      }
      // The fraction of the previous round's remaining weights that round t pruned.
      const fractions = perSeed.map((x) => {
        const now = x.run.rounds.find((r) => r.round === t);
        const before = x.run.rounds.find((r) => r.round === t - 1);
        return now && before && before.remaining > 0 ? 1 - now.remaining / before.remaining : undefined;
      });
      const pf = stats(fractions);
      if (pf) row.prunedFraction = pf;
      rounds.push(row);
    }
    const own = label.startsWith("SAP") ? "pqi" : undefined;
    const seedsOut = perSeed.map((x) => {
      const shape = {};
      for (const k of ["pqi_05_1", "pqi_1_2"]) {
        const segs = segments(x.run.rounds, k, pqiTol);
        shape[k] = { arrows: arrows(segs), paperShape: hasPaperShape(segs), segments: segs };
      }
      const c = collapseRound(x.run.rounds);
      const last = x.run.rounds[x.run.rounds.length - 1];
      return {
        seed: x.seed,
        roundsRun: last?.round ?? 0,
        complete: x.run.partial !== true,
        collapseRound: c,
        remainingAtCollapse: c === null ? null : (x.run.rounds.find((r) => r.round === c)?.remaining ?? null),
        final: { round: last?.round ?? 0, remaining: last?.remaining ?? null, val_accuracy: last?.val_accuracy ?? null, test_accuracy: x.run.final?.test_accuracy ?? null },
        pqiShape: shape,
        wallMs: x.run.wallMs ?? null,
      };
    });
    const meanShape = {};
    for (const k of ["pqi_05_1", "pqi_1_2"]) {
      const segs = segments(
        rounds.filter((r) => r.seeds === perSeed.length && r[k]).map((r) => ({ round: r.round, [k]: r[k].mean })),
        k,
        pqiTol,
      );
      meanShape[k] = { arrows: arrows(segs), paperShape: hasPaperShape(segs), segments: segs };
    }
    return {
      label,
      ownPqi: own === undefined ? null : label === LABELS.sap05 ? "pqi_05_1" : "pqi_1_2",
      rounds,
      seeds: seedsOut,
      meanPqiShape: meanShape,
      testAccuracy: stats(seedsOut.map((s) => s.final.test_accuracy)),
    };
  });
  const byLabel = Object.fromEntries(methods.map((m) => [m.label, m]));

  // Findings, each next to the paper's claim.
  const T = cfg.T;
  const findings = [];
  const m05 = byLabel[LABELS.sap05];
  const m12 = byLabel[LABELS.sap12];
  const mLt = byLabel[LABELS.lt];
  const mOs = byLabel[LABELS.os];
  const seedRuns = (label, seed) => seeds.find((s) => s.seed === seed)?.runs.find((r) => r.label === label);
  if (m05 && m12) {
    const perSeed = m12.seeds.map((s) => {
      const a = seedRuns(LABELS.sap12, s.seed)?.rounds ?? [];
      const b = seedRuns(LABELS.sap05, s.seed)?.rounds ?? [];
      const common = a.filter((x) => x.round > 0 && b.some((y) => y.round === x.round));
      return { seed: s.seed, rounds: common.length, fewerEveryRound: common.length > 0 && common.every((x) => x.remaining < b.find((y) => y.round === x.round).remaining) };
    });
    const yes = perSeed.filter((x) => x.fewerEveryRound).length;
    findings.push({
      id: "sap12-faster",
      paper: "SAP (1, 2) prunes much faster than SAP (0.5, 1) (cnn: ≈2.5 % of the weights left at T=3 and ≈0 from T≈5, vs ≈69 % after (0.5, 1)'s first round)",
      ours: `SAP (1, 2) keeps fewer weights than (0.5, 1) after every round in ${yes} of ${perSeed.length} seeds; remaining after round 1: ${spread(m12.rounds[1]?.remaining, 2)} % vs ${spread(m05.rounds[1]?.remaining, 2)} %, after round ${T}: ${spread(m12.rounds[T]?.remaining, 2)} % vs ${spread(m05.rounds[T]?.remaining, 2)} %`,
      perSeed,
      reproduced: yes === perSeed.length && perSeed.length > 0,
    });
  }
  if (m12) {
    // Without SAP (0.5, 1) in the group (e.g. a longer-retraining run of (1, 2) alone), the
    // finding is whether (1, 2) collapses at all.
    const c12 = m12.seeds.map((s) => s.collapseRound);
    const c05 = m05?.seeds.map((s) => s.collapseRound);
    const n12 = c12.filter((c) => c !== null).length;
    const earlier = m12.seeds.filter((s) => s.collapseRound !== null && (m05?.seeds.find((x) => x.seed === s.seed)?.collapseRound ?? Infinity) > s.collapseRound).length;
    const left = m12.rounds[T]?.remaining;
    findings.push({
      id: "sap12-collapse",
      paper: "SAP (1, 2) collapses under global scope: ≈0 % of the weights within ~5 rounds and ≈51 % accuracy at T=10 on the cnn (ResNet18: ≈49.5 % at T=15), while (0.5, 1) keeps ≈89.5 % at T=10",
      ours:
        `collapse (validation accuracy more than ${pct(collapseDrop, 0)} points below the dense net's) of SAP (1, 2) in ${n12} of ${c12.length} seeds (rounds ${c12.map((c) => c ?? "none").join(", ")}; ${spread(left, 2)} % of the weights left after round ${T})` +
        (c05 ? `, SAP (0.5, 1) in ${c05.filter((c) => c !== null).length} of ${c05.length} (rounds ${c05.map((c) => c ?? "none").join(", ")}); (1, 2) collapses earlier in ${earlier} of ${c12.length}` : ""),
      collapseRounds: { [LABELS.sap12]: c12, ...(c05 && { [LABELS.sap05]: c05 }) },
      reproduced: c12.length > 0 && (c05 ? earlier === c12.length : n12 === c12.length),
    });
  }
  if (m05 && mLt) {
    const t = Math.min(10, T);
    const r05 = m05.rounds[t]?.remaining;
    const rLt = mLt.rounds[t]?.remaining;
    const a05 = m05.rounds[t]?.val_accuracy;
    const aLt = mLt.rounds[t]?.val_accuracy;
    const fewer = r05 && rLt ? r05.mean < rLt.mean : null;
    findings.push({
      id: "sap05-vs-lt",
      paper: "SAP (0.5, 1) compresses more than the lottery ticket at about the same accuracy (cnn T=10: ≈6 % vs 10.7 % of the weights at ≈89.5 % vs ≈90 %; ResNet18 T=5: ≈22.6 % vs 32.8 %)",
      ours: `round ${t}: SAP (0.5, 1) ${spread(r05, 2)} % of the weights at ${spread(a05)} % validation accuracy; lottery ticket ${spread(rLt, 2)} % at ${spread(aLt)} %`,
      reproduced: fewer === null ? null : fewer && a05 && aLt ? a05.mean >= aLt.mean - 0.01 : false,
    });
  }
  if (mLt && mOs) {
    // The paper's two regimes: about equal at ≈10 % of the weights (T=10), one-shot far behind
    // at 0.12 % (T=30). A run of T <= 10 rounds only reaches the first.
    const t = Math.min(10, T);
    const aLt = mLt.rounds[t]?.val_accuracy;
    const aOs = mOs.rounds[t]?.val_accuracy;
    const left = mLt.rounds[t]?.remaining;
    const low = left !== undefined && left.mean < 0.01;
    findings.push({
      id: "os-vs-lt",
      paper: "one-shot and the lottery ticket are about equal at T=10 (10.7 % of the weights: ≈89.5 % vs ≈90 %); one-shot falls far behind when few weights remain (T=30, 0.12 %: ≈58 % vs ≈82 %)",
      ours: `round ${t} (${spread(left, 2)} % of the weights): lottery ticket ${spread(aLt)} %, one-shot ${spread(aOs)} % validation accuracy${low ? "" : "; the few-weights regime (< 1 %) was not reached"}`,
      // Reproduced: about equal (within 1 point) above 1 % of the weights, one-shot behind below.
      reproduced: aLt && aOs ? (low ? aOs.mean < aLt.mean - 0.01 : Math.abs(aOs.mean - aLt.mean) <= 0.01) : null,
    });
  }
  {
    const rows = methods.map((m) => {
      const key = m.ownPqi ?? "pqi_05_1";
      return { label: m.label, pqi: key, perSeed: m.seeds.map((s) => s.pqiShape[key].arrows), mean: m.meanPqiShape[key].arrows, seedsWithShape: m.seeds.filter((s) => s.pqiShape[key].paperShape).length, n: m.seeds.length };
    });
    const sapRows = rows.filter((r) => r.label.startsWith("SAP"));
    findings.push({
      id: "pqi-curve",
      paper: `PQI: ${PAPER.pqiCurve} (↓↑↓)`,
      ours: rows.map((r) => `${r.label} (${r.pqi}): ↓↑↓ in ${r.seedsWithShape} of ${r.n} seeds (${r.perSeed.join(", ")}; mean curve ${r.mean})`).join("; "),
      curves: rows,
      reproduced: sapRows.length > 0 && sapRows.every((r) => r.seedsWithShape === r.n),
    });
  }
  for (const f of findings) f.verdict = f.reproduced === true ? "reproduced" : f.reproduced === false ? "not reproduced" : "not measured";
  return { model: cfg.task.model, name: `${cfg.task.model}, E=${cfg.E}`, prefix, complete: seeds.every((s) => s.complete), config: { ...cfg, seeds: seeds.map((s) => s.seed), files: seeds.map((s) => s.file), round0From: Object.fromEntries(seeds.filter((s) => s.round0From).map((s) => [s.file, s.round0From])) }, wallMs: Object.fromEntries(seeds.map((s) => [s.seed, s.wallMs])), findings, methods };
}
const prefixes = args.prefix.split(",").map((x) => x.trim()).filter((x) => x.length > 0);
const groups = prefixes.map(aggregate);
const doc = {
  benchmark: `methods-a on CNNs: SAP (0.5, 1) and (1, 2), lottery ticket and one-shot over pruning rounds, ${groups.map((g) => `${g.name} ${g.config.seeds.length} seeds`).join(", ")}`,
  date: new Date().toISOString(),
  complete: groups.every((g) => g.complete),
  collapseDrop,
  pqiTol,
  ...(args["load-average"] && { loadAverage: args["load-average"] }),
  ...(args["cpu-time"] && { cpuTime: args["cpu-time"] }),
  paper: PAPER,
  findings: groups.flatMap((g) => g.findings.map((f) => ({ model: g.name, ...f }))),
  groups,
};
writeFileSync(join(outDir, `${args.out}.json`), JSON.stringify(doc, null, 2) + "\n");
writeFileSync(join(outDir, `${args.out}.md`), render(doc));
process.stdout.write(`${render(doc)}\nwrote ${join(outDir, `${args.out}.json`)} and ${args.out}.md from ${groups.flatMap((g) => g.config.files).join(", ")}\n`);

/** The markdown report: the findings of every model, then one section per model. */
function render(doc) {
  const lines = [
    `# Methods (a) on CNNs: SAP vs lottery ticket vs one-shot over rounds`,
    ``,
    `Merged by \`node bench/methods/seeds.mjs\` from the per-seed runs of \`bench/methods/run.mjs\` (files listed per model below). ` +
      `Every cell: mean over the seeds (min–max). The paper: ${doc.paper.setting}.` +
      (doc.complete ? "" : ` **Some runs were cut short: the rounds they reached are included (the seed count per round is in the JSON).**`),
    ``,
    `## Findings vs the paper`,
    ``,
    `| model, E | finding | paper | measured here | verdict |`,
    `|---|---|---|---|---|`,
    ...doc.findings.map((f) => `| ${f.model} | ${f.id} | ${f.paper} | ${f.ours} | **${f.verdict}** |`),
    ``,
    `Collapse: validation accuracy more than ${pct(doc.collapseDrop, 0)} points below the dense net's (round 0). PQI curve shape: a zigzag filter over the rounds, moves below ${doc.pqiTol} do not count as a change of direction.`,
    ``,
  ];
  for (const g of doc.groups) lines.push(...renderGroup(g, doc));
  return lines.join("\n");
}

/** Seconds per retraining epoch (validation included) of the runs that finished, or undefined. */
function secondsPerEpoch(g) {
  const xs = g.methods.flatMap((m) => m.seeds.filter((s) => s.complete && s.wallMs && s.roundsRun > 0).map((s) => s.wallMs / 1000 / (s.roundsRun * g.config.E)));
  return stats(xs);
}

/** One model's section. */
function renderGroup(g, doc) {
  const { T, E, P, weightDecay, task, common } = g.config;
  const ms = g.methods;
  const header = `| round | ${ms.map((m) => m.label).join(" | ")} |`;
  const sep = `|---|${ms.map(() => "---").join("|")}|`;
  const maxRound = Math.max(...ms.map((m) => m.rounds.length - 1));
  const table = (cell) => [header, sep, ...Array.from({ length: maxRound + 1 }, (_, t) => `| ${t} | ${ms.map((m) => (m.rounds[t]?.seeds ? cell(m.rounds[t], m) : "–")).join(" | ")} |`)];
  const num = (s, d = 3) => (s === undefined ? "–" : s.n > 1 ? `${s.mean.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})` : s.mean.toFixed(d));
  const n = g.config.seeds.length;
  const spe = secondsPerEpoch(g);
  const mins = Object.values(g.wallMs).map((w) => (w / 60000).toFixed(0));
  const only = [LABELS.sap12, LABELS.sap05, LABELS.lt, LABELS.os].filter((l) => ms.some((m) => m.label === l)).map((l) => ONLY[l]).join(",");
  const maxTrain = `${task.maxTrainExamples > 0 ? ` --max-train ${task.maxTrainExamples}` : ""}${task.dataset.kind === "cifar10" ? ` --cifar10 ${task.dataset.dir}` : ""}`;
  // Runs from before --cifar10 record no `data`: the built-in digits.
  const data = g.config.data ?? { label: "Built-in MNIST digits (28×28×1; 7,000 train / 1,000 validation / 2,000 test)", counts: { train: 7000 } };
  const lines = [
    `## ${g.name}, ${n} seeds`,
    ``,
    `${data.label}${task.maxTrainExamples > 0 && task.maxTrainExamples < data.counts.train ? `, training capped at the first ${task.maxTrainExamples.toLocaleString("en")} of the ${data.counts.train.toLocaleString("en")} training examples` : ""}, model \`${task.model}\`, seeds ${g.config.seeds.join(", ")} ` +
      `(each seed its own initial weights, dense pretraining and data order, shared by its methods). Dense pretraining ${task.pretrain.epochs} epochs (Adam ${task.pretrain.learningRate}); ` +
      `**T=${T} rounds of E=${E} retraining epochs each** (Adam ${common["finetune.learningRate"]}, batch ${common["finetune.batchSize"]}, a fresh optimizer state per round, L2 penalty ${weightDecay} on the kernels), ` +
      `global scope; every method rewinds to the initial weights after each pruning step (the paper's loop); ${ms.some((m) => m.ownPqi === null) ? `lottery ticket and one-shot prune P=${P} of the remaining weights per round. ` : ""}` +
      `E=${E} for ${n} seeds × ${ms.length} method${ms.length === 1 ? "" : "s"} × ${T} rounds is what this shared 2-core machine (${doc.loadAverage ? `load average ${doc.loadAverage}, ` : ""}runs niced${doc.cpuTime ? `; CPU time ${doc.cpuTime}` : ""}) allowed within the session` +
      (spe ? `: ${spe.mean.toFixed(0)} s per retraining epoch with its validation (${spe.min.toFixed(0)}–${spe.max.toFixed(0)})` : "") +
      `; the paper uses E=200. Backend ${g.config.backend}; minutes per seed: ${mins.join(", ")}${g.complete ? "" : " (some runs cut short)"}. ` +
      `Produced by \`node bench/methods/run.mjs --model ${task.model}${maxTrain} --seed S --rounds ${T} --epochs ${E} --only "${only}" --out ${g.prefix}S\` for each seed (${g.config.files.join(", ")}).` +
      (Object.keys(g.config.round0From).length > 0 ? ` Round 0 of the runs cut short before their first method finished comes from a finished run with the same task: ${Object.entries(g.config.round0From).map(([a, b]) => `${a} ← ${b}`).join(", ")}.` : ""),
    ``,
    `### Remaining weights % per round`,
    ``,
    ...table((r) => spread(r.remaining, 2)),
    ``,
    `Fraction (%) of the previous round's remaining weights pruned in each round (lottery ticket and one-shot: P=${pct(P, 0)} % by construction; SAP: set by the PQI):`,
    ``,
    ...table((r) => spread(r.prunedFraction)),
    ``,
    ...ms
      .filter((m) => m.ownPqi !== null)
      .map((m) => {
        const last = m.rounds[m.rounds.length - 1];
        const own = (r) => spread(r?.[m.ownPqi], 1);
        return `${m.label}: its PQI${m.ownPqi === "pqi_05_1" ? "(0.5, 1)" : "(1, 2)"} (×100) is ${own(m.rounds[0])} for the dense net, ${own(m.rounds[1])} after round 1 and ${own(last)} after round ${last?.round}; it pruned ${spread(m.rounds[1]?.prunedFraction)} % of the weights in round 1 and ${spread(last?.prunedFraction)} % of the remaining ones in round ${last?.round}.`;
      }),
    ``,
    `### Validation accuracy % per round (round 0 = the dense pretrained net)`,
    ``,
    ...table((r) => spread(r.val_accuracy)),
    `| **test acc. (last round)** | ${ms.map((m) => `**${spread(m.testAccuracy)}**`).join(" | ")} |`,
    ``,
    `Collapse (validation accuracy more than ${pct(doc.collapseDrop, 0)} points below round 0's), first round per seed: ` +
      ms.map((m) => `${m.label}: ${m.seeds.map((s) => `seed ${s.seed} ${s.collapseRound === null ? `none in ${s.roundsRun} rounds` : `round ${s.collapseRound} (${pct(s.remainingAtCollapse, 2)} % left)`}`).join(", ")}`).join("; ") +
      ".",
    ``,
    `### PQI per round`,
    ``,
    `The global PQI of the un-pruned weights after each round's retraining, as the worker computed it (the value SAP's next round prunes by; round 0 is the dense pretrained net). ` +
      `SAP (0.5, 1) prunes by PQI(0.5, 1), SAP (1, 2) by PQI(1, 2).`,
    ``,
    `PQI(0.5, 1):`,
    ``,
    ...table((r) => num(r.pqi_05_1)),
    ``,
    `PQI(1, 2):`,
    ``,
    ...table((r) => num(r.pqi_1_2)),
    ``,
    `Shape of each curve, per seed and of the mean curve (↓ falls, ↑ rises, with the rounds of the extremes: ↓1→4 falls from round 1 to round 4; the paper's shape is ↓↑↓):`,
    ``,
    `| method | PQI | ${g.config.seeds.map((sd) => `seed ${sd}`).join(" | ")} | mean curve |`,
    `|---|---|${g.config.seeds.map(() => "---").join("|")}|---|`,
    ...ms.flatMap((m) =>
      ["pqi_05_1", "pqi_1_2"].map((k) => {
        const seg = (segs) => (segs.length === 0 ? "flat" : segs.map((x) => `${x.dir === "down" ? "↓" : "↑"}${x.from}→${x.to}`).join(" "));
        const own = m.ownPqi === k ? " (its own)" : "";
        const cells = g.config.seeds.map((sd) => {
          const s = m.seeds.find((x) => x.seed === sd);
          return s ? `${s.pqiShape[k].arrows} (${seg(s.pqiShape[k].segments)})` : "–";
        });
        return `| ${m.label} | ${k === "pqi_05_1" ? "(0.5, 1)" : "(1, 2)"}${own} | ${cells.join(" | ")} | ${m.meanPqiShape[k].arrows} (${seg(m.meanPqiShape[k].segments)}) |`;
      }),
    ),
    ``,
  ];
  return lines;
}
