/**
 * `prunesweep run` on data of one's own: bad data fails before anything starts (no NATS, no
 * out dir), naming the file; a good image folder with an explicit test set runs end to end,
 * and the trials' test split is the test folder.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { png } from "../fixtures/png.js";
import { spawnCli } from "../harness/processes.js";

const dir = mkdtempSync(join(tmpdir(), "prunesweep-byo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, data: Buffer | string): void {
  const p = join(dir, rel);
  mkdirSync(join(p, ".."), { recursive: true });
  writeFileSync(p, data);
}

/** Two classes told apart by which half is bright, with some noise. */
function imageFolder(rel: string, perClass: number): void {
  for (let i = 0; i < perClass; i++) {
    write(`${rel}/left/${i}.png`, png(8, 8, 200 + (i % 50), 20 + (i % 30)));
    write(`${rel}/right/${i}.png`, png(8, 8, 20 + (i % 30), 200 + (i % 50)));
  }
}

function spec(name: string, task: string, space = ""): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(
    p,
    `name: ${name}
seed: 3
task:
${task}
  model: mlp
  modelOptions: { hidden: [16] }
  pretrain: { epochs: 2, optimizer: adam, learningRate: 0.01, batchSize: 16 }
  backend: cpu
objectives:
  - { metric: accuracy, direction: maximize }
space:
  sparsity: { values: [0.5] }
  finetune.epochs: 1
${space}budget: { maxTrials: 1 }
`,
  );
  return p;
}

describe("prunesweep run on your own data", () => {
  it.each<[string, () => string, RegExp]>([
    [
      "an empty class folder",
      () => {
        imageFolder("empty/train", 2);
        mkdirSync(join(dir, "empty/train/third"));
        return "  dataset: { images: " + join(dir, "empty/train") + " }";
      },
      /task: class folder ".*empty\/train\/third" is empty/,
    ],
    [
      "a test set with a class the model cannot output",
      () => {
        imageFolder("cls/train", 2);
        write("cls/test/up/0.png", png(8, 8, 1, 2));
        return `  dataset: { images: ${join(dir, "cls/train")} }\n  test: { images: ${join(dir, "cls/test")} }`;
      },
      /test set ".*cls\/test" has class "up", which the model cannot output: the training set ".*cls\/train" has the classes left, right/,
    ],
    [
      "a CSV row with too many fields",
      () => {
        write("xy.csv", "a,b,label\n1,2,0\n3,4,oops,5\n");
        return `  dataset: { csv: ${join(dir, "xy.csv")}, label: label }`;
      },
      /xy.csv" line 3 has 4 fields; the header has 3/,
    ],
    [
      "augmentation of data that are not images",
      () => {
        write("flat.csv", "a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n");
        return `  dataset: { csv: ${join(dir, "flat.csv")}, label: label }\n  split: { train: 0.6, validation: 0, test: 0.4 }`;
      },
      /space.finetune.augment: crops and flips need image examples \[height, width, channels\]; the dataset's examples have shape \[2\]/,
    ],
  ])("rejects %s with exit code 2 before starting anything", async (what, task, message) => {
    const out = join(dir, `out-${what.replace(/\W+/g, "-")}`);
    const extra = what.startsWith("augmentation") ? "  finetune.augment: { values: [false, true] }\n" : "";
    const run = spawnCli(["run", spec(`bad-${what.length}`, task(), extra), "--out", out, "--workers", "1"]);
    expect(await run.exited, run.output()).toBe(2);
    expect(run.output()).toMatch(message);
    expect(run.output()).not.toContain("started nats-server");
    expect(existsSync(out)).toBe(false);
  });

  it("runs a campaign on an image folder with an explicit test set", async () => {
    imageFolder("good/train", 30);
    imageFolder("good/test", 7);
    const out = join(dir, "good-out");
    const run = spawnCli(["run", spec("good", `  dataset: { images: ${join(dir, "good/train")} }\n  test: { images: ${join(dir, "good/test")} }\n  normalize: { mean: 0.5, std: 0.5 }`), "--out", out, "--workers", "1"]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toContain("data: 54 train, 6 validation, 14 test examples of shape [8, 8, 1], 2 classes, 74 files");
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { trials: { state: string; metrics: Record<string, number> }[] };
    expect(results.trials).toHaveLength(1);
    expect(results.trials[0]?.state).toBe("completed");
    // 14 test images: every accuracy is a multiple of 1/14, and the task is easy.
    const acc = results.trials[0]?.metrics["accuracy"] ?? 0;
    expect(Math.abs(acc * 14 - Math.round(acc * 14))).toBeLessThan(1e-6);
    expect(acc).toBeGreaterThan(0.9);
  }, 240_000);

  it("runs examples/bring-your-own: its data script, then its spec (smaller) with the fine-tuning recipe", async () => {
    const example = fileURLToPath(new URL("../../examples/bring-your-own/", import.meta.url));
    const data = join(dir, "example-data");
    const made = spawnSync(process.execPath, [join(example, "make-data.mjs"), "--out", data, "--train", "12", "--test", "4"], { encoding: "utf8" });
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toContain("wrote 160 images");
    const text = readFileSync(join(example, "spec.yaml"), "utf8")
      .replaceAll("examples/bring-your-own/data", data)
      .replace(/epochs: 6/, "epochs: 2")
      .replace(/maxTrials: \d+/, "maxTrials: 2")
      .replace(/parallelism: \d+/, "parallelism: 1");
    const p = join(dir, "example.yaml");
    writeFileSync(p, text);
    const out = join(dir, "example-out");
    const run = spawnCli(["run", p, "--out", out, "--workers", "1", "--http-port", "-1"]);
    expect(await run.exited, run.output()).toBe(0);
    expect(run.output()).toContain("data: 108 train, 12 validation, 40 test examples of shape [28, 28, 1], 10 classes, 160 files");
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { trials: { state: string; params: Record<string, unknown> }[] };
    expect(results.trials.map((t) => t.state)).toEqual(["completed", "completed"]);
    for (const t of results.trials) expect(["adam", "adamw", "momentum"]).toContain(t.params["finetune.optimizer"]);
  }, 300_000);

  it("runs examples/bring-your-own with your model: make-model.mjs, your-model.yaml (smaller), and a front model reloaded by check-model.mjs", async () => {
    const example = fileURLToPath(new URL("../../examples/bring-your-own/", import.meta.url));
    const data = join(dir, "ym-data");
    const node = (script: string, ...args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [join(example, script), ...args], { encoding: "utf8" });
    expect(node("make-data.mjs", "--out", data, "--train", "12", "--test", "4").status).toBe(0);
    const made = node("make-model.mjs", "--data", join(data, "train"), "--out", join(dir, "model"), "--epochs", "3");
    expect(made.status, String(made.stderr)).toBe(0);
    expect(made.stdout).toContain("trained on 120 images of 10 classes for 3 epochs");
    const inspect = spawnCli(["inspect", join(dir, "model", "model.json")]);
    expect(await inspect.exited, inspect.output()).toBe(0);
    expect(inspect.output()).toContain("LayerPrune layer/block removal: res_add (residual)");
    // The spec names model/model.json relative to itself: the copy sits next to the model.
    const text = readFileSync(join(example, "your-model.yaml"), "utf8")
      .replaceAll("examples/bring-your-own/data", data)
      .replace(/enqueue: \[[^\]]*\]/, "enqueue: [{ method: magnitude }, { method: layerprune, layerprune.unit: filter }]")
      .replace(/maxTrials: \d+/, "maxTrials: 2")
      .replace(/finetune\.epochs: \d+/, "finetune.epochs: 1");
    const p = join(dir, "your-model.yaml");
    writeFileSync(p, text);
    const out = join(dir, "ym-out");
    const run = spawnCli(["run", p, "--out", out, "--workers", "2", "--http-port", "-1"]);
    expect(await run.exited, run.output()).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { trials: { number: number; state: string; params: Record<string, unknown> }[] };
    expect(results.trials.map((t) => [t.state, t.params["method"]])).toEqual([["completed", "magnitude"], ["completed", "layerprune"]]);
    for (const t of results.trials) {
      const got = join(dir, `ym-model-${t.number}`);
      const dl = spawnCli(["model", out, String(t.number), "-o", got]);
      expect(await dl.exited, dl.output()).toBe(0);
      const check = node("check-model.mjs", got, "--test", join(data, "test"));
      expect(check.status, `${String(check.stdout)}${String(check.stderr)}`).toBe(0);
      expect(check.stdout).toMatch(/accuracy +measured [\d.]+ +reported [\d.]+ +ok/);
      expect(check.stdout).toMatch(/params +measured \d+ +reported \d+ +ok/);
    }
  }, 420_000);
});
