#!/usr/bin/env node
// Rewrites the generated reference tables of README.md and docs/campaign-spec.md from the
// catalogue and the strategy registries (coordinator/src/cli/reference-docs.ts), from the
// build output: `npm run docs` builds first. `--check` changes nothing and exits 1 when a
// document is out of date (the unit test coordinator/test/cli/reference-docs.test.ts does
// the same check without a build).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const built = join(root, "coordinator", "dist", "cli", "reference-docs.js");
if (!existsSync(built)) {
  process.stderr.write(`${built} is missing: build first (npm run build)\n`);
  process.exit(2);
}
const { GENERATED_DOCUMENTS, generatedBlocks, rewriteGeneratedBlocks } = await import(built);
const check = process.argv.includes("--check");
const blocks = generatedBlocks({ examples: readdirSync(join(root, "examples")) });
let stale = 0;
for (const doc of GENERATED_DOCUMENTS) {
  const path = join(root, doc);
  const before = readFileSync(path, "utf8");
  const { text, unknown } = rewriteGeneratedBlocks(before, blocks);
  if (unknown.length > 0) {
    process.stderr.write(`${doc}: unknown generated block(s): ${unknown.join(", ")}\n`);
    process.exit(2);
  }
  if (text === before) continue;
  stale++;
  if (check) process.stderr.write(`${doc} is out of date: run npm run docs\n`);
  else {
    writeFileSync(path, text);
    process.stdout.write(`rewrote the generated tables of ${doc}\n`);
  }
}
process.exitCode = check && stale > 0 ? 1 : 0;
