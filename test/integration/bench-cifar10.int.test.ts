/**
 * The methods benchmarks on CIFAR-10 (`--cifar10 DIR`, bench/methods/dataset.mjs): run.mjs
 * trains a ResNet-8 on a tiny directory in the CIFAR-10 binary format (CIFAR-10 itself cannot be
 * downloaded here) and records the dataset in its results; a bad directory fails before anything
 * trains, naming each bad file and what a CIFAR-10 directory holds, in run.mjs and structured.mjs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES } from "@prunesweep/proto";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const RECORDS = 200;
const dir = mkdtempSync(join(tmpdir(), "prunesweep-bench-cifar10-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A batch file of `records` CIFAR-10 records: label byte `r % 10`, then 3,072 pseudo-random pixel bytes. */
function batch(records: number, salt: number): Buffer {
  const b = Buffer.alloc(records * CIFAR10_RECORD_BYTES);
  let s = 12345 + salt;
  for (let r = 0; r < records; r++) {
    b[r * CIFAR10_RECORD_BYTES] = r % 10;
    for (let i = 1; i < CIFAR10_RECORD_BYTES; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      b[r * CIFAR10_RECORD_BYTES + i] = s >>> 24;
    }
  }
  return b;
}

function cifarDir(name: string, skip: readonly string[] = []): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [i, f] of CIFAR10_FILES.entries()) if (!skip.includes(f)) writeFileSync(join(d, f), batch(RECORDS, i));
  return d;
}

function bench(script: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bench", "methods", script), ...args], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("bench/methods --cifar10", () => {
  it("run.mjs trains ResNet-8 on CIFAR-format batches and records the dataset", () => {
    const data = cifarDir("good");
    const out = join(dir, "out", "sap-cifar");
    const r = bench("run.mjs", ["--cifar10", data, "--model", "resnet8", "--rounds", "1", "--epochs", "1", "--pretrain-epochs", "1", "--max-train", "64", "--only", "SAP (1", "--out", out]);
    expect(r.stderr + r.stdout).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(`${out}.json`, "utf8"));
    expect(doc.complete).toBe(true);
    expect(doc.config.task.dataset).toEqual({ kind: "cifar10", dir: data });
    expect(doc.config.task.split).toEqual({ train: 0.9, validation: 0.1, test: 0 });
    // Five training batches of 200 split 900/100, the test batch whole.
    expect(doc.config.data).toMatchObject({ inputShape: [32, 32, 3], counts: { train: 900, validation: 100, test: 200 } });
    expect(doc.runs.map((x: { label: string }) => x.label)).toEqual(["SAP (1, 2)"]);
    const run = doc.runs[0];
    expect(run.rounds).toHaveLength(2); // the dense net and one pruning round
    expect(run.rounds[1].remaining).toBeLessThan(1);
    expect(run.final.test_accuracy).toBeGreaterThanOrEqual(0);
    expect(readFileSync(`${out}.md`, "utf8")).toContain(`CIFAR-10 binary batches in \`${data}\` (32×32×3; 900 train / 100 validation`);
  });

  it.each(["run.mjs", "structured.mjs"])("%s fails before training on a bad directory, naming each bad file", (script) => {
    const bad = cifarDir(`bad-${script}`, ["data_batch_3.bin"]);
    writeFileSync(join(bad, "test_batch.bin"), batch(RECORDS, 9).subarray(0, 1000));
    const out = join(dir, "out", `bad-${script}`);
    const args = script === "run.mjs" ? ["--model", "resnet8", "--out", out] : ["--models", "resnet8", "--parts", "b", "--seeds", "1", "--out", out];
    const r = bench(script, ["--cifar10", bad, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--cifar10 ${bad} is not a usable CIFAR-10 binary directory`);
    expect(r.stderr).toContain(`"${join(bad, "data_batch_3.bin")}" does not exist`);
    expect(r.stderr).toContain(`"${join(bad, "test_batch.bin")}" is not a CIFAR-10 binary batch: 1000 bytes, not a positive multiple of 3073`);
    expect(r.stderr).toContain(`expected: a directory holding ${CIFAR10_FILES.join(", ")}`);
    expect(existsSync(`${out}.json`)).toBe(false);

    const missing = join(dir, "no-such-dir");
    const m = bench(script, ["--cifar10", missing, ...args]);
    expect(m.status).toBe(2);
    expect(m.stderr).toContain(`"${missing}" does not exist`);
  });
});
