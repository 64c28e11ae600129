#!/usr/bin/env node
// npm's `prepare` hook (run by `npm ci` and `npm install` in this repository): builds the
// workspaces, so `npx prunesweep` works right after `npm ci`. It skips the build, saying why,
// where it cannot run: a dependencies-only install (deploy/docker copies the package files
// first and builds after copying the sources) and an install without dev dependencies
// (`--omit=dev`: no TypeScript compiler).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const skip = (why) => {
  process.stdout.write(`prepare: not building (${why}); run \`npm run build\` once the sources and dev dependencies are there\n`);
  process.exit(0);
};

if (!["proto", "coordinator", "worker"].every((w) => existsSync(`${root}${w}/src`))) skip("the workspace sources are not here yet");
try {
  createRequire(`${root}package.json`).resolve("typescript");
} catch {
  skip("TypeScript is not installed: dev dependencies omitted");
}
const npm = process.env["npm_execpath"];
const r = npm ? spawnSync(process.execPath, [npm, "run", "build"], { cwd: root, stdio: "inherit" }) : spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit", shell: true });
process.exit(r.status ?? 1);
