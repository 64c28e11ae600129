/** `prunesweep inspect <model.json>` as a user runs it (the built CLI in a child process). */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..", "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "prunesweep-inspect-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "prunesweep.mjs"), ...args], { encoding: "utf8" });

describe("prunesweep inspect", () => {
  copyFileSync(join(ROOT, "test", "fixtures", "tfjs-models", "keras3-resblock.json"), join(tmp, "model.json"));
  const values = 16 * 32 + 32 + 32 * 8 + 8 + 8 * 32 + 32 + 32 * 4 + 4;

  it("prints kernels, removable blocks, filter groups, exits, params and MACs per layer", () => {
    writeFileSync(join(tmp, "group1-shard1of1.bin"), Buffer.alloc(values * 4));
    const r = cli("inspect", join(tmp, "model.json"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Functional (keras3), input [16], 4 classes (softmax)");
    expect(r.stdout).toContain(`${values} parameters, ${16 * 32 + 32 * 8 + 8 * 32 + 32 * 4} MACs per example`);
    expect(r.stdout).toMatch(/fc_a\s+Dense\s+\[8\]\s+264\s+256\s+yes\s+add/);
    expect(r.stdout).toContain("unstructured (magnitude, lottery-ticket, one-shot, SAP): 4 kernels: stem/kernel, fc_a/kernel, fc_b/kernel, head/kernel");
    expect(r.stdout).toContain("LayerPrune layer/block removal: add (residual)");
    expect(r.stdout).toContain("filter/neuron groups (filter pruning, gates): fc_a (8 neurons)");
    expect(r.stdout).toContain("early-exit positions (task.exits, by number or layer name): 1 = after stem");
    const j = JSON.parse(cli("inspect", join(tmp, "model.json"), "--json").stdout) as { removable: string[]; exitCandidates: unknown[] };
    expect(j.removable).toEqual(["add"]);
    expect(j.exitCandidates).toEqual([{ position: 1, after: "stem" }]);
  });

  it("exits 2 naming the shard when the weights are short", () => {
    writeFileSync(join(tmp, "group1-shard1of1.bin"), Buffer.alloc(values * 4 - 4));
    const r = cli("inspect", join(tmp, "model.json"));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: .*group1-shard1of1\.bin: weights shards hold \d+ bytes, the manifest needs \d+ \(8 weights\): short/);
  });
});
