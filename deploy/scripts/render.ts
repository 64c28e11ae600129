/**
 * Writes the generated files under deploy/ (Helm chart, manifests, Dockerfile ignore files)
 * from deploy/src/. `--check` writes nothing and exits 1 when a file differs or is stale.
 * Usage: npm run render:deploy  (from the repository root)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GENERATED_DIRS, renderAll } from "../src/chart.js";

/** Differences between the generated files and deploy/ on disk, as `path: reason`. */
export function diffGenerated(deployDir: string, files: Map<string, string> = renderAll()): string[] {
  const problems: string[] = [];
  for (const [rel, text] of files) {
    const p = join(deployDir, rel);
    if (!existsSync(p)) problems.push(`${rel}: missing`);
    else if (readFileSync(p, "utf8") !== text) problems.push(`${rel}: differs`);
  }
  for (const dir of GENERATED_DIRS) {
    const abs = join(deployDir, dir);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs)) if (!files.has(`${dir}/${name}`)) problems.push(`${dir}/${name}: stale (not generated)`);
  }
  return problems;
}

function main(): number {
  // dist/scripts/render.js -> deploy/
  const deployDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const files = renderAll();
  if (process.argv.includes("--check")) {
    const problems = diffGenerated(deployDir, files);
    for (const p of problems) process.stderr.write(`${p}\n`);
    if (problems.length) process.stderr.write("run `npm run render:deploy` and commit the result\n");
    return problems.length ? 1 : 0;
  }
  for (const dir of GENERATED_DIRS) rmSync(join(deployDir, dir), { recursive: true, force: true });
  for (const [rel, text] of files) {
    const p = join(deployDir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  process.stdout.write(`wrote ${files.size} files under deploy/\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
