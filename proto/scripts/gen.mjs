#!/usr/bin/env node
// The single regeneration command for proto/src/gen (ts-proto through the offline `protoc` npm
// package; never grpc-tools, whose install downloads). `--check` regenerates into a temporary
// directory and exits 1 when the committed code differs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaDir = join(root, "schema");
const genDir = join(root, "src", "gen");
const bin = (name) => join(root, "..", "node_modules", ".bin", name);

export const TS_PROTO_OPTIONS = [
  "outputServices=grpc-js",
  "env=node",
  "esModuleInterop=true",
  "useOptionals=messages",
  "oneof=unions-value",
  "forceLong=number",
  "useDate=true",
  "importSuffix=.js",
  "outputJsonMethods=true",
].join(",");

function listProtos(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listProtos(p) : name.endsWith(".proto") ? [p] : [];
  });
}

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

function generate(outDir) {
  mkdirSync(outDir, { recursive: true });
  const protos = listProtos(schemaDir).map((p) => relative(schemaDir, p)).sort();
  execFileSync(
    bin("protoc"),
    [
      `--plugin=protoc-gen-ts_proto=${bin("protoc-gen-ts_proto")}`,
      `--ts_proto_out=${outDir}`,
      `--ts_proto_opt=${TS_PROTO_OPTIONS}`,
      `-I${schemaDir}`,
      ...protos,
    ],
    { stdio: "inherit", cwd: schemaDir },
  );
}

const check = process.argv.includes("--check");
if (check) {
  const tmp = mkdtempSync(join(tmpdir(), "prunesweep-gen-"));
  try {
    generate(tmp);
    const fresh = listFiles(tmp).map((p) => relative(tmp, p)).sort();
    const committed = listFiles(genDir).map((p) => relative(genDir, p)).sort();
    const diffs = [];
    if (fresh.join("\n") !== committed.join("\n")) diffs.push(`file list differs: ${fresh} vs ${committed}`);
    for (const f of fresh) {
      const a = readFileSync(join(tmp, f), "utf8");
      let b = "";
      try { b = readFileSync(join(genDir, f), "utf8"); } catch { /* missing */ }
      if (a !== b) diffs.push(`${f} is out of date`);
    }
    if (diffs.length > 0) {
      console.error(`proto/src/gen is stale; run \`npm run gen\`:\n  ${diffs.join("\n  ")}`);
      process.exit(1);
    }
    console.log("proto/src/gen is up to date");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
} else {
  rmSync(genDir, { recursive: true, force: true });
  generate(genDir);
  console.log(`generated ${listFiles(genDir).length} files in ${relative(process.cwd(), genDir) || genDir}`);
}
