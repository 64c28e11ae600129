/** Renders bench/results/samplers.json as the markdown tables of bench/results/samplers.md. */

const fmt = (x, digits = 3) => (x === undefined ? "–" : x >= 10 ? x.toFixed(2) : x.toFixed(digits));
let expectedSeeds = 0;
const cell = (s) => (s ? `${fmt(s.mean)} ± ${fmt(s.std)}${s.n < expectedSeeds ? ` (n=${s.n})` : ""}` : "–");

/** @param results the object written to samplers.json */
export function renderMarkdown(results) {
  const lines = [];
  const { budget, seeds, checkpoints } = results;
  expectedSeeds = seeds;
  lines.push("# Sampler benchmark");
  lines.push("");
  lines.push(
    `Generated ${results.generatedAt} by \`node bench/samplers/run.mjs\` (Node ${results.node}; Optuna ${results.optuna ?? "not available"}). ` +
      `Hypervolume (higher is better) of all completed trials, mean ± standard deviation over ${seeds} seeds; ` +
      "reference points ZDT (11, 11), DTLZ2 (1.1, 1.1, 1.1). Parallelism 16 = 16 suggestions outstanding before the first result returns (FIFO completion).",
  );
  lines.push("");
  for (const s of results.skipped) lines.push(`- Skipped ${s.problem}: ${s.reason}.`);
  if (results.skipped.length > 0) lines.push("");
  const problems = [...new Set(results.quality.map((q) => q.problem))];
  const pars = [...new Set(results.quality.map((q) => q.parallelism))].sort((a, b) => a - b);
  const find = (problem, sampler, impl, par) => results.quality.find((q) => q.problem === problem && q.sampler === sampler && q.impl === impl && q.parallelism === par);
  const rows = [
    ["random", "ours"],
    ["sobol", "ours"],
    ["tpe", "ours"],
    ["tpe", "optuna"],
    ["nsga2", "ours"],
    ["nsga2-sbx", "ours"],
    ["nsga2", "optuna"],
  ];
  for (const b of [200, budget].filter((x, i, xs) => checkpoints.includes(x) && xs.indexOf(x) === i)) {
    lines.push(`## Hypervolume at ${b} evaluations`);
    lines.push("");
    lines.push(`| sampler | ${problems.flatMap((p) => pars.map((par) => `${p} p${par}`)).join(" | ")} |`);
    lines.push(`|---|${problems.flatMap(() => pars.map(() => "---:")).join("|")}|`);
    for (const [sampler, impl] of rows) {
      const cells = problems.flatMap((p) => pars.map((par) => cell(find(p, sampler, impl, par)?.hv[b])));
      if (cells.every((c) => c === "–")) continue;
      lines.push(`| ${sampler} (${impl}) | ${cells.join(" | ")} |`);
    }
    lines.push("");
  }
  const ratios = [];
  for (const p of problems) {
    for (const sampler of ["tpe", "nsga2"]) {
      for (const par of pars) {
        const o = find(p, sampler, "ours", par)?.hv[budget];
        const r = find(p, sampler, "optuna", par)?.hv[budget];
        if (o && r) ratios.push(`| ${p} | ${sampler} | ${par} | ${fmt(o.mean)} | ${fmt(r.mean)} | ${(o.mean / r.mean).toFixed(3)} | ${o.mean >= r.mean ? "yes" : "**no**"} |`);
      }
    }
  }
  if (ratios.length > 0) {
    lines.push(`## Ours / Optuna at ${budget} evaluations`);
    lines.push("");
    lines.push("| problem | sampler | parallelism | ours | Optuna | ratio | ours >= Optuna |");
    lines.push("|---|---|---:|---:|---:|---:|---|");
    lines.push(...ratios);
    lines.push("");
  }
  lines.push("## Hypervolume at checkpoints (parallelism 1)");
  lines.push("");
  lines.push(`| problem | sampler | ${checkpoints.join(" | ")} |`);
  lines.push(`|---|---|${checkpoints.map(() => "---:").join("|")}|`);
  for (const p of problems) {
    for (const [sampler, impl] of rows) {
      const q = find(p, sampler, impl, 1);
      if (q) lines.push(`| ${p} | ${sampler} (${impl}) | ${checkpoints.map((c) => fmt(q.hv[c]?.mean)).join(" | ")} |`);
    }
  }
  lines.push("");
  if (results.timing.length > 0) {
    lines.push("## ask + tell time per trial (ms), ZDT1 (30 parameters)");
    lines.push("");
    lines.push(
      "History of N random completed trials, then the mean over the next trials (after a warm-up that absorbs reading the history). " +
        "Wall-clock and CPU time of the benchmark process (CPU time is robust to other load on the machine).",
    );
    lines.push("");
    const hs = [...new Set(results.timing.map((t) => t.history))].sort((a, b) => a - b);
    lines.push(`| sampler | ${hs.map((h) => `${h} trials: wall / CPU`).join(" | ")} |`);
    lines.push(`|---|${hs.map(() => "---:").join("|")}|`);
    for (const impl of ["ours", "optuna"]) {
      for (const sampler of ["random", "sobol", "tpe", "nsga2"]) {
        const ts = hs.map((h) => results.timing.find((t) => t.sampler === sampler && t.impl === impl && t.history === h));
        if (ts.every((t) => !t)) continue;
        lines.push(`| ${sampler} (${impl}) | ${ts.map((t) => (t ? `${fmt(t.msPerTrial, 3)} / ${fmt(t.cpuMsPerTrial, 3)}` : "–")).join(" | ")} |`);
      }
    }
    lines.push("");
  }
  lines.push("## Seconds per run (1,000 evaluations, parallelism 1)");
  lines.push("");
  lines.push(`| sampler | ${problems.join(" | ")} |`);
  lines.push(`|---|${problems.map(() => "---:").join("|")}|`);
  for (const [sampler, impl] of rows) {
    const cells = problems.map((p) => {
      const q = find(p, sampler, impl, 1);
      return q ? fmt(q.secondsPerRun, 2) : "–";
    });
    if (cells.every((c) => c === "–")) continue;
    lines.push(`| ${sampler} (${impl}) | ${cells.join(" | ")} |`);
  }
  lines.push("");
  return lines.join("\n");
}
