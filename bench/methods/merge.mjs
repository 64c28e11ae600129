// Merges the methods benchmark parts into one report:
//   bench/results/methods-a.json   (bench/methods/run.mjs: magnitude / LT / one-shot / SAP)
//   bench/results/methods-bcd.json (bench/methods/structured.mjs: LayerPrune, gates, early-exit)
//   bench/results/methods-cnn-a.json (bench/methods/seeds.mjs: part (a) on CNNs over seeds)
// → bench/results/methods.json and bench/results/methods.md. Re-run after either part changes:
//
//   node bench/methods/merge.mjs
//
// Needs no build and trains nothing; a missing part is listed as "not run".
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "..", "results");

const readJson = (name) => (existsSync(join(outDir, name)) ? JSON.parse(readFileSync(join(outDir, name), "utf8")) : undefined);
const readText = (name) => (existsSync(join(outDir, name)) ? readFileSync(join(outDir, name), "utf8") : undefined);

/** Demotes every markdown heading one level (the part reports become sections). */
const demote = (md) => md.replace(/^(#+) /gm, "#$1 ");

/** Writes bench/results/methods.json and bench/results/methods.md; returns the merged document. */
export function merge() {
  const a = readJson("methods-a.json");
  const bcd = readJson("methods-bcd.json");
  const findings = [];
  const paper = {
    a: "SAP (1, 2) prunes faster and collapses earlier than SAP (0.5, 1)",
    b: "layer pruning cuts latency more than filter pruning at similar accuracy",
    c: "learnable gates reach 70-90 % compression with no noticeable accuracy loss",
    d: "simultaneous early-exit pruning is at least as good as ordered at low expected cost",
  };
  findings.push({ part: "a", paper: paper.a, ours: a?.finding?.verdict ?? "not run", reproduced: a?.finding?.reproduced ?? null, date: a?.date ?? null });
  const aCnn = readJson("methods-cnn-a.json");
  for (const f of aCnn?.findings ?? []) findings.push({ part: `a, ${f.model}`, paper: f.paper, ours: `${f.verdict}: ${f.ours}`, reproduced: f.reproduced, date: aCnn.date });
  for (const p of ["b", "c", "d"]) {
    const f = bcd?.parts?.[p]?.finding;
    findings.push({ part: p, paper: paper[p], ours: f?.verdict ?? "not run", reproduced: f?.reproduced ?? null, date: bcd?.parts?.[p]?.fromEarlierRun ?? bcd?.date ?? null });
  }
  const doc = {
    benchmark: "methods: reproduction of the four methods at small scale on MNIST (issue #3)",
    date: new Date().toISOString(),
    findings,
    wallMs: { a: a?.wallMs ?? null, bcd: bcd?.wallMs ?? null },
    parts: { a: a ?? null, bcd: bcd ?? null, aCnn: aCnn ?? null },
  };
  writeFileSync(join(outDir, "methods.json"), JSON.stringify(doc, null, 2) + "\n");

  const status = (r) => (r === true ? "yes" : r === false ? "no / partly (see verdict)" : "–");
  const lines = [
    `# Methods benchmark: small-scale reproduction on MNIST`,
    ``,
    `Merged by \`node bench/methods/merge.mjs\` from \`methods-a.json\` (\`bench/methods/run.mjs\`) and \`methods-bcd.json\` (\`bench/methods/structured.mjs\`).`,
    ``,
    `| part | paper's finding | reproduced | ours |`,
    `|---|---|---|---|`,
    ...findings.map((f) => `| (${f.part}) | ${f.paper} | ${status(f.reproduced)} | ${f.ours.replace(/\|/g, "\\|")} |`),
    ``,
  ];
  const mdA = readText("methods-a.md");
  const mdBcd = readText("methods-bcd.md");
  lines.push(mdA ? demote(mdA).trim() : `## Methods (a)\n\nnot run`, ``, mdBcd ? demote(mdBcd).trim() : `## Methods (b)-(d)\n\nnot run`, ``);
  const mdACnn = readText("methods-cnn-a.md");
  if (mdACnn) lines.push(demote(mdACnn).trim(), ``);
  writeFileSync(join(outDir, "methods.md"), lines.join("\n"));
  process.stdout.write(`wrote ${join(outDir, "methods.json")} and methods.md\n`);
  return doc;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) merge();
